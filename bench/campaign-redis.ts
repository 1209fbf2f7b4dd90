/**
 * campaign-redis: a 100,000-recipient campaign on Redis storage + Redis queue (+ Redis bus), sent by
 * ONE worker process (bench/redis-worker-process.ts, on the built packages), from `launch` (in this
 * process) to `completed`: deliveries/s. Measured in the same run, on the same redis-server (started
 * here from PATH on a free port):
 * - BullMQ adding and processing 100,000 no-op jobs with one worker, at its default concurrency (1)
 *   and at concurrency 50;
 * - a raw pipelined XADD, then XREADGROUP + XACK loop: the ceiling of any queue on Redis Streams;
 * - the same campaign with TWO worker processes (on this 2-vCPU machine they contend for the cores the
 *   first one already keeps busy, with redis-server and the launcher);
 * - a 20,000-recipient campaign whose vendor takes 100 ms to answer each send, with 1, 2 and 3 worker
 *   processes of 100-job batches, two in progress: bound by the sends each process keeps in flight,
 *   not by CPU, so it shows what adding worker processes does.
 *
 * The engine runs with its defaults (launch batches of 1,000); each worker process takes batches of
 * 1,000 jobs, two batches in progress at once (`concurrency: 2`), so one batch's round trips to
 * Redis overlap the other's work.
 *
 * The headline pair (our campaign with one worker process, BullMQ at concurrency 1) runs three
 * times, interleaved, so both sides see the same drift of the machine; each side's figure is the
 * median of its runs, and every run is printed. Each campaign's keys are deleted after its run, as
 * BullMQ's queue is, so every run starts from the same data.
 *
 * Run alone: `pnpm tsx bench/campaign-redis.ts` (after building core and the Redis adapter).
 * `BENCH_REDIS_N` changes the audience size, `BENCH_REDIS_REPEAT` the interleaved runs (default 3),
 * `BENCH_WORKER_CONCURRENCY` the batches in progress per worker process (default 2);
 * `BENCH_REDIS_LATENCY_MS` the vendor's answer time in the scaling runs (default 100);
 * `BENCH_REDIS_PROFILE=1` writes a CPU profile of each worker process to .tmp/redis-worker-prof/
 * and prints where Redis spent its time (baselines and scaling runs skipped, one run).
 */
import { createRedisEventBus, createRedisJobQueue, createRedisStorage } from '@minicrm/adapters-redis';
import { createMiniCrm, createSimulatorChannel, type RuleGroup } from '@minicrm/core';
import { Redis } from 'ioredis';
import { startRedisServer } from '../packages/adapters-redis/test/support/redis-server.js';
import { bullmqRate, rawStreamsRate } from './redis-baselines.js';
import {
  deleteCampaignKeys,
  median,
  redisCpuSeconds,
  startRedisProfile,
  startWorker,
  topCommands,
  topScripts,
  workerEnd,
} from './redis-bench-support.js';
import { report, result } from './result.js';

const N = Number(process.env.BENCH_REDIS_N ?? 100_000);
const PREFIX = 'bench';
const BATCH_SIZE = Number(process.env.BENCH_REDIS_BATCH ?? 1000);
const REPEAT = Math.max(1, Number(process.env.BENCH_REDIS_REPEAT ?? 3));
const CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 2);
const LATENCY_MS = Number(process.env.BENCH_REDIS_LATENCY_MS ?? 100);
const profiling = process.env.BENCH_REDIS_PROFILE === '1';
const fmt = (x: number) => Math.round(x).toLocaleString('en');

/** One kind of campaign run: its audience and how its worker processes are set up. */
interface Scenario {
  readonly label: string;
  readonly rules: RuleGroup;
  /** Audience size the rules select. */
  readonly audience: number;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly latencyMs: number;
}

/** Every customer: the CPU-bound campaign. */
const cpuBound: Scenario = {
  label: 'no vendor latency',
  rules: { combinator: 'and', rules: [{ field: 'name', operator: 'exists' }] },
  audience: N,
  batchSize: BATCH_SIZE,
  concurrency: CONCURRENCY,
  latencyMs: 0,
};

/** A fifth of the customers (phones ending in 3 or 7), each send answered after LATENCY_MS. */
const vendorBound: Scenario = {
  label: `vendor answers in ${LATENCY_MS} ms`,
  rules: {
    combinator: 'or',
    rules: [
      { field: 'phone', operator: 'endsWith', value: '3' },
      { field: 'phone', operator: 'endsWith', value: '7' },
    ],
  },
  audience: Math.floor(N / 5),
  batchSize: 100,
  concurrency: 2,
  latencyMs: LATENCY_MS,
};

async function main(): Promise<void> {
  const server = await startRedisServer();
  const url = server.url;
  try {
    // The other baselines first, each on an empty Redis (skipped when profiling).
    const raw = profiling ? Number.NaN : await rawStreamsRate(url, N);
    console.log(`raw XADD / XREADGROUP + XACK: ${fmt(raw)} jobs/s`);
    const bullmq50 = profiling ? Number.NaN : await bullmqRate(url, N, 50);
    console.log(`BullMQ, 1 worker, concurrency 50: ${fmt(bullmq50)} jobs/s`);

    const client = new Redis(url, { maxRetriesPerRequest: null });
    await client.flushall();
    const storage = createRedisStorage({ client, prefix: PREFIX });
    const queue = createRedisJobQueue({ client, prefix: PREFIX });
    const bus = createRedisEventBus({ client, prefix: PREFIX });
    const crm = createMiniCrm({
      storage,
      queue,
      bus,
      channels: [createSimulatorChannel({ name: 'sms', seed: 7 })],
      retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
    });
    const t0 = performance.now();
    for (let i = 0; i < N; i += 5000) {
      const customers = [];
      for (let j = i; j < Math.min(N, i + 5000); j++) {
        customers.push({
          id: `cust-${String(j).padStart(7, '0')}`,
          name: `Customer ${j}`,
          phone: `+1555${String(j).padStart(7, '0')}`,
        });
      }
      await crm.customers.upsert(customers);
    }
    console.log(`loaded ${fmt(N)} customers into Redis in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    /** Launches one campaign of `scenario` with `workerCount` fresh worker processes: deliveries/s. */
    const runCampaign = async (scenario: Scenario, workerCount: number): Promise<number> => {
      const workers = await Promise.all(
        Array.from({ length: workerCount }, (_, i) =>
          startWorker({
            url,
            prefix: PREFIX,
            name: `bench-w${workerCount}-${i + 1}`,
            batchSize: scenario.batchSize,
            concurrency: scenario.concurrency,
            latencyMs: scenario.latencyMs,
            profile: profiling,
          }),
        ),
      );
      const campaign = await crm.campaigns.create({
        name: `Benchmark, ${scenario.label}, ${workerCount} worker process(es)`,
        channel: 'sms',
        template: "Hi {{ customer.name }}, here's 10% off on your next order!",
        rules: scenario.rules,
      });
      if (profiling) await startRedisProfile(client);
      const cpu0 = await redisCpuSeconds(client);
      const ownCpu0 = process.cpuUsage();
      const start = performance.now();
      await crm.campaigns.launch(campaign.id);
      const launched = (performance.now() - start) / 1000;
      const done = await crm.waitForCampaign(campaign.id, { timeoutMs: 900_000 });
      const seconds = (performance.now() - start) / 1000;
      const redisCpu = (await redisCpuSeconds(client)) - cpu0;
      const ownCpu = process.cpuUsage(ownCpu0);
      if (profiling) console.log(`${await topCommands(client)}\n${await topScripts(client)}`);
      await Promise.all(workers.map((w) => w.stop()));
      const stats = await crm.campaigns.stats(campaign.id);
      await deleteCampaignKeys(client, PREFIX, campaign.id);
      const n = scenario.audience;
      if (
        done.state !== 'completed' ||
        stats.total !== n ||
        stats.byStatus.sent + stats.byStatus.failed !== n
      ) {
        throw new Error(`campaign did not settle every delivery: ${JSON.stringify(stats)}`);
      }
      const ends = workers.map(workerEnd);
      console.log(
        `campaign (${scenario.label}), ${fmt(n)} recipients, ${workerCount} worker process(es): ` +
          `${seconds.toFixed(2)} s, ${fmt(n / seconds)} deliveries/s (launch done after ${launched.toFixed(2)} s); ` +
          `CPU s: redis-server ${redisCpu.toFixed(1)}, launching process ` +
          `${((ownCpu.user + ownCpu.system) / 1e6).toFixed(1)}, worker(s) ` +
          `${ends.map((e) => e.cpuSeconds.toFixed(1)).join(' + ')}; sent ${stats.byStatus.sent}, ` +
          `failed ${stats.byStatus.failed}, attempts ${stats.attempts}; sends per process ` +
          `${ends.map((e) => e.calls).join(' / ')}`,
      );
      return n / seconds;
    };

    // The headline pair, interleaved.
    const ours: number[] = [];
    const bullmq: number[] = [];
    for (let r = 1; r <= (profiling ? 1 : REPEAT); r++) {
      const b = profiling ? Number.NaN : await bullmqRate(url, N, 1);
      console.log(`run ${r}: BullMQ, 1 worker, concurrency 1: ${fmt(b)} jobs/s`);
      const o = await runCampaign(cpuBound, 1);
      console.log(`run ${r}: ratio ${(o / b).toFixed(2)}×`);
      ours.push(o);
      bullmq.push(b);
    }
    const one = median(ours);
    const bullmq1 = median(bullmq);
    console.log(
      `median of ${ours.length}: ours ${fmt(one)} deliveries/s, BullMQ c=1 ${fmt(bullmq1)} jobs/s; ` +
        `per-run ratios ${ours.map((o, i) => (o / (bullmq[i] as number)).toFixed(2)).join(', ')}`,
    );
    const two = await runCampaign(cpuBound, 2);
    const scaling = profiling
      ? [Number.NaN, Number.NaN, Number.NaN]
      : [
          await runCampaign(vendorBound, 1),
          await runCampaign(vendorBound, 2),
          await runCampaign(vendorBound, 3),
        ];
    await crm.close();
    await queue.close();
    await bus.close();
    await storage.close();
    await client.quit();

    const [v1, v2, v3] = scaling as [number, number, number];
    const vendor = `${fmt(vendorBound.audience)} recipients, vendor answers in ${LATENCY_MS} ms`;
    report([
      result(
        'campaign-redis',
        'deliveries/s',
        one,
        'BullMQ: 1 worker, concurrency 1 (default), no-op jobs',
        bullmq1,
      ),
      result(
        'campaign-redis-vs-bullmq-c50',
        'deliveries/s',
        one,
        'BullMQ: 1 worker, concurrency 50, no-op jobs',
        bullmq50,
      ),
      result(
        'campaign-redis-vs-raw-streams',
        'deliveries/s',
        one,
        'raw XADD + XREADGROUP/XACK loop (ceiling)',
        raw,
      ),
      result('campaign-redis-2-workers', 'deliveries/s', two, 'same campaign, 1 worker process', one),
      result('campaign-redis-vendor-2-workers', 'deliveries/s', v2, `${vendor}: 1 worker process`, v1),
      result('campaign-redis-vendor-3-workers', 'deliveries/s', v3, `${vendor}: 1 worker process`, v1),
    ]);
  } finally {
    await server.stop();
  }
}

await main();
