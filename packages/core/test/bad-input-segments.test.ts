/**
 * Bad input on the segment entry points: `segments.create`, `update`, `delete`, `preview`, `count`.
 * Rule problems carry their full path in the tree (`rules.rules[1].rules[0].value`); nothing is saved.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  createMiniCrm,
  formatPath,
  ManualClock,
  type MiniCrm,
  NotFoundError,
  ValidationError,
} from '../src/index.js';
import { pairs, rejection, sorted } from './support/problems.js';

const GOOD = { combinator: 'and', rules: [{ field: 'visits', operator: '>=', value: 1 }] };

/** A tree with a problem at every level, each at a known path. */
const BAD_TREE = {
  combinator: 'xor',
  rules: [
    { field: 'visits', operator: '>', value: 'three' },
    {
      combinator: 'and',
      rules: [
        { field: 'nope', operator: '=', value: 1 },
        { field: 'totalSpend', operator: 'contains', value: 'x' },
        { field: 'lastVisitAt', operator: 'withinLast', value: { amount: -1, unit: 'fortnights' } },
        { field: 'attributes.tier', operator: '=', value: 'bronze' },
        { field: 'name', operator: 'like', value: 'A%' },
      ],
    },
    { combinator: 'or', rules: [] },
    5,
    { field: 'visits', operator: '=', value: 1, ignoreCase: true, extra: 1 },
  ],
};

/** The problems of {@link BAD_TREE}, relative to the tree's root. */
const BAD_TREE_PROBLEMS: [string, string][] = [
  ['combinator', 'invalid_type'],
  ['rules[0].value', 'invalid_type'],
  ['rules[1].rules[0].field', 'unknown_field'],
  ['rules[1].rules[1].operator', 'operator_not_allowed'],
  ['rules[1].rules[2].value.amount', 'invalid_value'],
  ['rules[1].rules[2].value.unit', 'invalid_value'],
  ['rules[1].rules[3].value', 'not_an_option'],
  ['rules[1].rules[4].operator', 'unknown_operator'],
  ['rules[2].rules', 'empty_group'],
  ['rules[3]', 'invalid_type'],
  ['rules[4].extra', 'unknown_key'],
  ['rules[4].ignoreCase', 'ignore_case_not_allowed'],
];

const under = (prefix: string, list: [string, string][]): [string, string][] =>
  list.map(([path, code]): [string, string] => [`${prefix}.${path}`, code]);

let crm: MiniCrm;

async function segmentsNow() {
  return (await crm.segments.list({ limit: 100 })).items;
}

beforeEach(async () => {
  crm = createMiniCrm({
    clock: new ManualClock(Date.parse('2026-03-01T00:00:00Z')),
    attributes: [{ name: 'tier', type: 'enum', options: ['gold', 'silver'] }],
  });
  await crm.customers.upsert([
    { id: 'c1', name: 'Ada', visits: 2 },
    { id: 'c2', name: 'Bo', visits: 0 },
  ]);
  await crm.segments.create({ id: 'seg1', name: 'Visitors', rules: GOOD });
});

describe('segments.create', () => {
  it('lists every problem of the input and of the rule tree, with nested paths; saves nothing', async () => {
    const before = await segmentsNow();
    const error = await rejection(
      crm.segments.create({ id: 'bad id!', name: '  ', description: 7, rules: BAD_TREE }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(error.problems)).toEqual(
      sorted([
        ['id', 'invalid_format'],
        ['name', 'too_small'],
        ['description', 'invalid_type'],
        ...under('rules', BAD_TREE_PROBLEMS),
      ]),
    );
    expect(await segmentsNow()).toEqual(before);
  });

  it.each([
    ['no rules', { name: 'x' }, [['rules', 'invalid_type']]],
    ['rules not a group', { name: 'x', rules: [GOOD] }, [['rules', 'invalid_type']]],
    ['null', null, [['(root)', 'invalid_type']]],
    ['an array', [], [['(root)', 'invalid_type']]],
    ['too deep', { name: 'x', rules: nest(12) }, [[`rules${'.rules[0]'.repeat(10)}`, 'too_deep']]],
  ] as [string, unknown, [string, string][]][])('refuses %s', async (_label, input, expected) => {
    const before = await segmentsNow();
    const error = await rejection(crm.segments.create(input), ValidationError, 'VALIDATION_FAILED');
    expect(pairs(error.problems)).toEqual(sorted(expected));
    expect(await segmentsNow()).toEqual(before);
  });

  it('refuses an id already taken (ConflictError), keeping the existing segment', async () => {
    const before = await segmentsNow();
    await rejection(
      crm.segments.create({ id: 'seg1', name: 'Other', rules: GOOD }),
      ConflictError,
      'CONFLICT',
    );
    expect(await segmentsNow()).toEqual(before);
  });

  it('reports each unknown key at its own path', async () => {
    const error = await rejection(
      crm.segments.create({ name: 'x', rules: GOOD, colour: 'red', owner: 'me' }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(error.problems.map((p) => formatPath(p.path)).sort()).toEqual(['colour', 'owner']);
  });
});

function nest(depth: number): unknown {
  let tree: unknown = { field: 'visits', operator: '>', value: 0 };
  for (let i = 0; i < depth; i++) tree = { combinator: 'and', rules: [tree] };
  return tree;
}

describe('segments.update', () => {
  it('a bad patch lists every problem (nested rule paths) and leaves the segment as it was', async () => {
    const before = await segmentsNow();
    const error = await rejection(
      crm.segments.update('seg1', {
        name: '',
        rules: {
          combinator: 'and',
          rules: [
            GOOD.rules[0],
            { combinator: 'or', rules: [{ field: 'visits', operator: 'between', value: [5] }] },
          ],
        },
      }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(error.problems)).toEqual(
      sorted([
        ['name', 'too_small'],
        ['rules.rules[1].rules[0].value', 'invalid_type'],
      ]),
    );
    expect(await segmentsNow()).toEqual(before);
    expect((await crm.segments.get('seg1'))?.version).toBe(1);
  });

  it('an unknown id is NotFoundError; a stale version is ConflictError; neither changes anything', async () => {
    const before = await segmentsNow();
    const missing = await rejection(crm.segments.update('ghost', { name: 'N' }), NotFoundError, 'NOT_FOUND');
    expect([missing.entity, missing.id]).toEqual(['segment', 'ghost']);
    await rejection(
      crm.segments.update('seg1', { name: 'N' }, { expectedVersion: 7 }),
      ConflictError,
      'CONFLICT',
    );
    expect(await segmentsNow()).toEqual(before);
  });
});

describe('segments.delete', () => {
  it('an unknown id is NotFoundError and deletes nothing', async () => {
    const before = await segmentsNow();
    const error = await rejection(crm.segments.delete('ghost'), NotFoundError, 'NOT_FOUND');
    expect([error.entity, error.id]).toEqual(['segment', 'ghost']);
    expect(await segmentsNow()).toEqual(before);
  });
});

describe('segments.preview and segments.count', () => {
  it('report every problem of the rule tree with paths from its root', async () => {
    for (const call of [(r: unknown) => crm.segments.preview(r), (r: unknown) => crm.segments.count(r)]) {
      const error = await rejection(() => call(BAD_TREE), ValidationError, 'VALIDATION_FAILED');
      expect(pairs(error.problems)).toEqual(sorted(BAD_TREE_PROBLEMS));
      const root = await rejection(() => call('visits > 3'), ValidationError, 'VALIDATION_FAILED');
      expect(pairs(root.problems)).toEqual([['(root)', 'invalid_type']]);
    }
    expect(await segmentsNow()).toHaveLength(1);
    expect(await crm.segments.count(GOOD)).toBe(1);
  });

  it('methods returning a promise report bad input as a rejection, never a synchronous throw', async () => {
    const calls: [string, () => Promise<unknown>][] = [
      ['segments.count', () => crm.segments.count(BAD_TREE)],
      ['customers.list', () => crm.customers.list({ limit: 0 })],
      ['campaigns.list', () => crm.campaigns.list({ limit: 0 })],
    ];
    const thrown: string[] = [];
    for (const [name, call] of calls) {
      let result: Promise<unknown> | undefined;
      try {
        result = call();
      } catch {
        thrown.push(name);
      }
      await result?.catch(() => undefined);
    }
    expect(thrown).toEqual([]);
  });

  it('a bad sampleSize is a ValidationError at path sampleSize', async () => {
    const error = await rejection(
      crm.segments.preview(GOOD, { sampleSize: -1 }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(error.problems)).toEqual([['sampleSize', 'out_of_range']]);
  });
});

describe('segments.list', () => {
  it('a limit out of range is a ValidationError at path limit', async () => {
    for (const limit of [0, -1, 1.5]) {
      const error = await rejection(crm.segments.list({ limit }), ValidationError, 'VALIDATION_FAILED');
      expect(pairs(error.problems)).toEqual([['limit', 'out_of_range']]);
    }
  });
});
