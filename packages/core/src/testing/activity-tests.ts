import { describe, expect, it } from 'vitest';
import type { Customer } from '../domain/customer.js';
import { at, baseline, customerEvent, customerUpsert, DAY, order } from './fixtures.js';
import { drain, expectRaw, idsOf, useStorage } from './harness.js';
import type { StorageConformanceOptions } from './options.js';

/** Activity store checks: idempotent orders and events, exact aggregates, baselines, listing. */
export function activityStoreTests(options: StorageConformanceOptions): void {
  describe.skipIf(options.skip?.activity === true)(`${options.name ?? 'storage'}: activity`, () => {
    const h = useStorage(options);
    const get = async (id: string) => (await h.storage.customers.get(id)) as Customer;

    it('appendOrders applies each new order once with exact aggregates', async () => {
      await h.storage.customers.upsertMany([customerUpsert('c1'), customerUpsert('c2')], at());
      const first = await h.storage.activity.appendOrders(
        [
          order('o1', 'c1', 1999, at(2 * DAY)),
          order('o2', 'c1', 1, at(DAY)),
          order('o3', 'c2', 500, at(DAY)),
        ],
        at(3 * DAY),
      );
      expect(first).toEqual({ applied: ['o1', 'o2', 'o3'], duplicates: [], missingCustomer: [] });
      const again = await h.storage.activity.appendOrders(
        [
          order('o1', 'c1', 1999, at(2 * DAY)),
          order('o4', 'c1', 100, at(5 * DAY)),
          order('o4', 'c1', 100, at(5 * DAY)),
        ],
        at(5 * DAY),
      );
      expect(again).toEqual({ applied: ['o4'], duplicates: ['o1', 'o4'], missingCustomer: [] });
      const c1 = await get('c1');
      expect(c1).toMatchObject({ totalSpendMinor: 2100, totalSpend: 21, orderCount: 3 });
      expect(c1.firstOrderAt?.getTime()).toBe(at(DAY).getTime());
      expect(c1.lastOrderAt?.getTime()).toBe(at(5 * DAY).getTime());
      expect((await get('c2')).totalSpendMinor).toBe(500);
      await expectRaw(h, 'customer', 'c1', { totalSpendMinor: 2100, orderCount: 3 });
    });

    it('an order for an unknown customer is reported and changes nothing', async () => {
      await h.storage.customers.upsertMany([customerUpsert('c1')], at());
      const result = await h.storage.activity.appendOrders(
        [order('o1', 'ghost', 100), order('o2', 'c1', 100)],
        at(),
      );
      expect(result).toEqual({ applied: ['o2'], duplicates: [], missingCustomer: ['o1'] });
      expect(await h.storage.customers.get('ghost')).toBeNull();
      await expectRaw(h, 'customer', 'ghost', null);
      expect(await h.storage.customers.size()).toBe(1);
      // Nothing was recorded: once the customer exists, the same order applies.
      await h.storage.customers.upsertMany([customerUpsert('ghost')], at());
      const retry = await h.storage.activity.appendOrders([order('o1', 'ghost', 100)], at());
      expect(retry.applied).toEqual(['o1']);
      expect((await get('ghost')).totalSpendMinor).toBe(100);
    });

    it('appendEvents counts visits once, keeps the latest visit, and records other types without aggregates', async () => {
      await h.storage.customers.upsertMany([customerUpsert('c1')], at());
      const result = await h.storage.activity.appendEvents(
        [
          customerEvent('e1', 'c1', at(3 * DAY)),
          customerEvent('e2', 'c1', at(DAY)),
          customerEvent('e3', 'c1', at(9 * DAY), 'page_view'),
          customerEvent('e4', 'ghost', at(DAY)),
          customerEvent('e1', 'c1', at(3 * DAY)),
        ],
        at(10 * DAY),
      );
      expect(result).toEqual({ applied: ['e1', 'e2', 'e3'], duplicates: ['e1'], missingCustomer: ['e4'] });
      const c1 = await get('c1');
      expect(c1.visits).toBe(2);
      expect(c1.lastVisitAt?.getTime()).toBe(at(3 * DAY).getTime());
      await expectRaw(h, 'customer', 'c1', { visits: 2, lastVisitAt: at(3 * DAY) });
      const events = await drain((o) => h.storage.activity.listEvents('c1', o), 2);
      expect(idsOf(events.items)).toEqual(['e3', 'e1', 'e2']);
    });

    it('orders and events add to an imported baseline, never replace it', async () => {
      await h.storage.customers.upsertMany(
        [
          customerUpsert('c1', {
            baseline: baseline({
              spendMinor: 1_000_000,
              orderCount: 10,
              visits: 7,
              lastVisitAt: at(-30 * DAY),
            }),
          }),
        ],
        at(),
      );
      await h.storage.activity.appendOrders([order('o1', 'c1', 2550, at(DAY))], at(DAY));
      await h.storage.activity.appendEvents([customerEvent('v1', 'c1', at(-40 * DAY))], at(DAY));
      let c1 = await get('c1');
      expect(c1).toMatchObject({
        totalSpendMinor: 1_002_550,
        totalSpend: 10_025.5,
        orderCount: 11,
        visits: 8,
      });
      expect(c1.lastVisitAt?.getTime(), 'an older visit keeps the baseline date').toBe(
        at(-30 * DAY).getTime(),
      );
      await h.storage.activity.appendEvents([customerEvent('v2', 'c1', at(2 * DAY))], at(2 * DAY));
      c1 = await get('c1');
      expect(c1.visits).toBe(9);
      expect(c1.lastVisitAt?.getTime()).toBe(at(2 * DAY).getTime());
      await expectRaw(h, 'customer', 'c1', { totalSpendMinor: 1_002_550, orderCount: 11, visits: 9 });
    });

    it('amounts like 0.10 and 0.07 add up exactly over thousands of orders', async () => {
      await h.storage.customers.upsertMany([customerUpsert('c1')], at());
      const n = options.driftOrders ?? 4000;
      const amounts = [10, 7, 1999, 1];
      let expected = 0;
      for (let start = 0; start < n; start += 500) {
        const batch = [];
        for (let i = start; i < Math.min(n, start + 500); i++) {
          const amount = amounts[i % amounts.length] as number;
          expected += amount;
          batch.push(order(`o${i}`, 'c1', amount, at(i)));
        }
        await h.storage.activity.appendOrders(batch, at(n));
      }
      const c1 = await get('c1');
      expect(c1.totalSpendMinor).toBe(expected);
      expect(c1.totalSpend).toBe(expected / 100);
      expect(c1.orderCount).toBe(n);
      await expectRaw(h, 'customer', 'c1', { totalSpendMinor: expected, orderCount: n });
    });

    it('listOrders is newest first and paginated', async () => {
      await h.storage.customers.upsertMany([customerUpsert('c1'), customerUpsert('c2')], at());
      await h.storage.activity.appendOrders(
        [1, 5, 3, 4, 2].map((d) => order(`o${d}`, 'c1', d, at(d * DAY))).concat(order('x', 'c2', 1)),
        at(),
      );
      const { items, pages } = await drain((o) => h.storage.activity.listOrders('c1', o), 2);
      expect(idsOf(items)).toEqual(['o5', 'o4', 'o3', 'o2', 'o1']);
      expect(pages).toBe(3);
      expect(items[0]).toMatchObject({ customerId: 'c1', amountMinor: 5, currency: 'USD' });
      expect(await h.storage.activity.listOrders('nobody', { limit: 5 })).toEqual({
        items: [],
        nextCursor: null,
      });
    });
  });
}
