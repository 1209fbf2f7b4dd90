import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors.js';
import { createFieldCatalog } from '../src/segment/create-catalog.js';
import { parseRules, validateRules } from '../src/segment/validate.js';

const catalog = createFieldCatalog({
  attributes: [
    { name: 'city', type: 'enum', options: ['Mumbai', 'Pune'] },
    { name: 'tags', type: 'tags' },
    { name: 'vipSince', type: 'date', operators: ['before', 'after', 'exists', 'notExists'] },
  ],
});

const and = (...rules: unknown[]) => ({ combinator: 'and', rules });
const codesAt = (input: unknown) => validateRules(input, catalog).map((p) => [p.path.join('.'), p.code]);

describe('validateRules: the seed rules', () => {
  it.each([
    ['total spend > 10,000', and({ field: 'totalSpend', operator: '>', value: 10000 })],
    [
      'spend > 10,000 AND visits <= 3',
      and(
        { field: 'totalSpend', operator: '>', value: 10000 },
        { field: 'visits', operator: '<=', value: 3 },
      ),
    ],
    [
      'no visit in the last 3 months',
      and({ field: 'lastVisitAt', operator: 'notWithinLast', value: { amount: 3, unit: 'months' } }),
    ],
  ])('%s validates', (_, rules) => {
    expect(validateRules(rules, catalog)).toEqual([]);
    expect(parseRules(rules, catalog)).toEqual(rules);
  });
});

describe('validateRules: valid trees', () => {
  it('accepts every operator family with its value shape', () => {
    const rules = {
      combinator: 'or',
      not: true,
      rules: [
        { field: 'name', operator: 'contains', value: 'an', ignoreCase: true },
        { field: 'email', operator: 'notEndsWith', value: '@example.com' },
        { field: 'id', operator: 'in', value: ['a', 'b'] },
        { field: 'totalSpend', operator: 'between', value: [10, 20] },
        { field: 'createdAt', operator: 'between', value: ['2024-01-01', new Date('2024-02-01T00:00:00Z')] },
        { field: 'lastOrderAt', operator: 'after', value: '2024-03-01T10:00:00+05:30' },
        { field: 'attributes.city', operator: 'notIn', value: ['Pune'] },
        { field: 'attributes.tags', operator: 'hasAll', value: ['vip', 'b2b'] },
        { field: 'attributes.tags', operator: 'has', value: 'vip' },
        { field: 'phone', operator: 'exists' },
        { field: 'phone', operator: 'notExists', value: null },
        { combinator: 'and', rules: [{ field: 'orderCount', operator: '!=', value: 0 }] },
      ],
    };
    expect(validateRules(rules, catalog)).toEqual([]);
  });

  it('normalizes dates to Date, drops defaults and never touches the input', () => {
    const input = and(
      { field: 'createdAt', operator: 'before', value: '2024-03-31' },
      {
        field: 'lastVisitAt',
        operator: 'between',
        value: ['2024-01-01T05:30:00+05:30', '2024-02-01T00:00:00Z'],
      },
      { field: 'name', operator: '=', value: 'x', ignoreCase: false },
      { field: 'phone', operator: 'exists', value: null },
    );
    const copy = structuredClone(input);
    const parsed = parseRules({ ...input, not: false }, catalog);
    expect(parsed).toEqual(
      and(
        { field: 'createdAt', operator: 'before', value: new Date(Date.UTC(2024, 2, 31)) },
        {
          field: 'lastVisitAt',
          operator: 'between',
          value: [new Date(Date.UTC(2024, 0, 1)), new Date(Date.UTC(2024, 1, 1))],
        },
        { field: 'name', operator: '=', value: 'x' },
        { field: 'phone', operator: 'exists' },
      ),
    );
    expect(input).toEqual(copy);
  });
});

describe('validateRules: problems with their paths', () => {
  it.each<[string, unknown, [string, string][]]>([
    ['root not an object', 'rules', [['', 'invalid_type']]],
    ['root is a condition', { field: 'visits', operator: '>', value: 1 }, [['', 'invalid_type']]],
    [
      'bad combinator',
      { combinator: 'xor', rules: [{ field: 'visits', operator: 'exists' }] },
      [['combinator', 'invalid_type']],
    ],
    ['missing rules', { combinator: 'and' }, [['rules', 'invalid_type']]],
    [
      'not a boolean',
      { combinator: 'and', not: 'yes', rules: [{ field: 'visits', operator: 'exists' }] },
      [['not', 'invalid_type']],
    ],
    ['empty group', and(), [['rules', 'empty_group']]],
    ['nested empty group', and(and()), [['rules.0.rules', 'empty_group']]],
    ['rule not an object', and(42), [['rules.0', 'invalid_type']]],
    [
      'unknown key',
      and({ field: 'visits', operator: 'exists', extra: 1 }),
      [['rules.0.extra', 'unknown_key']],
    ],
    [
      'unknown field',
      and({ field: 'shoeSize', operator: '=', value: 42 }),
      [['rules.0.field', 'unknown_field']],
    ],
    ['field not a string', and({ field: 7, operator: '=', value: 42 }), [['rules.0.field', 'invalid_type']]],
    [
      'unknown operator',
      and({ field: 'visits', operator: 'like', value: 1 }),
      [['rules.0.operator', 'unknown_operator']],
    ],
    [
      'operator not allowed for the type',
      and({ field: 'visits', operator: 'contains', value: '1' }),
      [['rules.0.operator', 'operator_not_allowed']],
    ],
    [
      'operator restricted by the declaration',
      and({ field: 'attributes.vipSince', operator: 'withinLast', value: { amount: 1, unit: 'days' } }),
      [['rules.0.operator', 'operator_not_allowed']],
    ],
    [
      'number expected',
      and({ field: 'totalSpend', operator: '>', value: '10000' }),
      [['rules.0.value', 'invalid_type']],
    ],
    [
      'infinite number',
      and({ field: 'totalSpend', operator: '>', value: Number.POSITIVE_INFINITY }),
      [['rules.0.value', 'invalid_type']],
    ],
    [
      'bad date string',
      and({ field: 'createdAt', operator: 'before', value: '2024-02-30' }),
      [['rules.0.value', 'invalid_type']],
    ],
    [
      'date as number',
      and({ field: 'createdAt', operator: 'after', value: 1700000000000 }),
      [['rules.0.value', 'invalid_type']],
    ],
    [
      'invalid Date',
      and({ field: 'createdAt', operator: 'after', value: new Date(Number.NaN) }),
      [['rules.0.value', 'invalid_type']],
    ],
    ['empty in list', and({ field: 'id', operator: 'in', value: [] }), [['rules.0.value', 'invalid_type']]],
    [
      'in element of wrong type',
      and({ field: 'visits', operator: 'notIn', value: [1, 'two'] }),
      [['rules.0.value.1', 'invalid_type']],
    ],
    [
      'hasAny not a list',
      and({ field: 'attributes.tags', operator: 'hasAny', value: 'vip' }),
      [['rules.0.value', 'invalid_type']],
    ],
    [
      'between not a pair',
      and({ field: 'visits', operator: 'between', value: [1] }),
      [['rules.0.value', 'invalid_type']],
    ],
    [
      'between min > max',
      and({ field: 'visits', operator: 'between', value: [5, 1] }),
      [['rules.0.value', 'invalid_range']],
    ],
    [
      'between date min > max',
      and({ field: 'createdAt', operator: 'between', value: ['2024-02-01', '2024-01-01'] }),
      [['rules.0.value', 'invalid_range']],
    ],
    [
      'relative not an object',
      and({ field: 'lastVisitAt', operator: 'withinLast', value: 3 }),
      [['rules.0.value', 'invalid_type']],
    ],
    [
      'relative amount and unit',
      and({ field: 'lastVisitAt', operator: 'notWithinLast', value: { amount: 1.5, unit: 'fortnights' } }),
      [
        ['rules.0.value.amount', 'invalid_value'],
        ['rules.0.value.unit', 'invalid_value'],
      ],
    ],
    [
      'relative zero amount',
      and({ field: 'lastVisitAt', operator: 'withinLast', value: { amount: 0, unit: 'days' } }),
      [['rules.0.value.amount', 'invalid_value']],
    ],
    [
      'value on exists',
      and({ field: 'email', operator: 'exists', value: true }),
      [['rules.0.value', 'unexpected_value']],
    ],
    [
      'enum value not an option',
      and({ field: 'attributes.city', operator: '=', value: 'Paris' }),
      [['rules.0.value', 'not_an_option']],
    ],
    [
      'enum list with a non-option',
      and({ field: 'attributes.city', operator: 'in', value: ['Pune', 'Paris'] }),
      [['rules.0.value.1', 'not_an_option']],
    ],
    [
      'empty needle',
      and({ field: 'name', operator: 'startsWith', value: '' }),
      [['rules.0.value', 'invalid_value']],
    ],
    [
      'ignoreCase on a number',
      and({ field: 'visits', operator: '=', value: 1, ignoreCase: true }),
      [['rules.0.ignoreCase', 'ignore_case_not_allowed']],
    ],
    [
      'ignoreCase on an enum',
      and({ field: 'attributes.city', operator: '=', value: 'Pune', ignoreCase: true }),
      [['rules.0.ignoreCase', 'ignore_case_not_allowed']],
    ],
    [
      'ignoreCase not a boolean',
      and({ field: 'name', operator: '=', value: 'a', ignoreCase: 'yes' }),
      [['rules.0.ignoreCase', 'invalid_type']],
    ],
  ])('%s', (_, input, expected) => {
    expect(codesAt(input)).toEqual(expected);
  });

  it('lists every problem of a tree at once, in input order', () => {
    const input = {
      combinator: 'and',
      rules: [
        { field: 'totalSpend', operator: '>', value: 'lots' },
        {
          combinator: 'or',
          rules: [
            { field: 'nope', operator: '=', value: 1 },
            { field: 'visits', operator: 'contains', value: 'x' },
            { combinator: 'and', rules: [] },
          ],
        },
        { field: 'lastVisitAt', operator: 'withinLast', value: { amount: -1, unit: 'days' } },
      ],
    };
    const problems = validateRules(input, catalog);
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      [['rules', 0, 'value'], 'invalid_type'],
      [['rules', 1, 'rules', 0, 'field'], 'unknown_field'],
      [['rules', 1, 'rules', 1, 'operator'], 'operator_not_allowed'],
      [['rules', 1, 'rules', 2, 'rules'], 'empty_group'],
      [['rules', 2, 'value', 'amount'], 'invalid_value'],
    ]);
    for (const p of problems) expect(p.message.length).toBeGreaterThan(5);
    expect(() => parseRules(input, catalog)).toThrow(ValidationError);
    try {
      parseRules(input, catalog);
    } catch (error) {
      expect((error as ValidationError).problems).toEqual(problems);
      expect((error as ValidationError).message).toContain('rules[1].rules[0].field');
      expect((error as ValidationError).message).toMatch(/^invalid segment rules: 5 problems/);
    }
  });

  it('refuses trees deeper than maxDepth', () => {
    let tree: unknown = and({ field: 'visits', operator: 'exists' });
    for (let i = 0; i < 10; i++) tree = and(tree);
    // 11 groups deep: the innermost group is at depth 11.
    const problems = validateRules(tree, catalog);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.code).toBe('too_deep');
    expect(problems[0]?.path).toHaveLength(20);
    expect(validateRules(tree, catalog, { maxDepth: 11 })).toEqual([]);
  });

  it('refuses more than maxConditions conditions, with one problem', () => {
    const rules = Array.from({ length: 12 }, () => ({ field: 'visits', operator: '>', value: 'x' }));
    const problems = validateRules(and(...rules), catalog, { maxConditions: 10 });
    expect(problems.filter((p) => p.code === 'too_many_conditions')).toEqual([
      { path: [], code: 'too_many_conditions', message: 'the rules have more than 10 conditions' },
    ]);
    expect(
      validateRules(and(...rules.slice(0, 2).map(() => ({ field: 'visits', operator: 'exists' }))), catalog, {
        maxConditions: 2,
      }),
    ).toEqual([]);
    expect(
      validateRules(
        and(...Array.from({ length: 501 }, () => ({ field: 'visits', operator: 'exists' }))),
        catalog,
      ).map((p) => p.code),
    ).toEqual(['too_many_conditions']);
  });
});
