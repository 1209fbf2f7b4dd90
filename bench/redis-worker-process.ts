/**
 * One MiniCRM worker process for the campaign-redis benchmark, on the built packages: Redis storage,
 * queue and bus on its own ioredis client, a simulator `sms` channel (90/10, the same seed in every
 * process, so outcomes do not depend on which process sends; zero latency unless `SIM_LATENCY_MS`).
 *
 * Configured by the environment: `REDIS_URL`, `MINICRM_PREFIX`, `WORKER_NAME`, `BATCH_SIZE`,
 * `WORKER_CONCURRENCY`, `SIM_LATENCY_MS` (the simulated vendor's answer time, default 0). Prints
 * `READY <name>` once consuming; on SIGTERM stops gracefully, prints `STOPPED <name> <json stats>`
 * and exits 0. Started by bench/campaign-redis.ts (`node --import tsx bench/redis-worker-process.ts`).
 * With `BENCH_REDIS_PROFILE=1` it also prints, on stop, the wall time spent in each storage and queue
 * method (calls overlap, so the times can add up to more than the run).
 */
import { createRedisEventBus, createRedisJobQueue, createRedisStorage } from '@minicrm/adapters-redis';
import { createMiniCrm, createSimulatorChannel } from '@minicrm/core';
import { Redis } from 'ioredis';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

const name = env('WORKER_NAME');
const prefix = env('MINICRM_PREFIX');
const client = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: null });
const storage = createRedisStorage({ client, prefix });
const queue = createRedisJobQueue({ client, prefix });
const bus = createRedisEventBus({ client, prefix });
const sms = createSimulatorChannel({
  name: 'sms',
  seed: 7,
  latencyMs: Number(process.env.SIM_LATENCY_MS ?? 0),
});
/** Wall time per method, when profiling. */
const timings = new Map<string, { calls: number; ms: number }>();

/** Wraps every method of `target` to add its wall time to `timings` under `label.method`. */
function timed<T extends object>(target: T, label: string): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value = Reflect.get(obj, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const start = performance.now();
        const out = (value as (...a: unknown[]) => unknown).apply(obj, args);
        const done = () => {
          const entry = timings.get(`${label}.${String(key)}`) ?? { calls: 0, ms: 0 };
          entry.calls++;
          entry.ms += performance.now() - start;
          timings.set(`${label}.${String(key)}`, entry);
        };
        if (out instanceof Promise) void out.then(done, done);
        else done();
        return out;
      };
    },
  });
}

const profiling = process.env.BENCH_REDIS_PROFILE === '1';
const crm = createMiniCrm({
  storage: profiling
    ? {
        ...storage,
        deliveries: timed(storage.deliveries, 'deliveries'),
        campaigns: timed(storage.campaigns, 'campaigns'),
      }
    : storage,
  queue: profiling ? timed(queue, 'queue') : queue,
  bus,
  channels: [sms],
  retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
});
const worker = crm.createWorker({
  name,
  batchSize: Number(env('BATCH_SIZE')),
  inFlightRecheckMs: Number(process.env.IN_FLIGHT_RECHECK_MS ?? 1000),
  concurrency: Number(env('WORKER_CONCURRENCY')),
});
await client.ping();
const cpuAtStart = process.cpuUsage();
worker.start();
process.stdout.write(`READY ${name}\n`);

process.once('SIGTERM', () => {
  void (async () => {
    await crm.close();
    await queue.close();
    await bus.close();
    await storage.close();
    await client.quit();
    if (profiling) {
      const rows = [...timings].sort((a, b) => b[1].ms - a[1].ms);
      for (const [method, { calls, ms }] of rows) {
        process.stderr.write(`[${name}] ${method}: ${calls} calls, ${ms.toFixed(0)} ms\n`);
      }
    }
    const { user, system } = process.cpuUsage(cpuAtStart);
    const cpuSeconds = (user + system) / 1e6;
    process.stdout.write(`STOPPED ${name} ${JSON.stringify({ ...sms.stats(), cpuSeconds })}\n`);
    process.exit(0);
  })();
});
