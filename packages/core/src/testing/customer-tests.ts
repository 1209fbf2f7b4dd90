import { describe, expect, it } from 'vitest';
import type { Customer } from '../domain/customer.js';
import type { SegmentQuery } from '../ports/storage.js';
import { at, baseline, customerUpsert, DAY, order, testCatalog } from './fixtures.js';
import { drain, expectRaw, idsOf, seededRandom, shuffled, useStorage } from './harness.js';
import type { StorageConformanceOptions } from './options.js';

/** Customer store checks: upsert, get, getMany, list pagination, size, and query/count when present. */
export function customerStoreTests(options: StorageConformanceOptions): void {
  describe.skipIf(options.skip?.customers === true)(`${options.name ?? 'storage'}: customers`, () => {
    const h = useStorage(options);

    it('upsertMany inserts new customers with zero activity and reports them as created', async () => {
      const result = await h.storage.customers.upsertMany(
        [customerUpsert('c1'), customerUpsert('c2', { createdAt: at(-DAY) })],
        at(),
      );
      expect([...result.created].sort()).toEqual(['c1', 'c2']);
      expect(result.updated).toEqual([]);
      const c1 = await h.storage.customers.get('c1');
      expect(c1).toMatchObject({
        id: 'c1',
        name: 'Customer c1',
        email: 'c1@example.com',
        phone: '+15550100000',
      });
      expect(c1?.attributes).toEqual({ city: 'Paris', tags: ['vip', 'newsletter'] });
      expect(c1?.subscriptions).toEqual({ sms: true });
      expect(c1).toMatchObject({ totalSpend: 0, totalSpendMinor: 0, orderCount: 0, visits: 0 });
      expect(c1?.createdAt.getTime()).toBe(at().getTime());
      expect((await h.storage.customers.get('c2'))?.createdAt.getTime()).toBe(at(-DAY).getTime());
      await expectRaw(h, 'customer', 'c1', {
        id: 'c1',
        name: 'Customer c1',
        totalSpendMinor: 0,
        createdAt: at(),
      });
      await expectRaw(h, 'customer', 'c2', { id: 'c2', createdAt: at(-DAY) });
      await expectRaw(h, 'customer', 'nope', null);
      expect(await h.storage.customers.get('nope')).toBeNull();
    });

    it('upsertMany updates known customers, keeping activity and createdAt and recomputing aggregates', async () => {
      await h.storage.customers.upsertMany([customerUpsert('c1')], at());
      await h.storage.activity.appendOrders([order('o1', 'c1', 1250, at(DAY))], at(DAY));
      const result = await h.storage.customers.upsertMany(
        [
          customerUpsert('c1', {
            name: 'Renamed',
            email: undefined,
            attributes: { city: 'Lyon' },
            baseline: baseline({ spendMinor: 10_000, orderCount: 2, visits: 4 }),
            createdAt: at(-10 * DAY),
          }),
        ],
        at(2 * DAY),
      );
      expect(result).toEqual({ created: [], updated: ['c1'] });
      const c1 = (await h.storage.customers.get('c1')) as Customer;
      expect(c1).toMatchObject({
        name: 'Renamed',
        totalSpendMinor: 11_250,
        totalSpend: 112.5,
        orderCount: 3,
        visits: 4,
      });
      expect(c1.email).toBeUndefined();
      expect(c1.attributes).toEqual({ city: 'Lyon' });
      expect(c1.activity).toMatchObject({ spendMinor: 1250, orderCount: 1 });
      expect(c1.createdAt.getTime()).toBe(at().getTime());
      expect(c1.updatedAt.getTime()).toBe(at(2 * DAY).getTime());
      await expectRaw(h, 'customer', 'c1', {
        name: 'Renamed',
        totalSpendMinor: 11_250,
        orderCount: 3,
        visits: 4,
        createdAt: at(),
      });
    });

    it('getMany keeps the order of ids and gives null for unknown ones', async () => {
      await h.storage.customers.upsertMany([customerUpsert('a'), customerUpsert('b')], at());
      const got = await h.storage.customers.getMany(['b', 'x', 'a', 'b']);
      expect(got.map((c) => c?.id ?? null)).toEqual(['b', null, 'a', 'b']);
      expect(await h.storage.customers.getMany([])).toEqual([]);
    });

    it('list pages through every customer in ascending id order', async () => {
      const ids = Array.from({ length: 25 }, (_, i) => `cust-${String(i).padStart(3, '0')}`);
      const random = seededRandom(7);
      for (const batch of [shuffled(ids, random).slice(0, 12), shuffled(ids, random)]) {
        await h.storage.customers.upsertMany(
          batch.map((id) => customerUpsert(id)),
          at(),
        );
      }
      const { items, pages } = await drain((o) => h.storage.customers.list(o), 10);
      expect(idsOf(items)).toEqual(ids);
      expect(pages).toBe(3);
      const exact = await drain((o) => h.storage.customers.list(o), 5);
      expect(exact.pages, 'the last full page has no next cursor').toBe(5);
      expect(await h.storage.customers.size()).toBe(25);
    });

    it('list resumes from a cursor after inserts: later ids appear, earlier ones do not', async () => {
      await h.storage.customers.upsertMany(
        ['b', 'd', 'f', 'h'].map((id) => customerUpsert(id)),
        at(),
      );
      const first = await h.storage.customers.list({ limit: 2 });
      expect(idsOf(first.items)).toEqual(['b', 'd']);
      expect(first.nextCursor).not.toBeNull();
      await h.storage.customers.upsertMany(
        ['a', 'c', 'e', 'z'].map((id) => customerUpsert(id)),
        at(),
      );
      const rest = await drain(
        (o) => h.storage.customers.list({ ...o, cursor: o.cursor ?? (first.nextCursor as string) }),
        2,
      );
      expect(idsOf(rest.items)).toEqual(['e', 'f', 'h', 'z']);
    });

    it('list and size of an empty store', async () => {
      expect(await h.storage.customers.list({ limit: 10 })).toEqual({ items: [], nextCursor: null });
      expect(await h.storage.customers.size()).toBe(0);
    });

    const queryTest = options.skip?.query === true ? it.skip : it;
    queryTest('query and count (when implemented) agree with the rule, ascending id, paginated', async () => {
      const { query, count } = h.storage.customers;
      if (query === undefined && count === undefined) return;
      const random = seededRandom(42);
      const upserts = Array.from({ length: 40 }, (_, i) =>
        customerUpsert(`q${String(i).padStart(2, '0')}`, {
          baseline: baseline({ spendMinor: Math.floor(random() * 20_000), visits: Math.floor(random() * 6) }),
        }),
      );
      await h.storage.customers.upsertMany(shuffled(upserts, random), at());
      const q: SegmentQuery = {
        rules: {
          combinator: 'and',
          rules: [
            { field: 'totalSpend', operator: '>', value: 50 },
            { field: 'visits', operator: '<=', value: 3 },
          ],
        },
        now: at(),
        catalog: testCatalog(),
      };
      const expected = upserts
        .filter((u) => u.baseline.spendMinor > 5_000 && u.baseline.visits <= 3)
        .map((u) => u.id)
        .sort();
      expect(expected.length).toBeGreaterThan(3);
      if (query !== undefined) {
        const { items } = await drain((o) => query.call(h.storage.customers, q, o), 3);
        expect(idsOf(items)).toEqual(expected);
      }
      if (count !== undefined) expect(await count.call(h.storage.customers, q)).toBe(expected.length);
    });
  });
}
