/**
 * Baselines of the campaign-redis benchmark, each on the Redis server given:
 * - BullMQ adding and processing N no-op jobs with one worker;
 * - a raw Redis Streams loop (pipelined XADD, then XREADGROUP + XACK in batches): the ceiling of
 *   any queue built on Streams.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

/** Jobs per second for BullMQ to add `n` no-op jobs and process them with one worker. */
export async function bullmqRate(url: string, n: number, concurrency: number): Promise<number> {
  const connection = { url, maxRetriesPerRequest: null };
  const name = `bench-${Date.now()}-${concurrency}`;
  const queue = new Queue(name, { connection });
  let done = 0;
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  const t0 = performance.now();
  const worker = new Worker(
    name,
    async () => {
      done++;
      if (done === n) resolveAll();
    },
    { connection, concurrency, autorun: true, removeOnComplete: { count: 0 }, removeOnFail: { count: 0 } },
  );
  for (let i = 0; i < n; i += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({
        name: 'noop',
        data: { i: i + k },
        opts: { removeOnComplete: true, removeOnFail: true },
      })),
    );
  }
  await all;
  const seconds = (performance.now() - t0) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return n / seconds;
}

/** Jobs per second of a raw Streams loop: pipelined XADD of `n` entries, then XREADGROUP + XACK. */
export async function rawStreamsRate(url: string, n: number): Promise<number> {
  const client = new Redis(url);
  const key = `bench:raw:${Date.now()}`;
  await client.xgroup('CREATE', key, 'g', '$', 'MKSTREAM');
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1000) {
    const pipeline = client.pipeline();
    for (let k = i; k < Math.min(n, i + 1000); k++) pipeline.xadd(key, '*', 'd', `delivery-${k}`);
    await pipeline.exec();
  }
  let handled = 0;
  while (handled < n) {
    const reply = (await client.xreadgroup('GROUP', 'g', 'c', 'COUNT', 1000, 'STREAMS', key, '>')) as
      | [string, [string, string[]][]][]
      | null;
    const entries = reply?.[0]?.[1] ?? [];
    if (entries.length === 0) continue;
    await client.xack(key, 'g', ...entries.map((e) => e[0]));
    handled += entries.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  await client.del(key);
  client.disconnect();
  return n / seconds;
}
