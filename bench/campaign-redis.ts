/**
 * campaign-redis: a 100,000-recipient campaign on Redis storage + Redis queue (+ Redis bus), sent by
 * ONE worker process (bench/redis-worker-process.ts, on the built packages), from `launch` (in this
 * process) to `completed`: deliveries/s. Measured in the same run, on the same redis-server (started
 * here from PATH on a free port):
 * - BullMQ adding and processing 100,000 no-op jobs with one worker, at its default concurrency (1)
 *   and at concurrency 50;
 * - a raw pipelined XADD, then XREADGROUP + XACK loop: the ceiling of any queue on Redis Streams;
 * - the same campaign with TWO worker processes, to show it scales.
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
 * `BENCH_REDIS_PROFILE=1` writes a CPU profile of each worker process to .tmp/redis-worker-prof/
 * and prints where Redis spent its time (baselines skipped, one run).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRedisEventBus, createRedisJobQueue, createRedisStorage } from '@minicrm/adapters-redis';
import { createMiniCrm, createSimulatorChannel } from '@minicrm/core';
import { Redis } from 'ioredis';
import { startRedisServer } from '../packages/adapters-redis/test/support/redis-server.js';
import { bullmqRate, rawStreamsRate } from './redis-baselines.js';
import { report, result } from './result.js';

const N = Number(process.env.BENCH_REDIS_N ?? 100_000);
const PREFIX = 'bench';
const BATCH_SIZE = Number(process.env.BENCH_REDIS_BATCH ?? 1000);
const REPEAT = Math.max(1, Number(process.env.BENCH_REDIS_REPEAT ?? 3));
const root = fileURLToPath(new URL('..', import.meta.url));
const workerFile = fileURLToPath(new URL('redis-worker-process.ts', import.meta.url));
const fmt = (x: number) => Math.round(x).toLocaleString('en');

interface WorkerProcess {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

async function startWorker(url: string, name: string): Promise<WorkerProcess> {
  const profile = profiling ? ['--cpu-prof', '--cpu-prof-dir=.tmp/redis-worker-prof'] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', workerFile], {
    cwd: root,
    env: {
      ...process.env,
      REDIS_URL: url,
      MINICRM_PREFIX: PREFIX,
      WORKER_NAME: name,
      BATCH_SIZE: String(BATCH_SIZE),
      WORKER_CONCURRENCY: process.env.BENCH_WORKER_CONCURRENCY ?? '2',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes(`READY ${name}`)) resolve();
    });
    void exited.then((code) => reject(new Error(`worker ${name} exited (${code}) before it was ready`)));
  });
  return {
    child,
    output: () => text,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`worker ${name} exited with ${code}:\n${text}`);
    },
  };
}

const profiling = process.env.BENCH_REDIS_PROFILE === '1';

/** CPU seconds redis-server has used (user + system), from INFO. */
async function redisCpuSeconds(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** The commands redis-server spent most time in since the last RESETSTAT (for profiling). */
async function topCommands(client: Redis): Promise<string> {
  const info = await client.info('commandstats');
  const rows = [...info.matchAll(/cmdstat_(\S+?):calls=(\d+),usec=(\d+)/g)]
    .map(([, name, calls, usec]) => ({ name, calls: Number(calls), ms: Number(usec) / 1000 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 8);
  return rows.map((r) => `  ${r.name}: ${r.calls} calls, ${r.ms.toFixed(0)} ms`).join('\n');
}

/**
 * Time per Lua script since profiling began, from the slow log (which, while profiling, logs every
 * command over 100 µs), named by the script's first key, since the sha alone says little.
 */
async function topScripts(client: Redis): Promise<string> {
  const log = (await client.slowlog('GET', -1)) as [number, number, number, string[]][];
  const rows = new Map<string, { calls: number; ms: number }>();
  for (const [, , usec, args] of log) {
    if (String(args[0]).toLowerCase() !== 'evalsha') continue;
    const name = `${String(args[1]).slice(0, 8)} ${String(args[3] ?? '')
      .replace(/^\{[^}]*\}/, '')
      .replace(/[~].*$/, '')}`;
    const row = rows.get(name) ?? { calls: 0, ms: 0 };
    row.calls++;
    row.ms += usec / 1000;
    rows.set(name, row);
  }
  return [...rows]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([name, r]) => `  script ${name}: ${r.calls} calls, ${r.ms.toFixed(0)} ms`)
    .join('\n');
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Deletes a finished campaign's deliveries, index and counters (they share its hash tag). */
async function deleteCampaignKeys(client: Redis, campaignId: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `{${PREFIX}:cmp:${campaignId}}:*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
}

interface CampaignRun {
  readonly seconds: number;
  readonly deliveriesPerSecond: number;
}

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

    const runCampaign = async (workerCount: number): Promise<CampaignRun> => {
      const workers = await Promise.all(
        Array.from({ length: workerCount }, (_, i) => startWorker(url, `bench-w${workerCount}-${i + 1}`)),
      );
      const campaign = await crm.campaigns.create({
        name: `Benchmark, ${workerCount} worker process(es)`,
        channel: 'sms',
        template: "Hi {{ customer.name }}, here's 10% off on your next order!",
        rules: { combinator: 'and', rules: [{ field: 'name', operator: 'exists' }] },
      });
      if (profiling) {
        await client.config('RESETSTAT');
        await client.config('SET', 'slowlog-max-len', '100000');
        await client.config('SET', 'slowlog-log-slower-than', '100'); // µs: skips the commands scripts run
        await client.slowlog('RESET');
      }
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
      await deleteCampaignKeys(client, campaign.id);
      if (
        done.state !== 'completed' ||
        stats.total !== N ||
        stats.byStatus.sent + stats.byStatus.failed !== N
      ) {
        throw new Error(`campaign did not settle every delivery: ${JSON.stringify(stats)}`);
      }
      const ends = workers
        .map((w) => /STOPPED \S+ (\{.*\})/.exec(w.output())?.[1])
        .map((json) =>
          json === undefined
            ? { calls: 0, cpuSeconds: 0 }
            : (JSON.parse(json) as { calls: number; cpuSeconds: number }),
        );
      const sends = ends.map((e) => e.calls);
      console.log(
        `campaign, ${workerCount} worker process(es): ${seconds.toFixed(2)} s, ` +
          `${fmt(N / seconds)} deliveries/s (launch done after ${launched.toFixed(2)} s); CPU s: redis-server ` +
          `${redisCpu.toFixed(1)}, launching process ${((ownCpu.user + ownCpu.system) / 1e6).toFixed(1)}, ` +
          `worker(s) ${ends.map((e) => e.cpuSeconds.toFixed(1)).join(' + ')}; ` +
          `sent ${stats.byStatus.sent}, failed ${stats.byStatus.failed}, ` +
          `attempts ${stats.attempts}; sends per process ${sends.join(' / ')}`,
      );
      return { seconds, deliveriesPerSecond: N / seconds };
    };

    // The headline pair, interleaved.
    const ours: number[] = [];
    const bullmq: number[] = [];
    for (let r = 1; r <= (profiling ? 1 : REPEAT); r++) {
      const b = profiling ? Number.NaN : await bullmqRate(url, N, 1);
      console.log(`run ${r}: BullMQ, 1 worker, concurrency 1: ${fmt(b)} jobs/s`);
      const o = (await runCampaign(1)).deliveriesPerSecond;
      console.log(`run ${r}: ratio ${(o / b).toFixed(2)}×`);
      ours.push(o);
      bullmq.push(b);
    }
    const one = { deliveriesPerSecond: median(ours) };
    const bullmq1 = median(bullmq);
    console.log(
      `median of ${ours.length}: ours ${fmt(one.deliveriesPerSecond)} deliveries/s, ` +
        `BullMQ c=1 ${fmt(bullmq1)} jobs/s; per-run ratios ${ours.map((o, i) => (o / (bullmq[i] as number)).toFixed(2)).join(', ')}`,
    );
    const two = await runCampaign(2);
    await crm.close();
    await queue.close();
    await bus.close();
    await storage.close();
    await client.quit();

    report([
      result(
        'campaign-redis',
        'deliveries/s',
        one.deliveriesPerSecond,
        'BullMQ: 1 worker, concurrency 1 (default), no-op jobs',
        bullmq1,
      ),
      result(
        'campaign-redis-vs-bullmq-c50',
        'deliveries/s',
        one.deliveriesPerSecond,
        'BullMQ: 1 worker, concurrency 50, no-op jobs',
        bullmq50,
      ),
      result(
        'campaign-redis-vs-raw-streams',
        'deliveries/s',
        one.deliveriesPerSecond,
        'raw XADD + XREADGROUP/XACK loop (ceiling)',
        raw,
      ),
      result(
        'campaign-redis-2-workers',
        'deliveries/s',
        two.deliveriesPerSecond,
        'same campaign, 1 worker process',
        one.deliveriesPerSecond,
      ),
    ]);
  } finally {
    await server.stop();
  }
}

await main();
