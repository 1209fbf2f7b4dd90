import { describe, expect, it } from 'vitest';
import type { DeliveryTransition } from '../delivery/transition.js';
import type { Delivery, DeliveryStatus } from '../domain/delivery.js';
import { deliveryCountsTests } from './delivery-counts-tests.js';
import { at, delivery } from './fixtures.js';
import { drain, expectRaw, idsOf, useStorage } from './harness.js';
import type { StorageConformanceOptions } from './options.js';

/** Delivery store checks: bulk create, conditional transitions, counters, listing, vendor-id lookup. */
export function deliveryStoreTests(options: StorageConformanceOptions): void {
  describe.skipIf(options.skip?.deliveries === true)(`${options.name ?? 'storage'}: deliveries`, () => {
    const h = useStorage(options);
    const move = (t: Omit<DeliveryTransition, 'at'> & { at?: Date }): DeliveryTransition => ({
      at: at(1000),
      ...t,
    });

    it('createMany inserts absent ids only and leaves existing ones untouched', async () => {
      const inserted = await h.storage.deliveries.createMany([
        delivery('d1', 'k1'),
        delivery('d2', 'k1', {
          status: 'skipped',
          skipReason: 'no_address',
          address: undefined,
          skippedAt: at(),
        }),
        delivery('d1', 'k1', { message: 'duplicate in the same call' }),
      ]);
      expect([...inserted]).toEqual(['d1', 'd2']);
      const again = await h.storage.deliveries.createMany([
        delivery('d1', 'k1', { message: 'overwritten?', status: 'queued' }),
        delivery('d3', 'k1'),
      ]);
      expect([...again]).toEqual(['d3']);
      const d1 = await h.storage.deliveries.get('d1');
      expect(d1).toMatchObject({
        id: 'd1',
        campaignId: 'k1',
        customerId: 'cust-d1',
        status: 'pending',
        message: 'Hello d1',
      });
      expect(d1).toMatchObject({
        channel: 'sms',
        address: '+15550100000',
        round: 1,
        attempts: 0,
        totalAttempts: 0,
      });
      expect(await h.storage.deliveries.get('d2')).toMatchObject({
        status: 'skipped',
        skipReason: 'no_address',
      });
      await expectRaw(h, 'delivery', 'd1', {
        id: 'd1',
        campaignId: 'k1',
        status: 'pending',
        message: 'Hello d1',
      });
      await expectRaw(h, 'delivery', 'd2', { status: 'skipped' });
      await expectRaw(h, 'delivery', 'nope', null);
      const counts = await h.storage.deliveries.counts('k1');
      expect(counts.total).toBe(3);
      expect(counts.byStatus).toMatchObject({ pending: 2, skipped: 1, queued: 0 });
    });

    it('getMany keeps the order of ids and gives null for unknown ones', async () => {
      await h.storage.deliveries.createMany([delivery('d1', 'k1'), delivery('d2', 'k2')]);
      const got = await h.storage.deliveries.getMany(['d2', 'zz', 'd1']);
      expect(got.map((d) => d?.id ?? null)).toEqual(['d2', null, 'd1']);
      expect(await h.storage.deliveries.get('zz')).toBeNull();
    });

    it('transitionMany applies a transition only when status, round and attempts match', async () => {
      await h.storage.deliveries.createMany([delivery('d1', 'k1'), delivery('d2', 'k1')]);
      const results = await h.storage.deliveries.transitionMany([
        move({ id: 'd1', from: ['queued'], to: 'sending' }),
        move({ id: 'd1', from: ['pending'], round: 2, to: 'queued' }),
        move({ id: 'd1', from: ['pending'], attempts: 1, to: 'queued' }),
        move({ id: 'ghost', from: ['pending'], to: 'queued' }),
        move({ id: 'd2', from: ['pending', 'retrying'], round: 1, attempts: 0, to: 'queued', at: at(7) }),
      ]);
      expect(results.map((r) => r?.status ?? null)).toEqual([null, null, null, null, 'queued']);
      const d2 = results[4] as Delivery;
      expect(d2.queuedAt?.getTime()).toBe(at(7).getTime());
      expect(d2.updatedAt.getTime()).toBe(at(7).getTime());
      expect(await h.storage.deliveries.get('d1')).toMatchObject({ status: 'pending' });
      expect(await h.storage.deliveries.get('d2')).toMatchObject({ status: 'queued' });
      await expectRaw(h, 'delivery', 'd1', { status: 'pending' });
      await expectRaw(h, 'delivery', 'd2', { status: 'queued' });
      const [sending] = await h.storage.deliveries.transitionMany([
        move({
          id: 'd2',
          from: ['queued'],
          attempts: 0,
          to: 'sending',
          set: { attempts: 1, lastError: { message: 'x', retryable: true } },
        }),
      ]);
      expect(sending).toMatchObject({
        status: 'sending',
        attempts: 1,
        totalAttempts: 1,
        lastError: { message: 'x' },
      });
      await expectRaw(h, 'delivery', 'd2', { status: 'sending', attempts: 1, totalAttempts: 1 });
    });

    it('refuses transitions the status graph does not allow, and changes nothing', async () => {
      await h.storage.deliveries.createMany([
        delivery('d1', 'k1', { status: 'delivered', deliveredAt: at() }),
        delivery('d2', 'k1', { status: 'skipped', skipReason: 'unsubscribed' }),
        delivery('d3', 'k1', { status: 'sent', attempts: 1, totalAttempts: 1 }),
      ]);
      const before = await h.storage.deliveries.counts('k1');
      const results = await h.storage.deliveries.transitionMany([
        move({ id: 'd1', from: ['delivered'], to: 'sending' }),
        move({ id: 'd1', from: ['delivered'], to: 'failed' }),
        move({ id: 'd2', from: ['skipped'], to: 'queued' }),
        move({ id: 'd3', from: ['sent'], to: 'pending' }),
        move({ id: 'd3', from: ['sent'], to: 'sent' }),
      ]);
      expect(results).toEqual([null, null, null, null, null]);
      await expectRaw(h, 'delivery', 'd1', { status: 'delivered' });
      await expectRaw(h, 'delivery', 'd3', { status: 'sent', attempts: 1 });
      expect(await h.storage.deliveries.counts('k1')).toEqual(before);
    });

    const sequential = options.skip?.sequentialTransitions === true ? it.skip : it;
    sequential('transitions of one delivery in one call apply in order', async () => {
      await h.storage.deliveries.createMany([delivery('d1', 'k1')]);
      const results = await h.storage.deliveries.transitionMany([
        move({ id: 'd1', from: ['pending'], to: 'queued' }),
        move({ id: 'd1', from: ['queued'], to: 'sending', set: { attempts: 1 } }),
        move({ id: 'd1', from: ['queued'], to: 'cancelled' }),
      ]);
      expect(results.map((r) => r?.status ?? null)).toEqual(['queued', 'sending', null]);
      const counts = await h.storage.deliveries.counts('k1');
      expect(counts.byStatus).toMatchObject({ pending: 0, queued: 0, sending: 1 });
      expect(counts.attempts).toBe(1);
    });

    it('list pages through one campaign in ascending id, optionally by status', async () => {
      const statuses: DeliveryStatus[] = ['pending', 'queued', 'sent', 'queued', 'failed'];
      const ids = Array.from({ length: 30 }, (_, i) => `d${String(i).padStart(2, '0')}`);
      await h.storage.deliveries.createMany(
        [...ids].reverse().map((id, i) => delivery(id, 'k1', { status: statuses[i % statuses.length] })),
      );
      await h.storage.deliveries.createMany([delivery('a0', 'k2'), delivery('z9', 'k2')]);
      const all = await drain((o) => h.storage.deliveries.list('k1', o), 7);
      expect(idsOf(all.items)).toEqual(ids);
      expect(all.pages).toBe(5);
      const queued = await drain((o) => h.storage.deliveries.list('k1', { ...o, statuses: ['queued'] }), 5);
      expect(queued.items.length).toBe(12);
      expect(queued.items.every((d) => d.status === 'queued')).toBe(true);
      expect(idsOf(queued.items)).toEqual([...idsOf(queued.items)].sort());
      expect(queued.pages, 'the last full page has no next cursor').toBe(3);
      const two = await drain(
        (o) => h.storage.deliveries.list('k1', { ...o, statuses: ['sent', 'failed'] }),
        4,
      );
      expect(two.items.length).toBe(12);
      expect(await h.storage.deliveries.list('none', { limit: 3 })).toEqual({ items: [], nextCursor: null });
    });

    it('list by status keeps going while the listed deliveries change status', async () => {
      const ids = Array.from({ length: 23 }, (_, i) => `d${String(i).padStart(2, '0')}`);
      await h.storage.deliveries.createMany(ids.map((id) => delivery(id, 'k1')));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await h.storage.deliveries.list('k1', { statuses: ['pending'], limit: 4, cursor });
        seen.push(...idsOf(page.items));
        await h.storage.deliveries.transitionMany(
          page.items.map((d) => move({ id: d.id, from: ['pending'], to: 'cancelled' })),
        );
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(seen).toEqual(ids);
      expect((await h.storage.deliveries.counts('k1')).byStatus).toMatchObject({ pending: 0, cancelled: 23 });
    });

    it('findByVendorMessageIds maps the vendor id of the latest accepted attempt', async () => {
      await h.storage.deliveries.createMany([
        delivery('d1', 'k1', { status: 'sending', attempts: 1, totalAttempts: 1 }),
        delivery('d2', 'k2', { status: 'sending', attempts: 1, totalAttempts: 1 }),
      ]);
      await h.storage.deliveries.transitionMany([
        move({ id: 'd1', from: ['sending'], to: 'sent', set: { vendorMessageId: 'v-1' } }),
        move({ id: 'd2', from: ['sending'], to: 'sent', set: { vendorMessageId: 'v-2' } }),
      ]);
      const found = await h.storage.deliveries.findByVendorMessageIds(['v-2', 'v-x', 'v-1']);
      expect(new Map(found)).toEqual(
        new Map([
          ['v-2', 'd2'],
          ['v-1', 'd1'],
        ]),
      );
      // A failed delivery queued again for a new round forgets its vendor id; a new accepted attempt brings a new one.
      for (const t of [
        move({ id: 'd1', from: ['sent'], to: 'failed' }),
        move({
          id: 'd1',
          from: ['failed'],
          to: 'queued',
          set: { round: 2, attempts: 0, vendorMessageId: null },
        }),
        move({ id: 'd2', from: ['sent'], to: 'retrying' }),
        move({ id: 'd2', from: ['retrying'], to: 'sending', set: { attempts: 2 } }),
        move({ id: 'd2', from: ['sending'], to: 'sent', set: { vendorMessageId: 'v-3' } }),
      ]) {
        expect(await h.storage.deliveries.transitionMany([t])).toHaveLength(1);
      }
      const after = await h.storage.deliveries.findByVendorMessageIds(['v-1', 'v-2', 'v-3']);
      expect(new Map(after)).toEqual(new Map([['v-3', 'd2']]));
      expect((await h.storage.deliveries.findByVendorMessageIds([])).size).toBe(0);
    });

    deliveryCountsTests(h);
  });
}
