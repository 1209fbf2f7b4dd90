import { randomBytes } from 'node:crypto';
import type { EnqueueRequest, ReservedJob, SendJob } from '@minicrm/core';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedisJobQueue, type RedisJobQueue, type RedisJobQueueOptions } from '../src/index.js';

const url = inject('redisUrl');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const job = (id: string, delayMs?: number): EnqueueRequest<SendJob> => ({
  id,
  payload: { kind: 'send', deliveryId: `dlv-${id}`, round: 1, attempt: 1 },
  ...(delayMs === undefined ? {} : { delayMs }),
});
const range = (n: number, tag = 'j') =>
  Array.from({ length: n }, (_, i) => `${tag}${String(i).padStart(5, '0')}`);

describe.skipIf(url === '')('redis job queue', () => {
  let redis: Redis;
  let prefix: string;
  const opened: { close(): Promise<void> }[] = [];
  const clients: Redis[] = [];

  beforeAll(() => {
    redis = new Redis(url);
  });
  afterAll(async () => {
    await redis.quit();
  });
  afterEach(async () => {
    for (const queue of opened.splice(0)) await queue.close();
    for (const client of clients.splice(0)) client.disconnect();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  });

  function open<P = SendJob>(options: RedisJobQueueOptions = {}): RedisJobQueue<P> {
    const queue = createRedisJobQueue<P>({ client: redis, prefix, ...options });
    opened.push(queue);
    return queue;
  }
  /** A queue on a client of its own, as another process would have. */
  function openElsewhere(options: RedisJobQueueOptions = {}): RedisJobQueue {
    const client = new Redis(url);
    clients.push(client);
    return open({ ...options, client });
  }

  it('keeps every key under the prefix and the {name} hash tag', async () => {
    prefix = `test-q-${randomBytes(6).toString('hex')}`;
    const q = open({ name: 'send', maxDeliveries: 1 });
    await q.enqueue([job('a'), job('b', 60_000), job('c')]);
    const [a] = await q.reserve({ max: 1, visibilityTimeoutMs: 0 });
    await q.reserve({ max: 1, visibilityTimeoutMs: 0 }); // dead-letters a, hands out c
    expect(a?.id).toBe('a');
    const keys = (await redis.keys(`${prefix}:*`)).sort();
    expect(keys).toEqual(
      ['claim-cursor', 'dead', 'delayed', 'jobs', 'stream'].map((k) => `${prefix}:q:{send}:${k}`),
    );
    expect(q.keys.stream).toBe(`${prefix}:q:{send}:stream`);
    // back door: the raw layout
    expect(await redis.hget(q.keys.jobs, 'b')).toBe(JSON.stringify(job('b').payload));
    expect(await redis.zscore(q.keys.delayed, 'b')).not.toBeNull();
    expect(await redis.hexists(q.keys.jobs, 'a')).toBe(0);
    const dead = (await redis.xrange(q.keys.dead, '-', '+')) as [string, string[]][];
    expect(dead[0]?.[1].slice(0, 2)).toEqual(['j', 'a']);
  });

  it('two queues sharing one Redis hand each job to exactly one consumer', async () => {
    prefix = `test-q-${randomBytes(6).toString('hex')}`;
    const ids = range(3000);
    await open().enqueue(ids.map((id) => job(id)));
    const consumers = [openElsewhere(), openElsewhere()];
    const seen = consumers.map(() => [] as string[]);
    await Promise.all(
      consumers.map(async (q, i) => {
        for (;;) {
          const got = await q.reserve({ max: 97, visibilityTimeoutMs: 30_000, blockMs: 50 });
          if (got.length === 0) return;
          seen[i]?.push(...got.map((j) => j.id));
          await q.ack(got);
        }
      }),
    );
    const all = seen.flat();
    expect(all).toHaveLength(ids.length);
    expect(new Set(all).size).toBe(ids.length);
    expect(seen.every((s) => s.length > 0)).toBe(true);
    expect(await consumers[0]?.counts()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
    expect(await redis.hlen(consumers[0]?.keys.jobs as string)).toBe(0);
    expect(await redis.xlen(consumers[0]?.keys.stream as string)).toBe(0);
  });

  it('a consumer that dies without acking loses its jobs to another after the visibility timeout', async () => {
    prefix = `test-q-${randomBytes(6).toString('hex')}`;
    const doomedClient = new Redis(url);
    const doomed = createRedisJobQueue({ client: doomedClient, prefix });
    await doomed.enqueue(range(10).map((id) => job(id)));
    const taken = await doomed.reserve({ max: 10, visibilityTimeoutMs: 300, consumer: 'doomed' });
    expect(taken).toHaveLength(10);
    doomedClient.disconnect(); // dies: no ack, no close

    const rescuer = openElsewhere();
    // A long visibility of its own does not delay reclaiming the dead consumer's short one.
    expect(await rescuer.reserve({ max: 10, visibilityTimeoutMs: 60_000 })).toEqual([]);
    const started = Date.now();
    const rescued = await rescuer.reserve({ max: 10, visibilityTimeoutMs: 60_000, blockMs: 5000 });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(rescued.map((j) => j.id)).toEqual(taken.map((j) => j.id));
    expect(rescued.every((j) => j.deliveryCount === 2)).toBe(true);
    // the dead consumer's tokens are stale now
    await rescuer.ack(taken);
    expect(await rescuer.counts()).toMatchObject({ inFlight: 10 });
    await rescuer.ack(rescued);
    expect(await rescuer.counts()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  });

  it('acks a batch whose id range spans many other hand-outs (each entry checked)', async () => {
    const a = open();
    const b = openElsewhere();
    await a.enqueue(range(200).map((id) => job(id)));
    const first = await a.reserve({ max: 50, consumer: 'a', visibilityTimeoutMs: 60_000 });
    const middle = await b.reserve({ max: 100, consumer: 'b', visibilityTimeoutMs: 60_000 });
    const last = await a.reserve({ max: 50, consumer: 'a', visibilityTimeoutMs: 60_000 });
    // One ack call: its range holds 200 pending entries, more than the range query fetches.
    await a.ack([...last, ...first]);
    expect(await a.counts()).toMatchObject({ inFlight: 100 });
    await a.ack(first); // already acked: nothing more happens
    expect(await a.counts()).toMatchObject({ inFlight: 100 });
    await b.ack(middle);
    expect(await a.counts()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  });

  it('delayed jobs become ready atomically when due, each handed out once', async () => {
    prefix = `test-q-${randomBytes(6).toString('hex')}`;
    const ids = range(600);
    const q = open();
    await q.enqueue(ids.map((id) => job(id, 150)));
    expect(await q.counts()).toEqual({ ready: 0, delayed: 600, inFlight: 0, dead: 0 });
    expect(await q.reserve({ max: 10, visibilityTimeoutMs: 30_000 })).toEqual([]);
    await sleep(200);
    expect(await q.counts()).toEqual({ ready: 600, delayed: 0, inFlight: 0, dead: 0 });
    const racers = [q, openElsewhere(), openElsewhere()];
    const got = (
      await Promise.all(racers.map((r) => r.reserve({ max: 600, visibilityTimeoutMs: 30_000 })))
    ).flat();
    expect(got.map((j) => j.id).sort()).toEqual(ids);
    expect(await redis.zcard(q.keys.delayed)).toBe(0);
    expect(await q.counts()).toEqual({ ready: 0, delayed: 0, inFlight: 600, dead: 0 });
  });

  it('dead-letters a job after maxDeliveries timed-out hand-outs; its id may then be enqueued again', async () => {
    prefix = `test-q-${randomBytes(6).toString('hex')}`;
    const q = open({ maxDeliveries: 3 });
    await q.enqueue([job('poison')]);
    for (let i = 1; i <= 3; i++) {
      const [got] = await q.reserve({ max: 1, visibilityTimeoutMs: 40, blockMs: 1000 });
      expect(got).toMatchObject({ id: 'poison', deliveryCount: i });
    }
    await sleep(60);
    expect(await q.reserve({ max: 1, visibilityTimeoutMs: 40 })).toEqual([]);
    expect(await q.counts()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 1 });
    const [dead] = await q.deadLetters(10);
    expect(dead).toMatchObject({ id: 'poison', deliveryCount: 3, payload: job('poison').payload });
    expect(Math.abs((dead?.at ?? 0) - Date.now())).toBeLessThan(5000);
    expect(await q.enqueue([job('poison')])).toBe(1);
  });

  it('trims the dead letters to maxDeadLetters', async () => {
    prefix = `test-q-${randomBytes(6).toString('hex')}`;
    const q = open({ maxDeliveries: 1, maxDeadLetters: 2 });
    await q.enqueue(range(5).map((id) => job(id)));
    await q.reserve({ max: 5, visibilityTimeoutMs: 0 });
    await q.reserve({ max: 5, visibilityTimeoutMs: 0 });
    expect((await q.deadLetters(10)).map((d) => d.id)).toEqual(['j00003', 'j00004']);
  });

  it('release puts the job back (delayed or not) with a fresh delivery count and the same payload', async () => {
    prefix = `test-q-${randomBytes(6).toString('hex')}`;
    const q = open<{ at: Date; n: number }>();
    const at = new Date('2024-05-06T07:08:09.010Z');
    await q.enqueue([{ id: 'x', payload: { at, n: 1 } }]);
    const [x] = await q.reserve({ max: 1, visibilityTimeoutMs: 30_000 });
    expect(x?.payload.at).toEqual(at);
    await q.release(x as ReservedJob<{ at: Date; n: number }>, 100);
    expect(await q.counts()).toEqual({ ready: 0, delayed: 1, inFlight: 0, dead: 0 });
    const [again] = await q.reserve({ max: 1, visibilityTimeoutMs: 30_000, blockMs: 2000 });
    expect(again).toMatchObject({ id: 'x', deliveryCount: 1, payload: { at, n: 1 } });
    expect(again?.token).not.toBe(x?.token);
  });

  it('a blocking reserve ends promptly when its signal aborts or the queue closes', async () => {
    prefix = `test-q-${randomBytes(6).toString('hex')}`;
    const q = open({ blockChunkMs: 10_000 });
    const controller = new AbortController();
    let started = Date.now();
    const waiting = q.reserve({
      max: 10,
      visibilityTimeoutMs: 1000,
      blockMs: 10_000,
      signal: controller.signal,
    });
    await sleep(50);
    controller.abort();
    expect(await waiting).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);

    started = Date.now();
    const blocked = q.reserve({ max: 10, visibilityTimeoutMs: 1000, blockMs: 10_000 });
    await sleep(50);
    await q.close();
    expect(await blocked).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(q.reserve({ max: 1, visibilityTimeoutMs: 1 })).rejects.toThrow(/closed/);
  });

  it('never closes a client it was given, and closes every connection it opened', async () => {
    prefix = `test-q-${randomBytes(6).toString('hex')}`;
    const given = new Redis(url);
    clients.push(given);
    const q = createRedisJobQueue({ client: given, prefix });
    await q.enqueue([job('a')]);
    await q.reserve({ max: 1, visibilityTimeoutMs: 1000, blockMs: 30 }).then((jobs) => q.ack(jobs));
    await q.reserve({ max: 1, visibilityTimeoutMs: 1000, blockMs: 30 }); // opens a blocking connection
    await q.close();
    await q.close();
    expect(await given.ping()).toBe('PONG');

    const name = `owned-${randomBytes(4).toString('hex')}`;
    const own = createRedisJobQueue({ connection: { ...parse(url), connectionName: name }, prefix });
    await own.reserve({ max: 1, visibilityTimeoutMs: 1000, blockMs: 30 });
    expect(await connectionsNamed(name)).toBeGreaterThanOrEqual(2);
    await own.close();
    expect(await connectionsNamed(name)).toBe(0);
  });

  it('recovers when its keys are deleted under it (the consumer group is recreated)', async () => {
    prefix = `test-q-${randomBytes(6).toString('hex')}`;
    const q = open();
    await q.enqueue([job('a')]);
    await redis.del(q.keys.stream, q.keys.jobs);
    await redis.xadd(q.keys.stream, '*', 'j', 'raw', 'p', '{}'); // a stream without the group
    expect(await q.enqueue([job('b')])).toBe(1);
    expect((await q.reserve({ max: 5, visibilityTimeoutMs: 1000 })).map((j) => j.id)).toEqual(['raw', 'b']);
  });

  it('moves 20,000 jobs through enqueue, reserve (500 at a time) and ack quickly', async () => {
    prefix = `test-q-${randomBytes(6).toString('hex')}`;
    const q = open();
    const n = 20_000;
    const t0 = performance.now();
    await q.enqueue(range(n).map((id) => job(id)));
    const t1 = performance.now();
    let done = 0;
    for (;;) {
      const got = await q.reserve({ max: 500, visibilityTimeoutMs: 30_000 });
      if (got.length === 0) break;
      await q.ack(got);
      done += got.length;
    }
    const t2 = performance.now();
    expect(done).toBe(n);
    console.info(
      `[queue perf] ${n} jobs: enqueue ${Math.round(t1 - t0)} ms, reserve+ack ${Math.round(t2 - t1)} ms ` +
        `(${Math.round((n / (t2 - t1)) * 1000)} jobs/s)`,
    );
    expect(t2 - t0).toBeLessThan(15_000);
  });

  async function connectionsNamed(name: string): Promise<number> {
    await sleep(50);
    const list = (await redis.client('LIST')) as string;
    return list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
  }
});

function parse(redisUrl: string): { host: string; port: number } {
  const u = new URL(redisUrl);
  return { host: u.hostname, port: Number(u.port || 6379) };
}
