/**
 * Crash: three worker processes share one Redis queue; one is killed with SIGKILL in the middle of
 * a 10,000-recipient campaign. The campaign still completes, every delivery ends terminal exactly
 * once, the stats reconcile with the delivery log, and the shared vendor ledger shows that no
 * attempt was sent twice (the killed worker's jobs come back after the visibility timeout and the
 * survivors finish them with the same idempotency keys).
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

const N = 10_000;
const PREFIX = 'crash';
/** Settled share of the audience at which the first worker is killed. */
const KILL_AT = 0.3;

describe.skipIf(!hasRedisServer() && !process.env.CI)('crash: a worker process killed mid-campaign', () => {
  let engine: LaunchingEngine;
  const workers: WorkerProcess[] = [];

  // The test process only creates and launches the campaign; it runs no worker.
  beforeAll(async () => {
    engine = await startLaunchingEngine({ prefix: PREFIX, customers: N, launchBatchSize: 1000 });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await engine?.close();
  });

  it('completes with every delivery terminal once, reconciled stats and no attempt sent twice', async () => {
    const { crm, client, server } = engine;
    workers.push(
      ...(await Promise.all(
        ['w1', 'w2', 'w3'].map((name) =>
          // The vendor's answer takes a while to come back after each recorded send (longer for the
          // victim), so the kill can land between sends and their results being stored.
          startWorkerProcess({
            url: server.url,
            prefix: PREFIX,
            name,
            answerLatencyMs: name === 'w1' ? 100 : 2,
          }),
        ),
      )),
    );
    const [victim, ...survivors] = workers as [WorkerProcess, ...WorkerProcess[]];

    const campaign = await everyoneCampaign(crm, 'Crash');
    await crm.campaigns.launch(campaign.id);

    // Kill one worker once ~30% of the audience is settled.
    const settledAtKill = await waitUntilSettled(crm, campaign.id, N * KILL_AT);
    // …right after it sent a batch, while it waits for the vendor's answers: those messages are
    // sent, and their deliveries are `sending` in storage with the jobs in the victim's hands.
    await waitForNextSend(client, PREFIX, victim.name);
    await victim.kill();
    expect(victim.child.signalCode).toBe('SIGKILL');
    expect(settledAtKill).toBeLessThan(N * 0.9); // it really was the middle

    const done = await crm.waitForCampaign(campaign.id, { timeoutMs: 90_000 });
    const { stats, ledger } = await checkFinishedCampaign(crm, done, client, PREFIX, {
      expectedTotal: N,
      maxAttempts: SHARED_RETRY.maxAttempts,
    });
    console.log(
      `[crash] killed ${victim.name} at ${settledAtKill}/${N} settled; sent ${stats.byStatus.sent}, ` +
        `failed ${stats.byStatus.failed}, attempts ${stats.attempts}; vendor sends ${ledger.sends} ` +
        `(${JSON.stringify(ledger.bySender)}), duplicate calls answered from the ledger ${ledger.duplicates}`,
    );

    expect(stats.byStatus.sent + stats.byStatus.failed).toBe(N);
    expect(stats.byStatus.failed).toBeGreaterThan(0);
    // The victim's sent-but-unrecorded attempts were finished by a survivor with the same keys: the
    // vendor saw those keys again and sent nothing.
    expect(ledger.duplicates).toBeGreaterThan(0);
    expect(stats.retries).toBe(stats.attempts - N);
    // Every process took part; the survivors finished the campaign.
    expect(ledger.bySender.test ?? 0).toBe(0);
    for (const w of workers) expect(ledger.bySender[w.name] ?? 0).toBeGreaterThan(0);

    // The survivors stop gracefully.
    for (const w of survivors) expect(await w.stop()).toEqual({ code: 0, signal: null });
    for (const w of survivors) expect(w.output()).not.toMatch(/ERROR/);
  }, 120_000);
});
