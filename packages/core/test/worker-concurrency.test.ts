import { describe, expect, it } from 'vitest';
import {
  createMemoryJobQueue,
  createMiniCrm,
  createSimulatorChannel,
  type JobQueue,
  ValidationError,
} from '../src/index.js';
import { allDeliveries, expectStatsMatchLog, people, smsCampaign } from './support/campaign-harness.js';

/** A memory queue that records the most reserves in progress at once. */
function countingQueue() {
  const queue = createMemoryJobQueue();
  let inFlight = 0;
  let most = 0;
  const counting: JobQueue = {
    ...queue,
    async reserve(options) {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        return await queue.reserve(options);
      } finally {
        inFlight--;
      }
    },
  };
  return { queue: counting, most: () => most };
}

describe('worker concurrency', () => {
  it('refuses bad worker options, naming each', () => {
    const crm = createMiniCrm();
    try {
      crm.createWorker({ concurrency: 0, batchSize: 1.5 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems.map((p) => p.path)).toEqual([
        ['batchSize'],
        ['concurrency'],
      ]);
    }
  });

  it('runs several batches at once with exactly-once effects', async () => {
    const sms = createSimulatorChannel({ name: 'sms', successRate: 0.7, seed: 5 });
    const counting = countingQueue();
    const crm = createMiniCrm({
      channels: [sms],
      queue: counting.queue,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    });
    await crm.customers.upsert(people(300));
    const campaign = await smsCampaign(crm);
    const worker = crm.createWorker({ concurrency: 3, batchSize: 10, blockMs: 5 });
    worker.start();
    try {
      await crm.campaigns.launch(campaign.id);
      expect((await crm.waitForCampaign(campaign.id, { timeoutMs: 20_000 })).state).toBe('completed');
    } finally {
      await crm.close();
    }
    expect(counting.most()).toBeGreaterThanOrEqual(2);
    const stats = await expectStatsMatchLog(crm, campaign.id);
    expect(stats.byStatus.sent + stats.byStatus.failed).toBe(300);
    expect(stats.retries).toBeGreaterThan(0);
    const sim = sms.stats();
    expect(sim.duplicateCalls).toBe(0);
    expect(sim.uniqueKeys).toBe(stats.attempts);
    for (const d of await allDeliveries(crm, campaign.id)) expect(d.totalAttempts).toBe(d.attempts);
  });
});
