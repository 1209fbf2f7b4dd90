/**
 * Bad input on the customer entry points: `customers.upsert`, `addOrders`, `addEvents`, `importCsv`.
 * Each test checks the typed error, every problem with its exact path, and that nothing changed
 * (through the facade and through the memory storage's back door).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createMemoryStorage,
  createMiniCrm,
  ManualClock,
  type MiniCrm,
  memoryStorageBackdoor,
  type Storage,
  ValidationError,
} from '../src/index.js';
import { pairs, rejection, sorted } from './support/problems.js';

let storage: Storage;
let crm: MiniCrm;

/** Everything a failed call must leave as it was. */
async function state() {
  const backdoor = memoryStorageBackdoor(storage);
  return {
    size: await crm.customers.size(),
    list: (await crm.customers.list({ limit: 100 })).items,
    c1: await backdoor.customer('c1'),
    c2: await backdoor.customer('c2'),
    orders: (await crm.customers.orders('c1', { limit: 100 })).items,
    events: (await crm.customers.events('c1', { limit: 100 })).items,
  };
}

beforeEach(async () => {
  storage = createMemoryStorage();
  crm = createMiniCrm({
    storage,
    clock: new ManualClock(Date.parse('2026-03-01T00:00:00Z')),
    attributes: [
      { name: 'age', type: 'number' },
      { name: 'tier', type: 'enum', options: ['gold', 'silver'] },
    ],
  });
  await crm.customers.upsert({
    id: 'c1',
    name: 'Ada',
    phone: '+15550100001',
    totalSpend: '12.50',
    visits: 2,
  });
  await crm.customers.addOrders({ id: 'o0', customerId: 'c1', amount: '7.25', createdAt: '2026-01-10' });
  await crm.customers.addEvents({ id: 'e0', customerId: 'c1', at: '2026-02-01T10:00:00Z' });
});

describe('customers.upsert', () => {
  it('a single customer: every field problem at once, nothing written', async () => {
    const before = await state();
    const error = await rejection(
      crm.customers.upsert({
        id: '',
        name: 42,
        email: 'nope',
        phone: '123',
        extra: 1,
        totalSpend: '1.234',
        visits: -1,
        lastVisitAt: 'yesterday',
        attributes: { age: 'old', tier: 'bronze' },
        subscriptions: { sms: 'yes' },
      }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(error.problems)).toEqual(
      sorted([
        ['id', 'too_small'],
        ['name', 'invalid_type'],
        ['email', 'invalid_format'],
        ['phone', 'invalid_phone'],
        ['extra', 'unknown_field'],
        ['totalSpend', 'invalid_amount'],
        ['visits', 'too_small'],
        ['lastVisitAt', 'invalid_date'],
        ['attributes.age', 'invalid_type'],
        ['attributes.tier', 'invalid_enum_value'],
        ['subscriptions.sms', 'invalid_type'],
      ]),
    );
    expect(await state()).toEqual(before);
  });

  it('an invalid update of an existing customer leaves its record and aggregates untouched', async () => {
    const before = await state();
    await rejection(
      crm.customers.upsert({ id: 'c1', name: 'Ada', email: 'not-an-email', visits: 1.5 }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    const after = await state();
    expect(after).toEqual(before);
    expect(after.c1?.totalSpend).toBe(19.75);
    expect(after.c1?.visits).toBe(3);
  });

  it('an array: problems carry the item index; one bad item refuses the whole call', async () => {
    const before = await state();
    const error = await rejection(
      crm.customers.upsert([
        { id: 'c2', name: 'Bea' },
        { id: 'c3' },
        7,
        { id: 'c2', name: 'Bea again' },
        { id: 'c4', name: 'Cy', firstOrderAt: '2026-02-01', lastOrderAt: '2026-01-01' },
        { id: 'c5', name: 'Di', phone: 'call me', attributes: { age: true } },
      ]),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(error.problems)).toEqual(
      sorted([
        ['[1].name', 'invalid_type'],
        ['[2]', 'invalid_type'],
        ['[3].id', 'duplicate_id'],
        ['[4].firstOrderAt', 'invalid_range'],
        ['[5].phone', 'invalid_phone'],
        ['[5].attributes.age', 'invalid_type'],
      ]),
    );
    expect(await state()).toEqual(before);
    expect(await memoryStorageBackdoor(storage).customer('c2')).toBeNull();
  });

  it('partial mode writes the valid items and reports the others per index', async () => {
    const result = await crm.customers.upsert(
      [{ id: 'c2', name: 'Bea' }, { id: 'c3' }, 'x', { id: 'c2', name: 'Dup' }, { id: 'c1', name: 'Ada L.' }],
      { partial: true },
    );
    expect(result.created).toEqual(['c2']);
    expect(result.updated).toEqual(['c1']);
    expect(result.rejected.map((r) => [r.index, pairs(r.problems)])).toEqual([
      [1, [['[1].name', 'invalid_type']]],
      [2, [['[2]', 'invalid_type']]],
      [3, [['[3].id', 'duplicate_id']]],
    ]);
    const backdoor = memoryStorageBackdoor(storage);
    expect(await crm.customers.size()).toBe(2);
    expect((await backdoor.customer('c2'))?.name).toBe('Bea');
    expect(await backdoor.customer('c3')).toBeNull();
    // The update replaces the imported baseline (12.50 → none) and keeps the recorded order (7.25).
    expect((await backdoor.customer('c1'))?.totalSpend).toBe(7.25);
    expect((await backdoor.customer('c1'))?.orderCount).toBe(1);
  });

  it.each([
    ['a string', 'x'],
    ['null', null],
    ['a number', 5],
    ['a date', new Date()],
  ])('refuses %s at the root', async (_label, input) => {
    const before = await state();
    const error = await rejection(crm.customers.upsert(input), ValidationError, 'VALIDATION_FAILED');
    expect(pairs(error.problems)).toEqual([['(root)', 'invalid_type']]);
    expect(await state()).toEqual(before);
  });
});

describe('customers.addOrders', () => {
  it('reports unknown customers, bad amounts, wrong currency, too many decimals, all at once', async () => {
    const before = await state();
    const error = await rejection(
      crm.customers.addOrders([
        { id: 'o1', customerId: 'ghost', amount: '10.00', createdAt: '2026-01-01' },
        { id: 'o2', customerId: 'c1', amount: 'abc', createdAt: '2026-01-01' },
        { id: 'o3', customerId: 'c1', amount: '10.00', currency: 'EUR', createdAt: '2026-01-01' },
        { id: 'o4', customerId: 'c1', amount: '1.234', createdAt: '2026-01-01' },
        { customerId: 'c1', amount: 1, createdAt: 'not a date' },
        { id: 'o6', customerId: 'c1', amount: -5, createdAt: '2026-01-01', bogus: true },
        { id: 'o7', customerId: 'c1', amount: '5.00', createdAt: '2026-01-01' },
      ]),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(error.problems)).toEqual(
      sorted([
        ['[0].customerId', 'unknown_customer'],
        ['[1].amount', 'invalid_amount'],
        ['[2].currency', 'currency_mismatch'],
        ['[3].amount', 'invalid_amount'],
        ['[4].id', 'invalid_type'],
        ['[4].createdAt', 'invalid_date'],
        ['[5].amount', 'invalid_amount'],
        ['[5].bogus', 'unknown_field'],
      ]),
    );
    const after = await state();
    expect(after).toEqual(before);
    expect(after.c1?.totalSpend).toBe(19.75);
    expect(after.c1?.orderCount).toBe(1);
    // The valid order o7 was not recorded: sending it again applies it.
    expect(
      (await crm.customers.addOrders({ id: 'o7', customerId: 'c1', amount: '5.00', createdAt: '2026-01-01' }))
        .applied,
    ).toEqual(['o7']);
  });

  it('a single order for an unknown customer: path without an index', async () => {
    const before = await state();
    const error = await rejection(
      crm.customers.addOrders({ id: 'o1', customerId: 'ghost', amount: '1.00', createdAt: '2026-01-01' }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(error.problems)).toEqual([['customerId', 'unknown_customer']]);
    expect(await state()).toEqual(before);
  });

  it('partial mode applies the good orders only, aggregates exact', async () => {
    const result = await crm.customers.addOrders(
      [
        { id: 'o1', customerId: 'c1', amount: '0.10', createdAt: '2026-02-01' },
        { id: 'o2', customerId: 'ghost', amount: '1.00', createdAt: '2026-02-01' },
        { id: 'o3', customerId: 'c1', amount: '0.205', createdAt: '2026-02-01' },
        { id: 'o0', customerId: 'c1', amount: '7.25', createdAt: '2026-01-10' },
      ],
      { partial: true },
    );
    expect(result.applied).toEqual(['o1']);
    expect(result.duplicates).toEqual(['o0']);
    expect(result.rejected.map((r) => [r.index, pairs(r.problems)])).toEqual([
      [1, [['[1].customerId', 'unknown_customer']]],
      [2, [['[2].amount', 'invalid_amount']]],
    ]);
    const c1 = await memoryStorageBackdoor(storage).customer('c1');
    expect(c1?.totalSpend).toBe(19.85);
    expect(c1?.orderCount).toBe(2);
  });

  it('refuses an order in a store with another currency exponent (JPY: no decimals)', async () => {
    const jpy = createMiniCrm({ currency: 'jpy' });
    await jpy.customers.upsert({ id: 'k', name: 'K' });
    const error = await rejection(
      jpy.customers.addOrders({
        id: 'o',
        customerId: 'k',
        amount: '100.5',
        currency: 'USD',
        createdAt: '2026-01-01',
      }),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(error.problems)).toEqual(
      sorted([
        ['amount', 'invalid_amount'],
        ['currency', 'currency_mismatch'],
      ]),
    );
    expect((await jpy.customers.get('k'))?.orderCount).toBe(0);
  });
});

describe('customers.addEvents', () => {
  it('reports every problem of every event; visits do not move', async () => {
    const before = await state();
    const error = await rejection(
      crm.customers.addEvents([
        { id: 'e1', customerId: 'c1', at: '2026-13-45' },
        { id: 'e2', customerId: 'ghost', at: '2026-01-01' },
        { id: '', customerId: 'c1', type: '', at: 5, foo: 1 },
        { id: 'e4', customerId: 'c1', at: '2026-02-30' },
        { id: 'e5', customerId: 'c1', at: '2026-02-03' },
      ]),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(error.problems)).toEqual(
      sorted([
        ['[0].at', 'invalid_date'],
        ['[1].customerId', 'unknown_customer'],
        ['[2].id', 'too_small'],
        ['[2].type', 'too_small'],
        ['[2].at', 'invalid_date'],
        ['[2].foo', 'unknown_field'],
        ['[3].at', 'invalid_date'],
      ]),
    );
    const after = await state();
    expect(after).toEqual(before);
    expect(after.c1?.visits).toBe(3);
  });

  it('partial mode records the good events only', async () => {
    const result = await crm.customers.addEvents(
      [
        { id: 'e1', customerId: 'c1', at: 'soon' },
        { id: 'e2', customerId: 'c1', at: '2026-02-20T08:00:00Z' },
      ],
      { partial: true },
    );
    expect(result.applied).toEqual(['e2']);
    expect(result.rejected.map((r) => [r.index, pairs(r.problems)])).toEqual([
      [0, [['[0].at', 'invalid_date']]],
    ]);
    expect((await memoryStorageBackdoor(storage).customer('c1'))?.visits).toBe(4);
  });
});

describe('customers.importCsv (partial by design)', () => {
  it('keeps the good rows and reports each bad row by line with column paths', async () => {
    const csv = [
      'id,name,phone,visits,attributes.age,bogus',
      'k1,Kay,+15550100011,3,40,x',
      'k2,Bad,+15550100012,-1,41,x',
      'k3,Tee,,2,,x',
      'k4,,+15550100014,1,20,x',
      'k5,Eve,12,1,old,x',
      'c1,Ada,+15550100001,5,,x',
      '"k6,broken',
      '',
    ].join('\n');
    const report = await crm.customers.importCsv(csv);
    expect(report).toMatchObject({
      rows: 7,
      imported: 3,
      created: 2,
      updated: 1,
      failed: 4,
      errorsTruncated: false,
    });
    expect(report.ignoredColumns).toEqual(['bogus']);
    const byLine = report.errors
      .map((e) => [e.line, pairs(e.problems)])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(byLine).toEqual([
      [1, [['bogus', 'unknown_column']]],
      [3, [['visits', 'invalid_value']]],
      [5, [['name', 'invalid_type']]],
      [
        6,
        sorted([
          ['attributes.age', 'invalid_value'],
          ['phone', 'invalid_phone'],
        ]),
      ],
      [8, [['(root)', 'CSV_QUOTE_NOT_CLOSED']]],
    ]);
    const backdoor = memoryStorageBackdoor(storage);
    expect((await backdoor.customer('k1'))?.attributes).toEqual({ age: 40 });
    expect(await backdoor.customer('k3')).not.toBeNull();
    for (const id of ['k2', 'k4', 'k5', 'k6']) expect(await backdoor.customer(id)).toBeNull();
    // The re-imported c1 keeps its orders: the imported visits are a new baseline, activity adds to it.
    const c1 = await backdoor.customer('c1');
    expect(c1?.orderCount).toBe(1);
    expect(c1?.visits).toBe(6);
    expect(await crm.customers.size()).toBe(3);
  });

  it('a header without id refuses the file before anything is written', async () => {
    const before = await state();
    const error = await rejection(
      crm.customers.importCsv('name,phone\nZed,+15550100099\n'),
      ValidationError,
      'VALIDATION_FAILED',
    );
    expect(pairs(error.problems)).toEqual([['id', 'missing_column']]);
    expect(await state()).toEqual(before);
  });
});
