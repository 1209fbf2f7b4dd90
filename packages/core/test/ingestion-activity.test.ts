import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../src/adapters/memory/index.js';
import { ValidationError } from '../src/errors.js';
import { upsertCustomers } from '../src/ingestion/customers.js';
import { ingestEvents } from '../src/ingestion/events.js';
import { ingestOrders } from '../src/ingestion/orders.js';
import type { Storage } from '../src/ports/storage.js';
import { createArrayStorage, testDeps } from './support/array-storage.js';

async function validationError(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

async function snapshot(storage: Storage) {
  const customers = (await storage.customers.list({ limit: 1000 })).items;
  const orders = await Promise.all(customers.map((c) => storage.activity.listOrders(c.id, { limit: 1000 })));
  const events = await Promise.all(customers.map((c) => storage.activity.listEvents(c.id, { limit: 1000 })));
  return { customers, orders, events };
}

const storages: [string, () => Storage][] = [
  ['array storage', createArrayStorage],
  ['memory storage', createMemoryStorage],
];

describe.each(storages)('ingestOrders (%s)', (_name, makeStorage) => {
  async function setup() {
    const deps = testDeps(makeStorage());
    await upsertCustomers(deps, [
      { id: 'c1', name: 'Ada', totalSpend: 100, orderCount: 2, lastOrderAt: '2023-01-01T00:00:00Z' },
      { id: 'c2', name: 'Grace' },
    ]);
    return deps;
  }

  it('adds orders to the baseline, exactly, and is idempotent by id', async () => {
    const deps = await setup();
    const orders = [
      { id: 'o1', customerId: 'c1', amount: 0.1, createdAt: '2024-01-01T00:00:00Z' },
      {
        id: 'o2',
        customerId: 'c1',
        amount: '0.2',
        currency: 'usd',
        createdAt: new Date('2024-02-01T00:00:00Z'),
      },
      { id: 'o3', customerId: 'c2', amount: 5, createdAt: '2024-03-01' },
    ];
    expect(await ingestOrders(deps, orders)).toEqual({
      applied: ['o1', 'o2', 'o3'],
      duplicates: [],
      rejected: [],
    });
    expect(await ingestOrders(deps, [...orders, orders[0]])).toEqual({
      applied: [],
      duplicates: ['o1', 'o1', 'o2', 'o3'], // the repeat within the call, then the three seen before
      rejected: [],
    });
    const c1 = await deps.storage.customers.get('c1');
    expect(c1).toMatchObject({
      totalSpend: 100.3,
      totalSpendMinor: 10030,
      orderCount: 4,
      firstOrderAt: new Date('2024-01-01T00:00:00Z'),
      lastOrderAt: new Date('2024-02-01T00:00:00Z'),
    });
    const page = await deps.storage.activity.listOrders('c1', { limit: 10 });
    expect(page.items.find((o) => o.id === 'o2')).toMatchObject({
      amountMinor: 20,
      amount: 0.2,
      currency: 'USD',
    });
  });

  it('keeps thousands of 0.1 orders exact', async () => {
    const deps = await setup();
    const orders = Array.from({ length: 20_000 }, (_, i) => ({
      id: `o${i}`,
      customerId: 'c2',
      amount: 0.1,
      createdAt: '2024-01-01T00:00:00Z',
    }));
    const result = await ingestOrders(deps, orders);
    expect(result.applied).toHaveLength(20_000);
    const c2 = await deps.storage.customers.get('c2');
    expect(c2?.totalSpendMinor).toBe(200_000);
    expect(c2?.totalSpend).toBe(2000);
  });

  it('refuses unknown customers and bad orders, listing each problem, writing nothing', async () => {
    const deps = await setup();
    const before = await snapshot(deps.storage);
    const error = await validationError(
      ingestOrders(deps, [
        { id: 'o1', customerId: 'c1', amount: 10, createdAt: '2024-01-01T00:00:00Z' },
        { id: 'o2', customerId: 'ghost', amount: 10, createdAt: '2024-01-01T00:00:00Z' },
        { id: 'o3', customerId: 'c1', amount: '10.001', createdAt: '2024-01-01T00:00:00Z' },
        { id: 'o4', customerId: 'c1', amount: 10, currency: 'EUR', createdAt: 'soon' },
        { customerId: 'c1', amount: -1, createdAt: '2024-01-01T00:00:00Z', note: 'x' },
        7,
      ]),
    );
    expect(error.problems.map((p) => [p.path, p.code])).toEqual(
      expect.arrayContaining([
        [[1, 'customerId'], 'unknown_customer'],
        [[2, 'amount'], 'invalid_amount'],
        [[3, 'currency'], 'currency_mismatch'],
        [[3, 'createdAt'], 'invalid_date'],
        [[4, 'id'], 'invalid_type'],
        [[4, 'amount'], 'invalid_amount'],
        [[4, 'note'], 'unknown_field'],
        [[5], 'invalid_type'],
      ]),
    );
    expect(error.problems.find((p) => p.code === 'unknown_customer')?.message).toBe(
      'customer "ghost" does not exist',
    );
    expect(await snapshot(deps.storage)).toEqual(before);
  });

  it('with partial: true writes the valid orders and reports the others', async () => {
    const deps = await setup();
    const result = await ingestOrders(
      deps,
      [
        { id: 'o1', customerId: 'c1', amount: 10, createdAt: '2024-01-01T00:00:00Z' },
        { id: 'o2', customerId: 'ghost', amount: 10, createdAt: '2024-01-01T00:00:00Z' },
      ],
      { partial: true },
    );
    expect(result.applied).toEqual(['o1']);
    expect(result.rejected).toEqual([
      {
        index: 1,
        problems: [
          { path: [1, 'customerId'], code: 'unknown_customer', message: 'customer "ghost" does not exist' },
        ],
      },
    ]);
  });

  it('makes one getMany and one append per chunk of 1000', async () => {
    const storage = createArrayStorage();
    const deps = testDeps(storage);
    await upsertCustomers(deps, { id: 'c1', name: 'Ada' });
    const orders = Array.from({ length: 1500 }, (_, i) => ({
      id: `o${i}`,
      customerId: 'c1',
      amount: 1,
      createdAt: '2024-01-01T00:00:00Z',
    }));
    await ingestOrders(deps, orders);
    expect(storage.calls.getMany).toBe(1);
    expect(storage.calls.appendOrders).toBe(2);
  });
});

describe.each(storages)('ingestEvents (%s)', (_name, makeStorage) => {
  it('counts visits on top of the baseline, idempotent by id; other types are only recorded', async () => {
    const deps = testDeps(makeStorage());
    await upsertCustomers(deps, { id: 'c1', name: 'Ada', visits: 10, lastVisitAt: '2024-05-01T00:00:00Z' });
    const result = await ingestEvents(deps, [
      { id: 'e1', customerId: 'c1', at: '2024-04-01T00:00:00Z' },
      { id: 'e2', customerId: 'c1', type: 'visit', at: '2024-05-02T00:00:00Z' },
      { id: 'e3', customerId: 'c1', type: 'click', at: '2024-05-03T00:00:00Z' },
    ]);
    expect(result).toEqual({ applied: ['e1', 'e2', 'e3'], duplicates: [], rejected: [] });
    expect(
      (await ingestEvents(deps, { id: 'e1', customerId: 'c1', at: '2024-04-01T00:00:00Z' })).duplicates,
    ).toEqual(['e1']);
    const c1 = await deps.storage.customers.get('c1');
    expect(c1?.visits).toBe(12);
    expect(c1?.lastVisitAt).toEqual(new Date('2024-05-02T00:00:00Z'));
    // A re-upsert replaces the baseline but keeps the activity.
    await upsertCustomers(deps, { id: 'c1', name: 'Ada', visits: 1 });
    expect((await deps.storage.customers.get('c1'))?.visits).toBe(3);
  });

  it('refuses bad events and unknown customers, writing nothing', async () => {
    const deps = testDeps(makeStorage());
    await upsertCustomers(deps, { id: 'c1', name: 'Ada' });
    const before = await snapshot(deps.storage);
    const error = await validationError(
      ingestEvents(deps, [
        { id: 'e1', customerId: 'c1', at: '2024-04-01T00:00:00Z' },
        { id: 'e2', customerId: 'nobody', at: '2024-04-01T00:00:00Z' },
        { id: 'e3', customerId: 'c1', type: '', at: 12 },
        { id: 'e4', customerId: 'c1' },
      ]),
    );
    expect(error.problems.map((p) => p.path)).toEqual([
      [1, 'customerId'],
      [2, 'type'],
      [2, 'at'],
      [3, 'at'],
    ]);
    expect(await snapshot(deps.storage)).toEqual(before);
  });
});
