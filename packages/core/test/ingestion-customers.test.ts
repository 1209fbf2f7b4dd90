import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../src/adapters/memory/index.js';
import { ValidationError } from '../src/errors.js';
import { upsertCustomers } from '../src/ingestion/customers.js';
import type { Storage } from '../src/ports/storage.js';
import { createArrayStorage, testDeps } from './support/array-storage.js';

async function all(storage: Storage) {
  return (await storage.customers.list({ limit: 1000 })).items;
}

async function validationError(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

const storages: [string, () => Storage][] = [
  ['array storage', createArrayStorage],
  ['memory storage', createMemoryStorage],
];

describe.each(storages)('upsertCustomers (%s)', (_name, makeStorage) => {
  it('creates then updates, keeping the baseline exact', async () => {
    const deps = testDeps(makeStorage());
    const first = await upsertCustomers(deps, [
      {
        id: 'c1',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        phone: '+44 (20) 7946-0000',
        totalSpend: '1234.56',
        visits: 3,
        lastVisitAt: '2024-05-01T10:00:00Z',
        createdAt: '2020-01-01',
        attributes: {
          age: 36,
          city: 'London',
          vip: true,
          birthday: '1815-12-10',
          tier: 'gold',
          tags: ['a', 'b'],
          extra: 'x',
        },
        subscriptions: { sms: false },
      },
      { id: 'c2', name: 'Grace' },
    ]);
    expect(first).toEqual({ created: ['c1', 'c2'], updated: [], rejected: [] });
    const c1 = await deps.storage.customers.get('c1');
    expect(c1).toMatchObject({
      id: 'c1',
      name: 'Ada Lovelace',
      phone: '+442079460000',
      totalSpend: 1234.56,
      totalSpendMinor: 123456,
      visits: 3,
      lastVisitAt: new Date('2024-05-01T10:00:00Z'),
      createdAt: new Date('2020-01-01T00:00:00Z'),
      subscriptions: { sms: false },
    });
    expect(c1?.attributes).toEqual({
      age: 36,
      city: 'London',
      vip: true,
      birthday: new Date('1815-12-10T00:00:00Z'),
      tier: 'gold',
      tags: ['a', 'b'],
      extra: 'x',
    });
    const second = await upsertCustomers(deps, { id: 'c1', name: 'Ada King' });
    expect(second).toEqual({ created: [], updated: ['c1'], rejected: [] });
    expect((await deps.storage.customers.get('c1'))?.name).toBe('Ada King');
  });

  it('refuses a bad batch listing every problem with its path, writing nothing', async () => {
    const deps = testDeps(makeStorage());
    await upsertCustomers(deps, { id: 'keep', name: 'Kept' });
    const before = await all(deps.storage);
    const error = await validationError(
      upsertCustomers(deps, [
        { id: 'ok', name: 'Fine' },
        { id: '', name: '', email: 'nope', phone: '12345', emial: 'typo' },
        { id: 'x', name: 'X', totalSpend: '1.234', visits: -1, orderCount: 1.5, lastVisitAt: 'yesterday' },
        {
          id: 'y',
          name: 'Y',
          attributes: {
            age: 'old',
            tier: 'bronze',
            vip: 'yes',
            birthday: '2024-02-31',
            tags: 'a',
            obj: { a: 1 },
          },
        },
        { id: 'ok', name: 'Dup' },
        { id: 'z', name: 'Z', subscriptions: { sms: 'no' }, attributes: { 'a.b': 1 } },
        'not an object',
      ]),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    const paths = error.problems.map((p) => JSON.stringify(p.path));
    expect(paths).toEqual(
      expect.arrayContaining([
        '[1,"id"]',
        '[1,"name"]',
        '[1,"email"]',
        '[1,"phone"]',
        '[1,"emial"]',
        '[2,"totalSpend"]',
        '[2,"visits"]',
        '[2,"orderCount"]',
        '[2,"lastVisitAt"]',
        '[3,"attributes","age"]',
        '[3,"attributes","tier"]',
        '[3,"attributes","vip"]',
        '[3,"attributes","birthday"]',
        '[3,"attributes","tags"]',
        '[3,"attributes","obj"]',
        '[4,"id"]',
        '[5,"subscriptions","sms"]',
        '[5,"attributes","a.b"]',
        '[6]',
      ]),
    );
    expect(error.problems.find((p) => p.path[1] === 'emial')?.code).toBe('unknown_field');
    expect(error.problems.find((p) => p.path[0] === 4)?.message).toContain('duplicate id "ok"');
    expect(await all(deps.storage)).toEqual(before);
  });

  it('with partial: true writes the valid items and reports the others by index', async () => {
    const deps = testDeps(makeStorage());
    const result = await upsertCustomers(
      deps,
      [
        { id: 'a', name: 'A' },
        { id: 'b' },
        { id: 'c', name: 'C', email: 'bad' },
        { id: 'a', name: 'A again' },
      ],
      { partial: true },
    );
    expect(result.created).toEqual(['a']);
    expect(result.rejected.map((r) => r.index)).toEqual([1, 2, 3]);
    expect(result.rejected[0]?.problems).toEqual([
      { path: [1, 'name'], code: 'invalid_type', message: 'is required' },
    ]);
    expect((await all(deps.storage)).map((c) => c.id)).toEqual(['a']);
  });

  it('uses paths without an index for a single object, and refuses non-objects', async () => {
    const deps = testDeps(makeStorage());
    const error = await validationError(upsertCustomers(deps, { id: 'a', name: 'A', phone: 'call me' }));
    expect(error.problems.map((p) => p.path)).toEqual([['phone']]);
    for (const input of [null, 42, 'x', undefined]) {
      const e = await validationError(upsertCustomers(deps, input));
      expect(e.problems[0]?.path).toEqual([]);
    }
    expect(await all(deps.storage)).toEqual([]);
  });

  it('treats null as absent and accepts an empty array', async () => {
    const deps = testDeps(makeStorage());
    expect(await upsertCustomers(deps, [])).toEqual({ created: [], updated: [], rejected: [] });
    await upsertCustomers(deps, { id: 'a', name: 'A', email: null, attributes: { city: null } });
    const a = await deps.storage.customers.get('a');
    expect(a?.email).toBeUndefined();
    expect(a?.attributes).toEqual({});
  });

  it('writes big batches in chunks of 1000', async () => {
    const storage = createArrayStorage();
    const deps = testDeps(storage);
    const input = Array.from({ length: 2500 }, (_, i) => ({ id: `c${i}`, name: `Customer ${i}` }));
    const result = await upsertCustomers(deps, input);
    expect(result.created).toHaveLength(2500);
    expect(storage.calls.upsertMany).toBe(3);
    expect(await storage.customers.size()).toBe(2500);
  });
});
