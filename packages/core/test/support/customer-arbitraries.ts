/**
 * fast-check generators for customers and segment rule trees, shared by the segment tests and by
 * any evaluator that must agree with them (e.g. the MongoDB filter compiler).
 *
 * Values come from small pools shared by customers and rules, so conditions match often, and the
 * customers include missing fields, `null`, wrong stored types and dates right at the boundaries of
 * the rules' absolute and relative dates.
 */
import fc from 'fast-check';
import type { AttributeDeclaration, FieldCatalog, FieldType } from '../../src/segment/catalog.js';
import { createFieldCatalog } from '../../src/segment/create-catalog.js';
import { IGNORE_CASE_OPERATORS } from '../../src/segment/value-rules.js';
import { referenceLowerBound } from './segment-reference.js';

/** Custom attributes of {@link testCatalog}: one of each field type. */
export const TEST_ATTRIBUTES: readonly AttributeDeclaration[] = [
  { name: 'city', type: 'enum', options: ['Mumbai', 'Pune', 'Delhi'] },
  { name: 'tags', type: 'tags' },
  { name: 'active', type: 'boolean' },
  { name: 'birthday', type: 'date' },
  { name: 'note', type: 'string' },
  { name: 'score', type: 'number' },
];

/** Built-in fields plus {@link TEST_ATTRIBUTES}. */
export const testCatalog: FieldCatalog = createFieldCatalog({ attributes: TEST_ATTRIBUTES });

/** Field types by field name, for the reference evaluator. */
export const testFieldTypes: Readonly<Record<string, string>> = Object.fromEntries(
  testCatalog.fields.map((f) => [f.name, f.type]),
);

/** Instants `now` is drawn from: month ends (day-of-month clamping), a leap day, a year end. */
export const NOWS: readonly Date[] = [
  new Date('2024-03-31T12:00:00.000Z'),
  new Date('2024-02-29T00:00:00.000Z'),
  new Date('2023-12-31T23:59:59.999Z'),
  new Date('2025-05-31T06:30:00.000Z'),
];

/** Durations relative date rules use. */
export const DURATIONS = [
  { amount: 1, unit: 'minutes' },
  { amount: 90, unit: 'minutes' },
  { amount: 6, unit: 'hours' },
  { amount: 1, unit: 'days' },
  { amount: 30, unit: 'days' },
  { amount: 2, unit: 'weeks' },
  { amount: 1, unit: 'months' },
  { amount: 3, unit: 'months' },
  { amount: 13, unit: 'months' },
  { amount: 1, unit: 'years' },
] as const;

/** Absolute dates rules use (midnights, so they can be written date-only). */
export const ABSOLUTE_DATES: readonly number[] = [
  Date.UTC(2023, 0, 1),
  Date.UTC(2024, 1, 29),
  Date.UTC(2024, 2, 1),
  Date.UTC(2024, 11, 31),
];

const NUMBERS = [-1, 0, 0.5, 1, 2, 3, 5, 10, 100, 9999.99, 10000, 10000.01, 1e6];
const STRINGS = [
  'a',
  'A',
  'ab',
  'Ab',
  'abc',
  'ABC',
  'bc',
  'Mumbai',
  'mumbai',
  'MUMBAI',
  'Pune',
  'x@y.com',
  'Straße',
  'É',
];
const TAGS = ['vip', 'VIP', 'new', 'churned', 'b2b'];
const CITIES = ['Mumbai', 'Pune', 'Delhi'];
const DAY = 86_400_000;

/** Instants right at, just before and just after every bound a rule can have, for every `now`. */
export const BOUNDARY_INSTANTS: readonly number[] = (() => {
  const out = new Set<number>();
  const near = (t: number) => {
    for (const d of [-DAY, -1, 0, 1, DAY]) out.add(t + d);
  };
  for (const now of NOWS) {
    near(now.getTime());
    for (const d of DURATIONS) near(referenceLowerBound(now, d.amount, d.unit));
  }
  for (const t of ABSOLUTE_DATES) near(t);
  return [...out].sort((a, b) => a - b);
})();

const instant = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...BOUNDARY_INSTANTS) },
  { weight: 1, arbitrary: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2026, 0, 1) }) },
);

/** A value of the right stored type for a field type. */
export function goodValue(type: FieldType): fc.Arbitrary<unknown> {
  switch (type) {
    case 'number':
      return fc.oneof(fc.constantFrom(...NUMBERS), fc.double({ min: -1e7, max: 1e7, noNaN: true }));
    case 'string':
      return fc.oneof(fc.constantFrom(...STRINGS, ''), fc.string({ maxLength: 6 }));
    case 'enum':
      return fc.constantFrom(...CITIES, 'mumbai', 'Chennai');
    case 'boolean':
      return fc.boolean();
    case 'date':
      return instant.map((t) => new Date(t));
    case 'tags':
      return fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 4 });
  }
}

/** A present value of a wrong stored type (or an odd one: NaN, an invalid Date, mixed arrays). */
export const wrongValue: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  '12',
  '10000',
  12,
  Number.NaN,
  true,
  false,
  '',
  [],
  ['vip', 3],
  ['Mumbai'],
  {},
  new Date(Date.UTC(2024, 2, 1)),
  new Date(Number.NaN),
  '2024-03-01',
  Date.UTC(2024, 2, 1),
  'Mumbai',
  'vip',
);

/** A field value as it might be stored: mostly well-typed, sometimes null, undefined or wrong. */
export function storedValue(type: FieldType): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: goodValue(type) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: wrongValue },
  );
}

function optionalRecord(shape: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(shape, { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>;
}

/**
 * A customer-like record for evaluation: any built-in field or attribute may be missing, `null` or
 * of the wrong type. `id` and `attributes` are always present (attributes is always an object).
 */
export const customerArbitrary: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    id: fc.constantFrom('c1', 'c2', 'ab', 'A'),
    fields: optionalRecord(
      Object.fromEntries(
        testCatalog.fields
          .filter((f) => f.builtIn && f.name !== 'id')
          .map((f) => [f.name, storedValue(f.type)]),
      ),
    ),
    attributes: optionalRecord(Object.fromEntries(TEST_ATTRIBUTES.map((a) => [a.name, storedValue(a.type)]))),
  })
  .map(({ id, fields, attributes }) => ({ id, ...fields, attributes, subscriptions: {} }));

/** A date as a rule value: a `Date`, a `Z` string, an offset string, or date-only at midnight. */
function ruleDate(t: number): fc.Arbitrary<unknown> {
  const iso = new Date(t).toISOString();
  const options: fc.Arbitrary<unknown>[] = [fc.constant(new Date(t)), fc.constant(iso)];
  // The same instant written in +05:30.
  const shifted = new Date(t + 330 * 60_000).toISOString().slice(0, 23);
  options.push(fc.constant(`${shifted}+05:30`));
  if (t % DAY === 0) options.push(fc.constant(iso.slice(0, 10)));
  return fc.oneof(...options);
}

const ruleInstant = fc.constantFrom(...ABSOLUTE_DATES, ...BOUNDARY_INSTANTS);

function ruleScalar(type: FieldType): fc.Arbitrary<unknown> {
  switch (type) {
    case 'number':
      return fc.constantFrom(...NUMBERS);
    case 'string':
      return fc.constantFrom(...STRINGS);
    case 'enum':
      return fc.constantFrom(...CITIES);
    case 'boolean':
      return fc.boolean();
    case 'date':
      return ruleInstant.chain(ruleDate);
    case 'tags':
      return fc.constantFrom(...TAGS);
  }
}

/** A valid value for `operator` on a field of `type`. */
export function ruleValue(type: FieldType, operator: string): fc.Arbitrary<unknown> {
  switch (operator) {
    case 'exists':
    case 'notExists':
      return fc.constant(undefined);
    case 'in':
    case 'notIn':
    case 'hasAny':
    case 'hasAll':
      return fc.uniqueArray(ruleScalar(type), { minLength: 1, maxLength: 10, selector: (v) => String(v) });
    case 'between':
      if (type === 'date') {
        return fc
          .tuple(ruleInstant, ruleInstant)
          .chain(([a, b]) => fc.tuple(ruleDate(Math.min(a, b)), ruleDate(Math.max(a, b))));
      }
      return fc
        .tuple(fc.constantFrom(...NUMBERS), fc.constantFrom(...NUMBERS))
        .map(([a, b]) => [Math.min(a, b), Math.max(a, b)]);
    case 'withinLast':
    case 'notWithinLast':
      return fc.constantFrom(...DURATIONS).map((d) => ({ ...d }));
    default:
      return ruleScalar(type);
  }
}

const IGNORE_CASE_OPS: ReadonlySet<string> = IGNORE_CASE_OPERATORS;

/** A valid condition on one of {@link testCatalog}'s fields. */
export const conditionArbitrary: fc.Arbitrary<Record<string, unknown>> = fc
  .constantFrom(...testCatalog.fields)
  .chain((field) => fc.constantFrom(...field.operators).map((operator) => ({ field, operator })))
  .chain(({ field, operator }) =>
    fc
      .record({
        value: ruleValue(field.type, operator),
        ignoreCase:
          field.type === 'string' && IGNORE_CASE_OPS.has(operator) ? fc.boolean() : fc.constant(false),
      })
      .map(({ value, ignoreCase }) => ({
        field: field.name,
        operator,
        ...(value === undefined ? {} : { value }),
        ...(ignoreCase ? { ignoreCase: true } : {}),
      })),
  );

/** A valid rule tree (groups up to `maxDepth` deep, possibly negated) over {@link testCatalog}. */
export function ruleTreeArbitrary(maxDepth = 4): fc.Arbitrary<Record<string, unknown>> {
  const { tree } = fc.letrec<{ tree: Record<string, unknown>; rule: Record<string, unknown> }>((tie) => ({
    tree: fc.record({
      combinator: fc.constantFrom('and', 'or'),
      not: fc.boolean(),
      rules: fc.array(tie('rule'), { minLength: 1, maxLength: 4 }),
    }),
    rule: fc.oneof({ depthSize: 'small', maxDepth }, conditionArbitrary, tie('tree')),
  }));
  return tree;
}
