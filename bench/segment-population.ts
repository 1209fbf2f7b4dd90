/**
 * The population and rule shared by the segment benchmarks (segment-eval, segment-mongo): the same
 * fields, the same three-branch rule, the same fixed "now".
 */
import { createFieldCatalog, type RuleGroup } from '@minicrm/core';

export const NOW = new Date('2024-06-30T12:00:00.000Z');
export const DAY = 86_400_000;
export const CITIES = ['Mumbai', 'Delhi', 'Bengaluru', 'Pune', 'Chennai', 'Kolkata', 'Hyderabad', 'Jaipur'];
export const TAGS = ['vip', 'newsletter', 'wholesale', 'app-user', 'returning'];

export const catalog = createFieldCatalog({
  attributes: [
    { name: 'city', type: 'enum', options: CITIES },
    { name: 'tags', type: 'tags' },
  ],
});

/** Three OR branches of two conditions: numbers, dates (absolute and relative), a set and an array. */
export const RULES: RuleGroup = {
  combinator: 'or',
  rules: [
    {
      combinator: 'and',
      rules: [
        { field: 'totalSpend', operator: '>', value: 20000 },
        { field: 'lastOrderAt', operator: 'withinLast', value: { amount: 90, unit: 'days' } },
      ],
    },
    {
      combinator: 'and',
      rules: [
        { field: 'attributes.city', operator: 'in', value: ['Pune', 'Jaipur', 'Kolkata'] },
        { field: 'visits', operator: '>=', value: 10 },
      ],
    },
    {
      combinator: 'and',
      rules: [
        { field: 'attributes.tags', operator: 'hasAny', value: ['vip', 'wholesale'] },
        { field: 'createdAt', operator: 'before', value: '2023-01-01' },
      ],
    },
  ],
};
