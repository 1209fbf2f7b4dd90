import { describe, expect, it } from 'vitest';
import type { Delivery, Worker } from '../src/index.js';
import { inFlightRecheckDelay } from '../src/worker/worker.js';
import { allDeliveries, manualCrm, smsCampaign } from './support/campaign-harness.js';

describe('a retry handed out before its delivery moved to retrying', () => {
  it('is taken again after a few milliseconds, not after the full in-flight recheck', async () => {
    // Another worker is handed each retry between its enqueue and the delivery's move to
    // `retrying` (the order settleFailedAttempts writes them in), and has to give it back.
    let other: Worker | undefined;
    let early = 0;
    const h = await manualCrm({
      customers: 3,
      sim: { successRate: 0 },
      crm: { retry: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 } },
      worker: { inFlightRecheckMs: 1000 },
      wrapQueue: (queue) => ({
        ...queue,
        async enqueue(jobs) {
          const added = await queue.enqueue(jobs);
          if (jobs.some((j) => j.payload.attempt === 2)) early += await (other as Worker).processBatch(0);
          return added;
        },
      }),
    });
    other = h.crm.createWorker({ inFlightRecheckMs: 1000 });
    const campaign = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(campaign.id);

    expect(await h.worker.processBatch(0)).toBe(3); // first attempts: all fail, retries enqueued
    expect(early).toBe(3); // ... and handed to the other worker too early, which released them
    let deliveries = await allDeliveries(h.crm, campaign.id);
    expect(deliveries.map((d) => [d.status, d.attempts])).toEqual([
      ['retrying', 1],
      ['retrying', 1],
      ['retrying', 1],
    ]);

    h.clock.advance(9);
    expect(await h.worker.processBatch(0)).toBe(0); // not yet
    h.clock.advance(1);
    expect(await h.worker.processBatch(0)).toBe(3); // 10 ms after the release, not 1000
    deliveries = await allDeliveries(h.crm, campaign.id);
    expect(deliveries.map((d) => [d.status, d.attempts])).toEqual([
      ['failed', 2],
      ['failed', 2],
      ['failed', 2],
    ]);
    expect(h.sms.stats()).toMatchObject({ calls: 6, uniqueKeys: 6, duplicateCalls: 0 });
  });
});

describe('inFlightRecheckDelay', () => {
  const changedAt = (ms: number) => ({ updatedAt: new Date(ms) }) as Delivery;

  it('waits about as long as the delivery has been in flight, from 10 ms up to the maximum', () => {
    expect(inFlightRecheckDelay(changedAt(1000), 1000, 1000)).toBe(10);
    expect(inFlightRecheckDelay(changedAt(1000), 1004, 1000)).toBe(10);
    expect(inFlightRecheckDelay(changedAt(1000), 1300, 1000)).toBe(300);
    expect(inFlightRecheckDelay(changedAt(1000), 60_000, 1000)).toBe(1000);
    // Another process's clock may run ahead: a negative age still waits the minimum.
    expect(inFlightRecheckDelay(changedAt(5000), 1000, 1000)).toBe(10);
    // A maximum below the minimum wins.
    expect(inFlightRecheckDelay(changedAt(1000), 1000, 3)).toBe(3);
  });
});
