import { expect, it } from 'vitest';
import type { DeliveryTransition } from '../delivery/transition.js';
import {
  addDeliveryCounts,
  applyDeliveryTransition,
  deliveryCountsDelta,
  emptyDeliveryCounts,
} from '../delivery/transition.js';
import type { Delivery, DeliveryCounts, DeliveryStatus } from '../domain/delivery.js';
import { DELIVERY_STATUSES } from '../domain/delivery.js';
import { at, delivery } from './fixtures.js';
import type { StorageHarness } from './harness.js';
import { expectRaw, seededRandom } from './harness.js';

/** The counters as plain numbers, for comparing adapters that return extra fields. */
function plain(counts: DeliveryCounts): DeliveryCounts {
  const byStatus = {} as Record<DeliveryStatus, number>;
  for (const s of DELIVERY_STATUSES) byStatus[s] = Number(counts.byStatus[s] ?? 0);
  return {
    total: Number(counts.total),
    byStatus,
    attempts: Number(counts.attempts),
    retries: Number(counts.retries),
    opened: Number(counts.opened),
    clicked: Number(counts.clicked),
  };
}

/** Checks the counters against the deliveries themselves. */
function expectConsistent(counts: DeliveryCounts, deliveries: readonly Delivery[]): void {
  const c = plain(counts);
  const sum = DELIVERY_STATUSES.reduce((n, s) => n + c.byStatus[s], 0);
  expect(sum, 'status counts sum to the number of deliveries').toBe(c.total);
  expect(c.total).toBe(deliveries.length);
  for (const s of DELIVERY_STATUSES) {
    expect(c.byStatus[s], `count of ${s}`).toBe(deliveries.filter((d) => d.status === s).length);
  }
  expect(c.attempts).toBe(deliveries.reduce((n, d) => n + d.totalAttempts, 0));
  expect(c.opened).toBe(deliveries.filter((d) => d.openedAt !== undefined).length);
  expect(c.clicked).toBe(deliveries.filter((d) => d.clickedAt !== undefined).length);
}

/** Counter checks of the delivery store; registered inside `deliveryStoreTests`. */
export function deliveryCountsTests(h: StorageHarness): void {
  it('counts attempts, retries, opens and clicks exactly once per real change', async () => {
    await h.storage.deliveries.createMany([delivery('d1', 'k1')]);
    const step = async (t: Omit<DeliveryTransition, 'id' | 'at'>) =>
      (await h.storage.deliveries.transitionMany([{ id: 'd1', at: at(5), ...t }]))[0] ?? null;
    expect(await step({ from: ['pending'], to: 'sending', set: { attempts: 1 } })).not.toBeNull();
    expect(await step({ from: ['sending'], to: 'retrying', set: { nextAttemptAt: at(10) } })).not.toBeNull();
    expect(await step({ from: ['sending'], to: 'retrying' }), 'a duplicate is refused').toBeNull();
    expect(
      await step({ from: ['retrying'], attempts: 1, to: 'sending', set: { attempts: 2 } }),
    ).not.toBeNull();
    expect(await step({ from: ['sending'], to: 'sent', set: { vendorMessageId: 'v1' } })).not.toBeNull();
    const opened = await step({
      from: ['sent'],
      to: 'delivered',
      set: { openedAt: at(6), clickedAt: at(7) },
    });
    expect(opened).toMatchObject({ status: 'delivered', attempts: 2, totalAttempts: 2 });
    expect(await step({ from: ['delivered'], to: 'delivered', set: { openedAt: at(8) } })).toBeNull();
    const counts = plain(await h.storage.deliveries.counts('k1'));
    expect(counts).toMatchObject({ total: 1, attempts: 2, retries: 1, opened: 1, clicked: 1 });
    expect(counts.byStatus).toMatchObject({ delivered: 1, pending: 0, sending: 0, sent: 0, retrying: 0 });
    await expectRaw(h, 'delivery', 'd1', { status: 'delivered', attempts: 2, totalAttempts: 2, round: 1 });
  });

  it('counts of a campaign without deliveries are zero', async () => {
    expect(plain(await h.storage.deliveries.counts('empty'))).toEqual(emptyDeliveryCounts());
  });

  it('keeps the counters exact through random transition sequences', async () => {
    const random = seededRandom(20260101);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const model = new Map<string, Delivery>();
    const expected = new Map<string, DeliveryCounts>();
    const initial: Delivery[] = [];
    for (let i = 0; i < 60; i++) {
      const campaignId = i % 4 === 3 ? 'k2' : 'k1';
      const status: DeliveryStatus = i % 10 === 9 ? 'skipped' : 'pending';
      initial.push(delivery(`d${String(i).padStart(2, '0')}`, campaignId, { status }));
    }
    await h.storage.deliveries.createMany(initial);
    for (const d of initial) {
      model.set(d.id, d);
      const counts = expected.get(d.campaignId) ?? emptyDeliveryCounts();
      expected.set(d.campaignId, addDeliveryCounts(counts, deliveryCountsDelta(null, d)));
    }
    const ids = [...model.keys()];
    for (let batch = 0; batch < 80; batch++) {
      const chosen = new Set<string>();
      while (chosen.size < 6) chosen.add(pick(ids));
      const transitions: DeliveryTransition[] = [...chosen].map((id, k) => {
        const d = model.get(id) as Delivery;
        const to = pick(DELIVERY_STATUSES);
        const from = random() < 0.85 ? [d.status] : [pick(DELIVERY_STATUSES)];
        const newRound = d.status === 'failed' && to === 'queued';
        return {
          id,
          from,
          to,
          at: at(batch * 100 + k),
          ...(random() < 0.3 ? { round: random() < 0.8 ? d.round : d.round + 1 } : {}),
          ...(random() < 0.3 ? { attempts: random() < 0.8 ? d.attempts : d.attempts + 1 } : {}),
          set: {
            ...(to === 'sending' ? { attempts: d.attempts + 1 } : {}),
            ...(newRound ? { round: d.round + 1, attempts: 0 } : {}),
            ...(to === 'sent' && random() < 0.5 ? { vendorMessageId: `v-${batch}-${k}` } : {}),
            ...(to === 'delivered' && random() < 0.5 ? { openedAt: at(batch) } : {}),
            ...(to === 'delivered' && random() < 0.3 ? { clickedAt: at(batch) } : {}),
          },
        };
      });
      const results = await h.storage.deliveries.transitionMany(transitions);
      expect(results).toHaveLength(transitions.length);
      transitions.forEach((t, k) => {
        const before = model.get(t.id) as Delivery;
        const after = applyDeliveryTransition(before, t);
        const got = results[k] ?? null;
        expect(got?.status ?? null, `batch ${batch} transition ${k} (${before.status} → ${t.to})`).toBe(
          after?.status ?? null,
        );
        if (after === null || got === null) return;
        expect({ round: got.round, attempts: got.attempts, totalAttempts: got.totalAttempts }).toEqual({
          round: after.round,
          attempts: after.attempts,
          totalAttempts: after.totalAttempts,
        });
        model.set(t.id, after);
        const counts = expected.get(after.campaignId) as DeliveryCounts;
        expected.set(after.campaignId, addDeliveryCounts(counts, deliveryCountsDelta(before, after)));
      });
      if (batch % 10 === 9 || batch === 79) {
        for (const campaignId of ['k1', 'k2']) {
          const counts = await h.storage.deliveries.counts(campaignId);
          expect(plain(counts)).toEqual(expected.get(campaignId));
          expectConsistent(
            counts,
            [...model.values()].filter((d) => d.campaignId === campaignId),
          );
        }
      }
    }
    for (const d of model.values()) {
      await expectRaw(h, 'delivery', d.id, { status: d.status, round: d.round, attempts: d.attempts });
    }
  });
}
