import type { RuleGroup } from '../segment/types.js';

/**
 * Segments over the demo data (`generateDemoData`, `DEMO_ATTRIBUTES`): the three classic audiences
 * first, then two compound ones. Handy for demos, previews and tests.
 */
export const DEMO_SEGMENTS: Readonly<Record<string, RuleGroup>> = {
  'Spend > 10,000': { combinator: 'and', rules: [{ field: 'totalSpend', operator: '>', value: 10_000 }] },
  'Spend > 10,000 and visits ≤ 3': {
    combinator: 'and',
    rules: [
      { field: 'totalSpend', operator: '>', value: 10_000 },
      { field: 'visits', operator: '<=', value: 3 },
    ],
  },
  'No visit in 3 months (or never)': {
    combinator: 'and',
    rules: [{ field: 'lastVisitAt', operator: 'notWithinLast', value: { amount: 3, unit: 'months' } }],
  },
  'Pune or Delhi VIPs, or not (newsletter and < 5 orders)': {
    combinator: 'or',
    rules: [
      {
        combinator: 'and',
        rules: [
          { field: 'attributes.city', operator: 'in', value: ['Pune', 'Delhi'] },
          { field: 'attributes.tags', operator: 'has', value: 'vip' },
        ],
      },
      {
        combinator: 'and',
        not: true,
        rules: [
          { field: 'attributes.tags', operator: 'has', value: 'newsletter' },
          { field: 'orderCount', operator: '<', value: 5 },
        ],
      },
    ],
  },
  'No email, ordered in the last 30 days': {
    combinator: 'and',
    rules: [
      { field: 'email', operator: 'notExists' },
      { field: 'lastOrderAt', operator: 'withinLast', value: { amount: 30, unit: 'days' } },
    ],
  },
};
