import { type Customer, compileSegment, type RuleGroup } from '@minicrm/core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  customerArbitrary,
  NOWS,
  ruleTreeArbitrary,
  testCatalog,
  testFieldTypes,
} from '../../core/test/support/customer-arbitraries.js';
import { referenceEvaluate } from '../../core/test/support/segment-reference.js';
import { compileMongoFilter, encodeCustomer } from '../src/index.js';
import { mongoSource, mongoUrl, useDatabase } from './support/mongo.js';

const { db } = useDatabase('filter');
const customers = db.collection('customers');

/** Gives repeated ids a suffix, so every record can be stored (`c1`, `c1~1`, …). */
function uniqueIds(records: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const seen = new Map<string, number>();
  return records.map((r) => {
    const id = String(r.id);
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    return n === 0 ? r : { ...r, id: `${id}~${n}` };
  });
}

/** Stores `records` as the only customers. */
async function store(records: readonly Record<string, unknown>[]): Promise<void> {
  await customers.deleteMany({});
  if (records.length > 0) await customers.insertMany(records.map((r) => encodeCustomer(r)));
}

/** Ids MongoDB returns for the compiled filter, sorted. */
async function selectedByMongo(rules: RuleGroup, now: Date): Promise<string[]> {
  const filter = compileMongoFilter(rules, { catalog: testCatalog, now });
  const docs = await customers.find(filter, { projection: { _id: 1 } }).toArray();
  return docs.map((d) => String(d._id)).sort();
}

/** Ids core's compiled predicate selects, sorted (checked against the reference evaluator too). */
function selectedByCore(
  rules: RuleGroup,
  records: readonly Record<string, unknown>[],
  now: Date,
  checkReference = true,
): string[] {
  const predicate = compileSegment(rules, { catalog: testCatalog, now });
  const ids = records.filter((r) => predicate(r as unknown as Customer)).map((r) => String(r.id));
  const reference = records
    .filter((r) => referenceEvaluate(rules, r, testFieldTypes, now))
    .map((r) => String(r.id));
  if (checkReference) expect(ids, 'core agrees with the reference evaluator').toEqual(reference);
  return ids.sort();
}

describe.skipIf(mongoUrl === '')(`compileMongoFilter on ${mongoSource}`, () => {
  it('selects exactly what compileSegment selects, for random rules × random customers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(customerArbitrary, { minLength: 1, maxLength: 25 }),
        fc.array(ruleTreeArbitrary(3), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...NOWS),
        async (raw, trees, now) => {
          const records = uniqueIds(raw);
          await store(records);
          for (const tree of trees) {
            const rules = tree as unknown as RuleGroup;
            expect(await selectedByMongo(rules, now), JSON.stringify(rules)).toEqual(
              selectedByCore(rules, records, now),
            );
          }
        },
      ),
      {
        numRuns: Number(process.env.MONGO_FILTER_RUNS ?? 100),
        seed: Number(process.env.MONGO_FILTER_SEED ?? 20260101),
      },
    );
  });

  describe('targeted cases', () => {
    const now = new Date('2024-03-31T12:00:00.000Z');
    const monthAgo = Date.UTC(2024, 1, 29, 12); // 31 March − 1 month, clamped
    const records: Record<string, unknown>[] = [
      {
        id: 'full',
        name: 'Ana',
        email: 'ana@x.com',
        totalSpend: 12000,
        visits: 2,
        lastVisitAt: new Date(monthAgo),
        attributes: {
          city: 'Pune',
          tags: ['vip', 'new'],
          active: true,
          note: 'Hello World',
          score: 5,
          birthday: new Date(Date.UTC(1990, 4, 1)),
        },
      },
      {
        id: 'arrays',
        name: ['Ana'],
        totalSpend: [12000],
        visits: [2],
        lastVisitAt: [new Date(monthAgo)],
        attributes: { city: ['Pune'], tags: 'vip', active: [true], note: ['Hello World'], score: [5] },
      },
      {
        id: 'nulls',
        name: null,
        totalSpend: null,
        visits: null,
        lastVisitAt: null,
        attributes: { city: null, tags: null, active: null, note: null },
      },
      { id: 'missing', attributes: {} },
      {
        id: 'wrong',
        name: 12,
        totalSpend: '12000',
        visits: '2',
        lastVisitAt: '2024-03-01',
        attributes: {
          city: 1,
          tags: ['vip', 3],
          active: 'true',
          note: 5,
          score: '5',
          birthday: Date.UTC(1990, 4, 1),
        },
      },
      {
        id: 'odd',
        totalSpend: Number.NaN,
        lastVisitAt: new Date(Number.NaN),
        attributes: { tags: [], note: 'hello\nworld', score: {} },
      },
      { id: 'edge-before', lastVisitAt: new Date(monthAgo - 1), attributes: { note: 'a.b*c', tags: [null] } },
      { id: 'edge-now', lastVisitAt: new Date(now.getTime()), attributes: { note: 'HELLO world' } },
      { id: 'future', lastVisitAt: new Date(now.getTime() + 1), attributes: { note: 'x\nHello' } },
    ];
    beforeAll(() => store(records));

    const cases: [string, RuleGroup][] = [];
    const cond = (field: string, operator: string, value?: unknown, ignoreCase?: boolean) =>
      ({
        combinator: 'and',
        rules: [
          {
            field,
            operator,
            ...(value === undefined ? {} : { value }),
            ...(ignoreCase ? { ignoreCase } : {}),
          },
        ],
      }) as RuleGroup;
    for (const op of ['=', '!='])
      cases.push(
        [`name ${op}`, cond('name', op, 'Ana')],
        [`active ${op}`, cond('attributes.active', op, true)],
        [`totalSpend ${op}`, cond('totalSpend', op, 12000)],
      );
    for (const op of ['<', '<=', '>', '>='])
      cases.push(
        [`totalSpend ${op}`, cond('totalSpend', op, 12000)],
        [`visits ${op}`, cond('visits', op, 2)],
      );
    cases.push(
      ['between number', cond('totalSpend', 'between', [0, 12000])],
      ['between date', cond('lastVisitAt', 'between', ['2024-02-29T12:00:00Z', '2024-03-31T12:00:00Z'])],
    );
    for (const op of ['in', 'notIn'])
      cases.push(
        [`city ${op}`, cond('attributes.city', op, ['Pune', 'Delhi'])],
        [`note ${op} ic`, cond('attributes.note', op, ['hello world'], true)],
      );
    for (const op of ['contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith']) {
      cases.push(
        [`note ${op}`, cond('attributes.note', op, 'Hello')],
        [`note ${op} ic`, cond('attributes.note', op, 'hello', true)],
        [`note ${op} meta`, cond('attributes.note', op, 'a.b*')],
      );
    }
    cases.push(
      ['note = ic', cond('attributes.note', '=', 'hello world', true)],
      ['id startsWith', cond('id', 'startsWith', 'edge')],
    );
    cases.push(
      ['has', cond('attributes.tags', 'has', 'vip')],
      ['hasAny', cond('attributes.tags', 'hasAny', ['new', 'x'])],
      ['hasAll', cond('attributes.tags', 'hasAll', ['vip', 'new'])],
    );
    for (const f of [
      'name',
      'totalSpend',
      'lastVisitAt',
      'attributes.tags',
      'attributes.score',
      'attributes.note',
    ])
      cases.push([`${f} exists`, cond(f, 'exists')], [`${f} notExists`, cond(f, 'notExists')]);
    cases.push(
      ['before', cond('lastVisitAt', 'before', new Date(monthAgo))],
      ['after', cond('lastVisitAt', 'after', new Date(monthAgo))],
      ['birthday before', cond('attributes.birthday', 'before', '2000-01-01')],
    );
    for (const unit of ['days', 'months', 'years'])
      cases.push(
        [`withinLast 1 ${unit}`, cond('lastVisitAt', 'withinLast', { amount: 1, unit })],
        [`notWithinLast 1 ${unit}`, cond('lastVisitAt', 'notWithinLast', { amount: 1, unit })],
      );
    cases.push([
      'not group',
      {
        combinator: 'or',
        not: true,
        rules: [
          { field: 'totalSpend', operator: '>', value: 1 },
          { field: 'visits', operator: '=', value: 2 },
        ],
      },
    ]);

    it.each(cases)('%s', async (_name, rules) => {
      expect(await selectedByMongo(rules, now)).toEqual(selectedByCore(rules, records, now));
    });

    it('a relative date reaching before the earliest representable date means "since the beginning of time"', async () => {
      // The test reference evaluator does not model this bound (Date.UTC gives NaN there), so only core is compared.
      const rules = cond('lastVisitAt', 'withinLast', { amount: 1_000_000, unit: 'years' });
      expect(await selectedByMongo(rules, now)).toEqual(selectedByCore(rules, records, now, false));
      expect(await selectedByMongo(rules, now)).toEqual(['edge-before', 'edge-now', 'full']);
    });

    it('reads the boundaries of relative dates like core', async () => {
      const within = await selectedByMongo(
        cond('lastVisitAt', 'withinLast', { amount: 1, unit: 'months' }),
        now,
      );
      expect(within).toEqual(['edge-now', 'full']);
      const never = await selectedByMongo(
        cond('lastVisitAt', 'notWithinLast', { amount: 1, unit: 'months' }),
        now,
      );
      expect(never).toEqual(['arrays', 'edge-before', 'future', 'missing', 'nulls', 'odd', 'wrong']);
    });

    it('keeps arrays and scalars apart', async () => {
      expect(await selectedByMongo(cond('name', '=', 'Ana'), now)).toEqual(['full']);
      expect(await selectedByMongo(cond('attributes.tags', 'has', 'vip'), now)).toEqual(['full', 'wrong']);
      expect(await selectedByMongo(cond('totalSpend', '!=', 12000), now)).not.toContain('full');
      expect(await selectedByMongo(cond('totalSpend', '!=', 12000), now)).toContain('arrays');
    });

    it('refuses invalid rules with a ValidationError', () => {
      expect(() => compileMongoFilter(cond('nope', '=', 1), { catalog: testCatalog, now })).toThrow(
        /unknown field/,
      );
    });
  });
});
