import type { Customer, DeliveryTransition } from '@minicrm/core';
import { at, customerEvent, customerUpsert, delivery, order } from '@minicrm/core/testing';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createMongoStorage } from '../src/index.js';
import { freshPrefix, freshStorage, mongoSource, mongoUrl, useDatabase } from './support/mongo.js';

const { client, db } = useDatabase('behaviour');
// A second client: two "processes" sharing one database.
const other = new MongoClient(mongoUrl || 'mongodb://127.0.0.1:1/');
afterAll(() => other.close());

describe.skipIf(mongoUrl === '')(`MongoDB storage behaviour (${mongoSource})`, () => {
  it('keeps aggregates exact when two storages append overlapping orders and events concurrently', async () => {
    const prefix = freshPrefix();
    const a = await freshStorage(db, prefix);
    const b = createMongoStorage({ db: other.db(db.databaseName), collectionPrefix: prefix });
    await a.customers.upsertMany([customerUpsert('c1'), customerUpsert('c2')], at());
    const orders = Array.from({ length: 300 }, (_, i) =>
      order(`o${i}`, i % 3 === 0 ? 'c2' : 'c1', 10 + (i % 7), at(i)),
    );
    const visits = Array.from({ length: 100 }, (_, i) => customerEvent(`v${i}`, 'c1', at(i)));
    // Each storage appends every order (shuffled into chunks), so every id races with its twin.
    const chunks = <T>(items: readonly T[], n: number) =>
      Array.from({ length: Math.ceil(items.length / n) }, (_, k) => items.slice(k * n, k * n + n));
    const results = await Promise.all([
      ...chunks(orders, 25).map((c) => a.activity.appendOrders(c, at(1000))),
      ...chunks([...orders].reverse(), 40).map((c) => b.activity.appendOrders(c, at(1000))),
      ...chunks(visits, 10).map((c) => a.activity.appendEvents(c, at(1000))),
      ...chunks(visits, 30).map((c) => b.activity.appendEvents(c, at(1000))),
      a.customers.upsertMany([customerUpsert('c1', { name: 'Renamed' })], at(1000)),
    ]);
    const applied = results.flatMap((r) => ('applied' in r ? r.applied : []));
    expect(applied.filter((id) => id.startsWith('o')).sort()).toEqual(orders.map((o) => o.id).sort());
    expect(applied.filter((id) => id.startsWith('v')).sort()).toEqual(visits.map((v) => v.id).sort());
    const c1 = (await a.customers.get('c1')) as Customer;
    const c2 = (await b.customers.get('c2')) as Customer;
    const sum = (id: string) =>
      orders.filter((o) => o.customerId === id).reduce((n, o) => n + o.amountMinor, 0);
    expect(c1).toMatchObject({ name: 'Renamed', totalSpendMinor: sum('c1'), orderCount: 200, visits: 100 });
    expect(c2).toMatchObject({ totalSpendMinor: sum('c2'), orderCount: 100 });
    const listed = await a.activity.listOrders('c1', { limit: 1000 });
    expect(listed.items).toHaveLength(200);
    // Every journaled order has its document: nothing is left to settle.
    const raw = await db.collection(`${prefix}customers`).findOne({ _id: 'c1' as never });
    const journal = (raw?._j ?? []) as { i: string }[];
    const stored = await db
      .collection(`${prefix}orders`)
      .countDocuments({ _id: { $in: journal.map((e) => e.i) } as never });
    expect(stored).toBe(journal.filter((e) => e.i.startsWith('o')).length);
  });

  it('applies a contended transition exactly once across two storages', async () => {
    const prefix = freshPrefix();
    const a = await freshStorage(db, prefix);
    const b = createMongoStorage({ db: other.db(db.databaseName), collectionPrefix: prefix });
    const ids = Array.from({ length: 50 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    await a.deliveries.createMany(ids.map((id) => delivery(id, 'k1', { status: 'queued' })));
    const claim = (id: string): DeliveryTransition => ({
      id,
      from: ['queued'],
      attempts: 0,
      to: 'sending',
      at: at(5),
      set: { attempts: 1 },
    });
    const [ra, rb] = await Promise.all([
      a.deliveries.transitionMany(ids.map(claim)),
      b.deliveries.transitionMany([...ids].reverse().map(claim)),
    ]);
    const wonByA = ra.filter((d) => d !== null).length;
    const wonByB = rb.filter((d) => d !== null).length;
    expect(wonByA + wonByB).toBe(ids.length);
    const counts = await a.deliveries.counts('k1');
    expect(counts).toMatchObject({ total: 50, attempts: 50 });
    expect(counts.byStatus).toMatchObject({ sending: 50, queued: 0 });
  });

  it('never closes the client it was given', async () => {
    const storage = await freshStorage(db);
    await storage.customers.upsertMany([customerUpsert('x')], at());
    expect(await storage.customers.size()).toBe(1);
    // Still usable: a closed client would throw here.
    expect((await client.db('admin').command({ ping: 1 })).ok).toBe(1);
  });

  it('creates the indexes the queries use, idempotently', async () => {
    const prefix = freshPrefix();
    const storage = await freshStorage(db, prefix);
    await storage.ensureIndexes();
    const names = async (c: string) => (await db.collection(`${prefix}${c}`).indexes()).map((i) => i.name);
    expect(await names('deliveries')).toEqual(
      expect.arrayContaining(['campaign_id', 'campaign_status_id', 'vendor_message_id', 'unsettled_counts']),
    );
    expect(await names('campaigns')).toEqual(expect.arrayContaining(['newest', 'state_newest']));
    expect(await names('customers')).toEqual(
      expect.arrayContaining(['seg_totalSpend', 'seg_lastVisitAt', 'seg_visits']),
    );
    expect(await names('orders')).toContain('customer_newest');
    expect(await names('events')).toContain('customer_newest');
  });

  it('finishes the documents of an append that crashed after moving the aggregates', async () => {
    const prefix = freshPrefix();
    const storage = await freshStorage(db, prefix);
    await storage.customers.upsertMany([customerUpsert('c1')], at());
    // What a crash between the customer write and the order insert leaves: the order in the journal only.
    const o = order('o-crashed', 'c1', 500, at(3));
    const customers = db.collection<{ _id: string }>(`${prefix}customers`);
    await storage.activity.appendOrders([order('o-ok', 'c1', 100, at(1))], at(2));
    const doc = await customers.findOne({ _id: 'c1' });
    await customers.updateOne(
      { _id: 'c1' },
      {
        $set: {
          _j: [
            {
              i: o.id,
              k: 'o',
              d: {
                _id: o.id,
                customerId: 'c1',
                amountMinor: 500,
                amount: 5,
                currency: 'USD',
                currencyExponent: 2,
                createdAt: o.createdAt,
              },
            },
          ],
          totalSpendMinor: 600,
          totalSpend: 6,
          orderCount: 2,
          'activity.spendMinor': 600,
          'activity.orderCount': 2,
        },
        $inc: { _rev: 1 },
      },
    );
    expect(doc).not.toBeNull();
    const retry = await storage.activity.appendOrders([o], at(4));
    expect(retry).toEqual({ applied: [], duplicates: ['o-crashed'], missingCustomer: [] });
    expect(await storage.customers.get('c1')).toMatchObject({ totalSpendMinor: 600, orderCount: 2 });
    const listed = await storage.activity.listOrders('c1', { limit: 10 });
    expect(listed.items.map((x) => x.id)).toEqual(['o-crashed', 'o-ok']);
  });
});
