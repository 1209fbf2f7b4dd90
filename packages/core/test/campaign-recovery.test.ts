import { describe, expect, it } from 'vitest';
import {
  AdapterError,
  type Channel,
  createMemoryStorage,
  createMiniCrm,
  type JobQueue,
  type MiniCrm,
  type SimulatorChannel,
  type Storage,
} from '../src/index.js';
import {
  allDeliveries,
  drain,
  expectStatsMatchLog,
  type ManualCrm,
  manualCrm,
  settle,
  smsCampaign,
} from './support/campaign-harness.js';

/** Storage whose `deliveries.createMany` crashes once, on call number `failOn` (before or after writing). */
function crashingCreateMany(failOn: number, when: 'before' | 'after'): Storage {
  const base = createMemoryStorage();
  let calls = 0;
  return {
    ...base,
    deliveries: {
      ...base.deliveries,
      async createMany(deliveries) {
        calls++;
        if (calls === failOn && when === 'before') throw new Error('launcher died');
        const ids = await base.deliveries.createMany(deliveries);
        if (calls === failOn) throw new Error('launcher died after writing');
        return ids;
      },
    },
  };
}

/** A queue wrapper whose `enqueue` throws once, on call number `failOn`. */
function crashingEnqueue(queue: JobQueue, failOn: number): JobQueue {
  let calls = 0;
  return {
    ...queue,
    enqueue(jobs) {
      calls++;
      if (calls === failOn) return Promise.reject(new Error('queue connection lost'));
      return queue.enqueue(jobs);
    },
  };
}

/** A second engine ("another process") on the same storage, queue and clock. */
function otherProcess(h: ManualCrm, channel: Channel, storage: Storage = h.storage): MiniCrm {
  let n = 0;
  return createMiniCrm({
    clock: h.clock,
    storage,
    queue: h.queue,
    channels: [channel],
    ids: { next: (prefix) => `${prefix}other${++n}` },
    launchLeaseMs: 1000,
  });
}

/** Every audience member has exactly one delivery, and the campaign completed with every message sent once. */
async function expectCompleteWithoutDuplicates(crm: MiniCrm, sms: SimulatorChannel, id: string, n: number) {
  const campaign = await crm.campaigns.get(id);
  expect(campaign?.state).toBe('completed');
  expect(campaign?.audienceSize).toBe(n);
  const deliveries = await allDeliveries(crm, id);
  expect(deliveries).toHaveLength(n);
  expect(new Set(deliveries.map((d) => d.customerId)).size).toBe(n);
  const stats = await expectStatsMatchLog(crm, id);
  expect(stats.byStatus.sent).toBe(n);
  expect(sms.stats()).toMatchObject({ uniqueKeys: n, duplicateCalls: 0 });
}

describe('launch crash and resume', () => {
  for (const when of ['before', 'after'] as const) {
    it(`launch() again resumes a snapshot that died ${when} writing a batch`, async () => {
      const storage = crashingCreateMany(3, when);
      const h = await manualCrm({ customers: 23, crm: { storage, launchBatchSize: 5 } });
      const c = await smsCampaign(h.crm);
      const error = await h.crm.campaigns.launch(c.id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AdapterError);
      expect(error).toMatchObject({ code: 'ADAPTER_FAILED', operation: 'storage.deliveries.createMany' });
      const stalled = await h.crm.campaigns.get(c.id);
      expect(stalled?.state).toBe('running');
      expect(stalled?.launch).toMatchObject({ done: false, processed: 10 });
      expect(stalled?.audienceSize).toBe(10);
      expect((await h.crm.campaigns.stats(c.id)).total).toBe(when === 'before' ? 10 : 15);
      await settle(h); // the worker sends what was enqueued before the crash
      expect((await h.crm.campaigns.get(c.id))?.state).toBe('running');

      const resumed = await h.crm.campaigns.launch(c.id);
      expect(resumed.launch?.done).toBe(true);
      await drain(h, c.id);
      await expectCompleteWithoutDuplicates(h.crm, h.sms, c.id, 23);
    });
  }

  it("another process's upkeep resumes it once the lease has expired", async () => {
    const h = await manualCrm({
      customers: 17,
      wrapQueue: (queue) => crashingEnqueue(queue, 2),
      crm: { launchBatchSize: 4, launchLeaseMs: 1000 },
    });
    const c = await smsCampaign(h.crm);
    await expect(h.crm.campaigns.launch(c.id)).rejects.toMatchObject({
      code: 'ADAPTER_FAILED',
      operation: 'queue.enqueue',
    });
    const other = otherProcess(h, h.sms);
    await other.campaigns.resumeStalledLaunches();
    expect((await other.campaigns.stats(c.id)).total).toBe(8); // lease still held: nothing resumed
    h.clock.advance(1000);
    await other.campaigns.resumeStalledLaunches();
    expect((await other.campaigns.get(c.id))?.launch?.done).toBe(true);
    const worker = other.createWorker();
    await drain({ crm: other, clock: h.clock, worker }, c.id);
    await expectCompleteWithoutDuplicates(other, h.sms, c.id, 17);
  });
});

/** An `sms` channel that (optionally) passes the send on to `sim`, then never answers: its worker "dies". */
function dyingChannel(sim: SimulatorChannel, reachVendor: boolean): Channel {
  return {
    name: 'sms',
    async send(message, context) {
      if (reachVendor) await sim.send(message, context);
      return new Promise(() => {});
    },
  };
}

describe('worker crash', () => {
  it('jobs reserved and never acked are handed to another worker after the visibility timeout', async () => {
    const h = await manualCrm({ customers: 12, sim: { successRate: 0.7, seed: 5 } });
    const c = await smsCampaign(h.crm, { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 } });
    await h.crm.campaigns.launch(c.id);
    const lost = await h.queue.reserve({ max: 100, visibilityTimeoutMs: 5000 });
    expect(lost).toHaveLength(12);
    expect(await h.worker.processBatch(0)).toBe(0);
    h.clock.advance(5000);
    await drain(h, c.id);
    const stats = await expectStatsMatchLog(h.crm, c.id);
    expect(h.sms.stats().uniqueKeys).toBe(stats.attempts);
    expect(h.sms.stats().duplicateCalls).toBe(0);
    await h.queue.ack(lost); // the dead consumer's late ack changes nothing
    expect((await h.crm.campaigns.get(c.id))?.state).toBe('completed');
  });

  for (const reachVendor of [false, true]) {
    it(`a delivery claimed by a worker that died ${reachVendor ? 'after' : 'before'} calling the vendor is finished once`, async () => {
      const h = await manualCrm({
        customers: 10,
        sim: { successRate: 0.6, seed: 9 },
        crm: { retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 } },
      });
      const dead = otherProcess(h, dyingChannel(h.sms, reachVendor));
      const c = await smsCampaign(h.crm);
      await h.crm.campaigns.launch(c.id);
      void dead.createWorker({ visibilityTimeoutMs: 5000 }).processBatch(0);
      await settle(h);
      const claimed = await h.crm.campaigns.stats(c.id);
      expect(claimed.byStatus.sending).toBe(10);
      expect(claimed.attempts).toBe(10);
      expect(await h.worker.processBatch(0)).toBe(0);

      h.clock.advance(5000);
      await drain(h, c.id);
      const stats = await expectStatsMatchLog(h.crm, c.id);
      expect(stats.byStatus.sending).toBe(0);
      const sim = h.sms.stats();
      expect(sim.uniqueKeys).toBe(stats.attempts);
      // Only the keys the dead worker already sent with are seen again, answered from the vendor's record.
      expect(sim.duplicateCalls).toBe(reachVendor ? 10 : 0);
      const failed = stats.byStatus.failed;
      expect(stats.attempts).toBe(10 + stats.retries);
      expect(stats.byStatus.sent + failed).toBe(10);
      for (const d of await allDeliveries(h.crm, c.id)) {
        expect(d.totalAttempts).toBe(d.status === 'failed' ? 2 : d.attempts);
      }
    });
  }
});
