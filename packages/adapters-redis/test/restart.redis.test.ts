/**
 * Restart: the redis-server the test started (AOF on, `appendfsync always`) goes away in the middle
 * of a 10,000-recipient campaign — killed with SIGKILL, or shut down gracefully — and comes back on
 * the same port and data. Two worker processes and the test's bus subscriber reconnect on their own
 * (ioredis retries; commands wait with `maxRetriesPerRequest: null`); the campaign completes with
 * nothing lost (the same reconciliation as the crash test: stats, delivery log and the vendor
 * ledger, which lives in the same Redis), and live events published after the restart arrive.
 */
import { createMiniCrm, type MiniCrm, type MiniCrmEvents } from '@minicrm/core';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisEventBus, createRedisJobQueue, createRedisStorage } from '../src/index.js';
import { hasRedisServer, type RedisServerProcess, startRedisServer } from './support/redis-server.js';
import {
  checkFinishedCampaign,
  createVendorLedgerChannel,
  waitUntilSettled,
} from './support/vendor-ledger.js';
import {
  LEDGER_SEED,
  SHARED_RETRY,
  startWorkerProcess,
  type WorkerProcess,
} from './support/worker-process.js';

const N = 10_000;
const PREFIX = 'restart';
/** Settled share of the audience at which Redis goes away. */
const OUTAGE_AT = 0.3;
/** How long Redis stays down. */
const OUTAGE_MS = 500;

interface Received<T> {
  readonly receivedAt: number;
  readonly payload: T;
}

describe.skipIf(!hasRedisServer() && !process.env.CI)('restart: Redis restarted mid-campaign', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  });

  for (const mode of ['SIGKILL', 'graceful shutdown'] as const) {
    it(`completes with nothing lost after a ${mode} and restart; workers and the bus reconnect`, async () => {
      const server: RedisServerProcess = await startRedisServer({ appendonly: true });
      cleanup.push(() => server.stop());
      const client = new Redis(server.url, { maxRetriesPerRequest: null });
      client.on('error', () => {}); // refused while Redis is down; ioredis reconnects
      cleanup.push(async () => client.disconnect());
      const storage = createRedisStorage({ client, prefix: PREFIX });
      const queue = createRedisJobQueue({ client, prefix: PREFIX });
      const bus = createRedisEventBus({ client, prefix: PREFIX, onError: () => {} });
      cleanup.push(
        () => bus.close(),
        () => queue.close(),
      );
      const crm: MiniCrm = createMiniCrm({
        storage,
        queue,
        bus,
        channels: [createVendorLedgerChannel({ client, prefix: PREFIX, sender: 'test', seed: LEDGER_SEED })],
        retry: SHARED_RETRY,
        launchBatchSize: 1000,
      });
      cleanup.push(() => crm.close());
      const customers = Array.from({ length: N }, (_, i) => ({
        id: `cus_${String(i).padStart(5, '0')}`,
        name: `Customer ${i}`,
        phone: `+1555${String(i).padStart(7, '0')}`,
      }));
      for (let i = 0; i < N; i += 2000) await crm.customers.upsert(customers.slice(i, i + 2000));

      // The live events this process receives from the workers' processes.
      const statsEvents: Received<MiniCrmEvents['campaign.stats']>[] = [];
      const stateEvents: Received<MiniCrmEvents['campaign.state']>[] = [];
      await bus.subscribe('campaign.stats', (payload) =>
        statsEvents.push({ receivedAt: Date.now(), payload }),
      );
      await bus.subscribe('campaign.state', (payload) =>
        stateEvents.push({ receivedAt: Date.now(), payload }),
      );

      const workers: WorkerProcess[] = await Promise.all(
        ['w1', 'w2'].map((name) =>
          startWorkerProcess({ url: server.url, prefix: PREFIX, name, answerLatencyMs: 2 }),
        ),
      );
      cleanup.push(() => Promise.all(workers.map((w) => w.kill())));

      const campaign = await crm.campaigns.create({
        name: 'Restart',
        channel: 'sms',
        template: 'Hi {{ customer.name }}, 10% off today!',
        rules: { combinator: 'and', rules: [{ field: 'name', operator: 'exists' }] },
      });
      await crm.campaigns.launch(campaign.id);

      const settledAtOutage = await waitUntilSettled(crm, campaign.id, N * OUTAGE_AT);
      if (mode === 'SIGKILL') await server.kill();
      else await server.stop({ keepDir: true });
      // Redis is down from here: stats read after this instant were read from the restarted server.
      const downAt = Date.now();
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      await server.restart();
      expect(settledAtOutage).toBeLessThan(N * 0.9); // it really was the middle

      const done = await crm.waitForCampaign(campaign.id, { timeoutMs: 90_000 });
      const { stats, ledger } = await checkFinishedCampaign(crm, done, client, PREFIX, {
        expectedTotal: N,
        maxAttempts: SHARED_RETRY.maxAttempts,
      });
      expect(stats.byStatus.sent + stats.byStatus.failed).toBe(N);
      expect(stats.retries).toBe(stats.attempts - N);

      // The bus reconnected: stats events read and published after the restart arrived, with
      // progress made after the outage, and the completion reached this process.
      await expect
        .poll(() => stateEvents.some((e) => e.payload.to === 'completed'), { timeout: 5000 })
        .toBe(true);
      const afterRestart = statsEvents.filter((e) => e.payload.at > downAt);
      const timeline = [...statsEvents, ...stateEvents]
        .sort((a, b) => a.receivedAt - b.receivedAt)
        .map(
          (e) =>
            `${e.receivedAt - downAt}ms:${'byStatus' in e.payload ? e.payload.byStatus.sent : e.payload.to}`,
        );
      expect(afterRestart.length, `events around the outage: ${timeline.join(' ')}`).toBeGreaterThan(0);
      const latest = Math.max(
        ...afterRestart.map(
          (e) => e.payload.byStatus.sent + e.payload.byStatus.failed + e.payload.byStatus.skipped,
        ),
      );
      expect(latest).toBeGreaterThan(settledAtOutage);

      // The workers rode it out and stop gracefully.
      for (const w of workers) expect(w.child.exitCode).toBeNull();
      const outputs = workers.map((w) => w.output());
      for (const w of workers) expect(await w.stop()).toEqual({ code: 0, signal: null });
      const errors = outputs.join('').match(/ERROR.*/g) ?? [];
      console.log(
        `[restart/${mode}] outage at ${settledAtOutage}/${N} settled; sent ${stats.byStatus.sent}, ` +
          `failed ${stats.byStatus.failed}, attempts ${stats.attempts}; vendor sends ${ledger.sends}, ` +
          `duplicate calls ${ledger.duplicates}; ${statsEvents.length} stats events ` +
          `(${afterRestart.length} after the restart); worker errors logged: ${errors.length}` +
          (errors.length > 0 ? `\n  ${[...new Set(errors)].slice(0, 5).join('\n  ')}` : ''),
      );
    }, 120_000);
  }
});
