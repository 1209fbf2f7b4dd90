/**
 * Graceful shutdown: of two worker processes sharing one Redis queue, one is stopped with SIGTERM
 * in the middle of a 5,000-recipient campaign, while it holds a batch whose vendor answers are on
 * their way. It finishes that batch and exits 0, holding no job (its consumer is gone from the
 * group): nothing it took waits for the visibility timeout, which is set far longer than the test
 * runs. The other process completes the campaign; stats reconcile, and the vendor ledger shows no
 * key called twice (nothing had to be redone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  everyoneCampaign,
  type LaunchingEngine,
  startLaunchingEngine,
  waitForNextSend,
} from './support/launching-engine.js';
import { hasRedisServer } from './support/redis-server.js';
import { checkFinishedCampaign, waitUntilSettled } from './support/vendor-ledger.js';
import { SHARED_RETRY, startWorkerProcess, type WorkerProcess } from './support/worker-process.js';

const N = 5000;
const PREFIX = 'shutdown';
/** Far longer than the test may take: a job left in a stopped worker's hands would never return in time. */
const VISIBILITY_TIMEOUT_MS = 600_000;

describe.skipIf(!hasRedisServer() && !process.env.CI)(
  'graceful shutdown of a worker process mid-campaign',
  () => {
    let engine: LaunchingEngine;
    const workers: WorkerProcess[] = [];

    beforeAll(async () => {
      engine = await startLaunchingEngine({ prefix: PREFIX, customers: N });
    });

    afterAll(async () => {
      await Promise.all(workers.map((w) => w.kill()));
      await engine?.close();
    });

    it('finishes the batch in hand, exits 0 holding no job, and the campaign completes without redoing anything', async () => {
      const { crm, client, queue, server } = engine;
      const [leaving, staying] = await Promise.all(
        // The leaving worker's vendor answers take 200 ms, so SIGTERM lands while a batch is in hand.
        [
          { name: 'leaving', answerLatencyMs: 200 },
          { name: 'staying', answerLatencyMs: 2 },
        ].map((w) =>
          startWorkerProcess({
            url: server.url,
            prefix: PREFIX,
            visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS,
            ...w,
          }),
        ),
      );
      workers.push(leaving as WorkerProcess, staying as WorkerProcess);
      const campaign = await everyoneCampaign(crm, 'Shutdown');
      await crm.campaigns.launch(campaign.id);

      const settledAtStop = await waitUntilSettled(crm, campaign.id, N * 0.2);
      // Right after it sent a batch: its deliveries are `sending`, their answers 200 ms away.
      const before = await waitForNextSend(client, PREFIX, 'leaving');
      expect(await (leaving as WorkerProcess).stop()).toEqual({ code: 0, signal: null });
      expect((leaving as WorkerProcess).output()).toContain('STOPPED leaving');
      expect(settledAtStop).toBeLessThan(N * 0.9); // it really was the middle

      // It left holding nothing: a consumer is dropped from the group on close only when it holds no job.
      const consumers = (await client.xinfo('CONSUMERS', queue.keys.stream, queue.group)) as unknown[][];
      const names = consumers.map((fields) => String(fields[fields.indexOf('name') + 1]));
      expect(names).toContain('staying');
      expect(names).not.toContain('leaving');

      const done = await crm.waitForCampaign(campaign.id, { timeoutMs: 60_000 });
      const { stats, ledger } = await checkFinishedCampaign(crm, done, client, PREFIX, {
        expectedTotal: N,
        maxAttempts: SHARED_RETRY.maxAttempts,
      });
      expect(stats.byStatus.sent + stats.byStatus.failed).toBe(N);
      expect(ledger.duplicates).toBe(0); // nothing the leaving worker started had to be redone
      expect(ledger.bySender.leaving ?? 0).toBeGreaterThan(before);
      expect(ledger.bySender.staying ?? 0).toBeGreaterThan(0);
      expect(ledger.bySender.test ?? 0).toBe(0);
      expect((leaving as WorkerProcess).output()).not.toMatch(/ERROR/);
      expect(await (staying as WorkerProcess).stop()).toEqual({ code: 0, signal: null });
    }, 120_000);
  },
);
