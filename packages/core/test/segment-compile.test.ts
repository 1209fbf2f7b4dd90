import { describe, expect, it } from 'vitest';
import type { Customer } from '../src/domain/customer.js';
import { ValidationError } from '../src/errors.js';
import { compileSegment } from '../src/segment/compile.js';
import { createFieldCatalog } from '../src/segment/create-catalog.js';
import { parseIsoDate } from '../src/segment/iso-date.js';
import { relativeLowerBound } from '../src/segment/relative-date.js';
import type { Condition, RuleGroup } from '../src/segment/types.js';

const catalog = createFieldCatalog({
  attributes: [
    { name: 'city', type: 'enum', options: ['Mumbai', 'Pune'] },
    { name: 'tags', type: 'tags' },
    { name: 'constructor-ish', type: 'string' },
    { name: 'valueOf2', type: 'number' },
  ],
});
const NOW = new Date('2024-03-31T12:00:00.000Z');

function customer(patch: Record<string, unknown>): Customer {
  return { id: 'c1', name: 'Asha', attributes: {}, subscriptions: {}, ...patch } as unknown as Customer;
}

function matches(rules: RuleGroup, c: Customer, now = NOW): boolean {
  const a = compileSegment(rules, { catalog, now })(c);
  const b = compileSegment(rules, { catalog, now, codegen: false })(c);
  expect(a).toBe(b);
  return a;
}

const one = (condition: Condition): RuleGroup => ({ combinator: 'and', rules: [condition] });

describe('compileSegment: the seed rules', () => {
  const bigSpender = one({ field: 'totalSpend', operator: '>', value: 10000 });
  const bigRare: RuleGroup = {
    combinator: 'and',
    rules: [
      { field: 'totalSpend', operator: '>', value: 10000 },
      { field: 'visits', operator: '<=', value: 3 },
    ],
  };
  const lapsed = one({
    field: 'lastVisitAt',
    operator: 'notWithinLast',
    value: { amount: 3, unit: 'months' },
  });

  it('total spend > 10,000', () => {
    expect(matches(bigSpender, customer({ totalSpend: 10000.01 }))).toBe(true);
    expect(matches(bigSpender, customer({ totalSpend: 10000 }))).toBe(false);
    expect(matches(bigSpender, customer({ totalSpend: '20000' }))).toBe(false);
    expect(matches(bigSpender, customer({}))).toBe(false);
  });

  it('spend > 10,000 AND visits <= 3', () => {
    expect(matches(bigRare, customer({ totalSpend: 20000, visits: 3 }))).toBe(true);
    expect(matches(bigRare, customer({ totalSpend: 20000, visits: 4 }))).toBe(false);
    expect(matches(bigRare, customer({ totalSpend: 20000, visits: null }))).toBe(false);
  });

  it('no visit in the last 3 months, including never visited', () => {
    const bound = Date.UTC(2023, 11, 31, 12);
    expect(relativeLowerBound(NOW, { amount: 3, unit: 'months' })).toBe(bound);
    expect(matches(lapsed, customer({}))).toBe(true);
    expect(matches(lapsed, customer({ lastVisitAt: null }))).toBe(true);
    expect(matches(lapsed, customer({ lastVisitAt: new Date(bound - 1) }))).toBe(true);
    expect(matches(lapsed, customer({ lastVisitAt: new Date(bound) }))).toBe(false);
    expect(matches(lapsed, customer({ lastVisitAt: NOW }))).toBe(false);
    expect(matches(lapsed, customer({ lastVisitAt: new Date(NOW.getTime() + 1) }))).toBe(true);
    expect(matches(lapsed, customer({ lastVisitAt: '2024-03-30' }))).toBe(true);
  });
});

describe('compileSegment: semantics', () => {
  it('negations are NOT of the positive, true for missing values', () => {
    const pairs: [Condition, Condition][] = [
      [
        { field: 'name', operator: '=', value: 'x' },
        { field: 'name', operator: '!=', value: 'x' },
      ],
      [
        { field: 'attributes.city', operator: 'in', value: ['Pune'] },
        { field: 'attributes.city', operator: 'notIn', value: ['Pune'] },
      ],
      [
        { field: 'email', operator: 'contains', value: '@' },
        { field: 'email', operator: 'notContains', value: '@' },
      ],
      [
        { field: 'email', operator: 'exists' },
        { field: 'email', operator: 'notExists' },
      ],
    ];
    for (const [pos, neg] of pairs) {
      for (const c of [
        customer({ name: undefined }),
        customer({ attributes: { city: 3 } }),
        customer({ email: 5 }),
      ]) {
        expect(matches(one(neg), c)).toBe(!matches(one(pos), c));
      }
      expect(matches(one(neg), customer({ name: null, email: null }))).toBe(true);
    }
  });

  it('between is inclusive, before/after strict, date-only is 00:00 UTC', () => {
    const between = one({ field: 'totalSpend', operator: 'between', value: [10, 20] });
    expect([9.99, 10, 20, 20.01].map((v) => matches(between, customer({ totalSpend: v })))).toEqual([
      false,
      true,
      true,
      false,
    ]);
    const midnight = Date.UTC(2024, 2, 1);
    const before = one({ field: 'createdAt', operator: 'before', value: '2024-03-01' });
    const after = one({ field: 'createdAt', operator: 'after', value: '2024-03-01' });
    const at = (t: number) => customer({ createdAt: new Date(t) });
    expect([midnight - 1, midnight, midnight + 1].map((t) => matches(before, at(t)))).toEqual([
      true,
      false,
      false,
    ]);
    expect([midnight - 1, midnight, midnight + 1].map((t) => matches(after, at(t)))).toEqual([
      false,
      false,
      true,
    ]);
    const dates = one({
      field: 'createdAt',
      operator: 'between',
      value: ['2024-03-01', '2024-03-02T00:00:00+01:00'],
    });
    expect(matches(dates, at(Date.UTC(2024, 2, 1, 23)))).toBe(true);
    expect(matches(dates, at(Date.UTC(2024, 2, 1, 23) + 1))).toBe(false);
    expect(matches(dates, customer({ createdAt: new Date(Number.NaN) }))).toBe(false);
  });

  it('numbers compare only with numbers', () => {
    const eq = one({ field: 'visits', operator: '=', value: 3 });
    const lt = one({ field: 'visits', operator: '<', value: 3 });
    expect(matches(eq, customer({ visits: '3' }))).toBe(false);
    expect(matches(lt, customer({ visits: null }))).toBe(false);
    expect(matches(lt, customer({ visits: '1' }))).toBe(false);
    expect(matches(lt, customer({ visits: Number.NaN }))).toBe(false);
    expect(matches(lt, customer({ visits: -0 }))).toBe(true);
  });

  it('strings are case-sensitive unless ignoreCase', () => {
    const c = customer({ name: 'Asha Rao' });
    expect(matches(one({ field: 'name', operator: 'startsWith', value: 'asha' }), c)).toBe(false);
    expect(matches(one({ field: 'name', operator: 'startsWith', value: 'ASHA', ignoreCase: true }), c)).toBe(
      true,
    );
    expect(matches(one({ field: 'name', operator: 'endsWith', value: 'RAO', ignoreCase: true }), c)).toBe(
      true,
    );
    expect(matches(one({ field: 'name', operator: '=', value: 'asha rao', ignoreCase: true }), c)).toBe(true);
    expect(
      matches(one({ field: 'name', operator: 'in', value: ['x', 'ASHA RAO'], ignoreCase: true }), c),
    ).toBe(true);
    expect(matches(one({ field: 'name', operator: 'in', value: ['x', 'ASHA RAO'] }), c)).toBe(false);
  });

  it('in with many values uses a set and still compares like =', () => {
    const values = Array.from({ length: 50 }, (_, i) => i);
    const rule = one({ field: 'visits', operator: 'in', value: values });
    expect(matches(rule, customer({ visits: 49 }))).toBe(true);
    expect(matches(rule, customer({ visits: '49' }))).toBe(false);
    expect(matches(one({ field: 'visits', operator: 'notIn', value: values }), customer({}))).toBe(true);
  });

  it('tags: has, hasAny, hasAll; exists holds for an empty array', () => {
    const c = customer({ attributes: { tags: ['vip', 'b2b'] } });
    expect(matches(one({ field: 'attributes.tags', operator: 'has', value: 'vip' }), c)).toBe(true);
    expect(matches(one({ field: 'attributes.tags', operator: 'hasAny', value: ['x', 'b2b'] }), c)).toBe(true);
    expect(matches(one({ field: 'attributes.tags', operator: 'hasAll', value: ['vip', 'x'] }), c)).toBe(
      false,
    );
    const many = Array.from({ length: 20 }, (_, i) => `t${i}`);
    expect(matches(one({ field: 'attributes.tags', operator: 'hasAny', value: [...many, 'b2b'] }), c)).toBe(
      true,
    );
    expect(
      matches(
        one({ field: 'attributes.tags', operator: 'has', value: 'vip' }),
        customer({ attributes: { tags: 'vip' } }),
      ),
    ).toBe(false);
    expect(
      matches(one({ field: 'attributes.tags', operator: 'exists' }), customer({ attributes: { tags: [] } })),
    ).toBe(true);
  });

  it('reads only own attributes, whatever the attribute name', () => {
    const odd = one({ field: 'attributes.constructor-ish', operator: 'exists' });
    expect(matches(odd, customer({ attributes: { 'constructor-ish': 'x' } }))).toBe(true);
    expect(matches(odd, customer({ attributes: {} }))).toBe(false);
    expect(matches(odd, customer({ attributes: null }))).toBe(false);
    expect(
      matches(one({ field: 'attributes.city', operator: 'notExists' }), customer({ attributes: 'Pune' })),
    ).toBe(true);
  });

  it('groups: and, or, not, nested', () => {
    const rules: RuleGroup = {
      combinator: 'or',
      rules: [
        { field: 'visits', operator: '>', value: 10 },
        { combinator: 'and', not: true, rules: [{ field: 'visits', operator: 'exists' }] },
      ],
    };
    expect(matches(rules, customer({ visits: 11 }))).toBe(true);
    expect(matches(rules, customer({ visits: 5 }))).toBe(false);
    expect(matches(rules, customer({}))).toBe(true);
    expect(matches({ ...rules, not: true }, customer({}))).toBe(false);
  });

  it('validates first and accepts rules read back with ISO strings', () => {
    expect(() => compileSegment(one({ field: 'nope', operator: 'exists' }), { catalog, now: NOW })).toThrow(
      ValidationError,
    );
    const stored = JSON.parse(
      JSON.stringify(one({ field: 'createdAt', operator: 'after', value: new Date('2024-01-01') })),
    );
    expect(matches(stored, customer({ createdAt: new Date('2024-01-02') }))).toBe(true);
  });

  it('never splices values into generated code', () => {
    const evil = "x'); throw new Error('pwned'); ('";
    const rule = one({ field: 'name', operator: 'contains', value: evil });
    expect(matches(rule, customer({ name: `a${evil}b` }))).toBe(true);
    expect(matches(rule, customer({ name: 'x' }))).toBe(false);
  });
});

describe('dates', () => {
  it('parses ISO 8601 strictly, UTC by default', () => {
    expect(parseIsoDate('2024-03-31')).toBe(Date.UTC(2024, 2, 31));
    expect(parseIsoDate('2024-03-31T10:00')).toBe(Date.UTC(2024, 2, 31, 10));
    expect(parseIsoDate('2024-03-31T10:00:00.5Z')).toBe(Date.UTC(2024, 2, 31, 10, 0, 0, 500));
    expect(parseIsoDate('2024-03-31T10:00:00+05:30')).toBe(Date.UTC(2024, 2, 31, 4, 30));
    expect(parseIsoDate('2024-03-31T10:00:00-0100')).toBe(Date.UTC(2024, 2, 31, 11));
    expect(parseIsoDate('0050-01-01')).toBe(new Date('0050-01-01T00:00:00Z').getTime());
    for (const bad of [
      '2024-02-30',
      '2023-02-29',
      '2024-13-01',
      '2024-03-31T24:00',
      '31/03/2024',
      'yesterday',
      '',
    ]) {
      expect(parseIsoDate(bad)).toBeNaN();
    }
  });

  it('months and years are calendar arithmetic with day-of-month clamping', () => {
    const bound = (iso: string, amount: number, unit: 'months' | 'years' | 'days') =>
      new Date(relativeLowerBound(new Date(iso), { amount, unit })).toISOString();
    expect(bound('2024-03-31T12:00:00.000Z', 1, 'months')).toBe('2024-02-29T12:00:00.000Z');
    expect(bound('2023-03-31T00:00:00.000Z', 1, 'months')).toBe('2023-02-28T00:00:00.000Z');
    expect(bound('2024-05-31T00:00:00.000Z', 3, 'months')).toBe('2024-02-29T00:00:00.000Z');
    expect(bound('2024-01-15T00:00:00.000Z', 13, 'months')).toBe('2022-12-15T00:00:00.000Z');
    expect(bound('2024-02-29T08:00:00.000Z', 1, 'years')).toBe('2023-02-28T08:00:00.000Z');
    expect(bound('2024-03-10T00:00:00.000Z', 7, 'days')).toBe('2024-03-03T00:00:00.000Z');
    expect(relativeLowerBound(NOW, { amount: Number.MAX_SAFE_INTEGER, unit: 'years' })).toBe(
      Number.NEGATIVE_INFINITY,
    );
  });
});
