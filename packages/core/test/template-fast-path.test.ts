import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AttributeValue, Customer } from '../src/domain/customer.js';
import { compileTemplate, renderWithLiquid } from '../src/template/compile.js';
import { testCatalog } from './support/array-storage.js';

const catalog = testCatalog();

const VARIABLES = [
  'customer.id',
  'customer.name',
  'customer.firstName',
  'customer.email',
  'customer.phone',
  'customer.totalSpend',
  'customer.orderCount',
  'customer.visits',
  'customer.firstOrderAt',
  'customer.lastOrderAt',
  'customer.lastVisitAt',
  'customer.createdAt',
  'customer.attributes.age',
  'customer.attributes.city',
  'customer.attributes.vip',
  'customer.attributes.birthday',
  'customer.attributes.tier',
  'customer.attributes.tags',
  'campaign.id',
  'campaign.name',
];

const text = fc.string({
  unit: fc.constantFrom('a', 'B', ' ', '\n', '\t', '-', '%', '}', 'é', '😀', '.', '"'),
  maxLength: 12,
});
const output = fc
  .record({
    variable: fc.constantFrom(...VARIABLES),
    trimLeft: fc.boolean(),
    trimRight: fc.boolean(),
    inner: fc.constantFrom('', ' ', '  '),
  })
  .map(
    ({ variable, trimLeft, trimRight, inner }) =>
      `{{${trimLeft ? '-' : ''}${inner}${variable}${inner}${trimRight ? '-' : ''}}}`,
  );
const template = fc
  .array(fc.tuple(text, output), { maxLength: 6 })
  .chain((parts) => text.map((tail) => parts.map(([t, o]) => t + o).join('') + tail));

const date = fc.date({
  min: new Date('1900-01-01T00:00:00Z'),
  max: new Date('2100-01-01T00:00:00Z'),
  noInvalidDate: true,
});
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const customer: fc.Arbitrary<Customer> = fc
  .record({
    id: fc.string({ minLength: 1 }),
    name: fc.string(),
    email: optional(fc.string()),
    phone: optional(fc.string()),
    totalSpend: fc.oneof(fc.integer(), fc.double({ noNaN: true })),
    orderCount: fc.nat(),
    visits: fc.nat(),
    firstOrderAt: optional(date),
    lastOrderAt: optional(date),
    lastVisitAt: optional(date),
    createdAt: date,
    attributes: fc.record(
      {
        age: fc.oneof(fc.integer(), fc.double()),
        city: fc.string(),
        vip: fc.boolean(),
        birthday: date,
        tier: fc.constantFrom('gold', 'silver'),
        tags: fc.array(fc.string()),
      },
      { requiredKeys: [] },
    ),
  })
  .map((c) => ({
    ...c,
    attributes: c.attributes as Record<string, AttributeValue>,
    subscriptions: {},
    totalSpendMinor: 0,
    baseline: { spendMinor: 0, orderCount: 0, visits: 0 },
    activity: { spendMinor: 0, orderCount: 0, visits: 0 },
    updatedAt: c.createdAt,
  }));

const campaign = fc.record({ id: fc.string(), name: fc.string() });

describe('template fast path', () => {
  it('renders exactly what liquidjs renders, for any text + {{ variable }} template', () => {
    fc.assert(
      fc.property(template, customer, campaign, (source, c, cmp) => {
        const compiled = compileTemplate(source, { catalog });
        expect(compiled.mode).toBe('fast');
        const context = { customer: c, campaign: cmp };
        expect(compiled.render(context)).toBe(renderWithLiquid(source, context));
      }),
      { numRuns: 2000 },
    );
  });
});
