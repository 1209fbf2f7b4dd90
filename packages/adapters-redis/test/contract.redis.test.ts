import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';

/**
 * The raw Redis behaviour the queue and bus rely on, checked on the server the suite runs against,
 * so an upgrade (or an older server) that changes it fails here first, with a precise message.
 */

const url = inject('redisUrl');
type Entry = [string, string[]];
type PendingRow = [id: string, consumer: string, idleMs: number, deliveries: number];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.skipIf(url === '')('redis command contract', () => {
  let redis: Redis;
  let key: string;
  beforeAll(() => {
    redis = new Redis(url);
  });
  afterAll(async () => {
    await redis.quit();
  });
  afterEach(async () => {
    await redis.del(key);
  });
  const fresh = async () => {
    key = `test-contract-${randomBytes(6).toString('hex')}:{q}:stream`;
    await redis.xgroup('CREATE', key, 'g', '0', 'MKSTREAM');
  };
  const pending = async (id: string) =>
    ((await redis.xpending(key, 'g', id, id, 1)) as PendingRow[])[0] ?? null;
  const readGroup = async (consumer: string, count: number) => {
    const reply = (await redis.xreadgroup('GROUP', 'g', consumer, 'COUNT', count, 'STREAMS', key, '>')) as
      | [string, Entry[]][]
      | null;
    return reply?.[0]?.[1] ?? [];
  };

  it('runs on Redis 7 or later (XAUTOCLAIM reports deleted entries)', async () => {
    const info = await redis.info('server');
    const major = Number(/redis_version:(\d+)/.exec(info)?.[1]);
    expect(major).toBeGreaterThanOrEqual(7);
  });

  it('XREADGROUP ">" gives each entry to one consumer, first delivery counted once', async () => {
    await fresh();
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await redis.xadd(key, '*', 'j', `job${i}`, 'p', '{}'));
    const a = await readGroup('a', 4);
    const b = await readGroup('b', 4);
    expect(a.map((e) => e[0])).toEqual(ids.slice(0, 4));
    expect(b.map((e) => e[0])).toEqual(ids.slice(4));
    expect(a[0]?.[1]).toEqual(['j', 'job0', 'p', '{}']);
    expect(await readGroup('c', 4)).toEqual([]);
    const row = await pending(ids[0] as string);
    expect(row?.[1]).toBe('a');
    expect(row?.[3]).toBe(1);
    const summary = (await redis.xpending(key, 'g')) as [number, ...unknown[]];
    expect(summary[0]).toBe(6);
  });

  it('XAUTOCLAIM takes entries idle past min-idle, bumps their counter, and moves the cursor', async () => {
    await fresh();
    const id1 = (await redis.xadd(key, '*', 'j', 'a')) as string;
    const id2 = (await redis.xadd(key, '*', 'j', 'b')) as string;
    await readGroup('dead-worker', 2);
    const early = (await redis.xautoclaim(key, 'g', 'rescuer', 60_000, '0-0', 'COUNT', 10)) as unknown[];
    expect(early[1]).toEqual([]);
    await sleep(30);
    const [cursor, claimed] = (await redis.xautoclaim(key, 'g', 'rescuer', 20, '0-0', 'COUNT', 1)) as [
      string,
      Entry[],
      string[],
    ];
    expect(claimed.map((e) => e[0])).toEqual([id1]);
    expect(cursor).toBe(id2);
    expect(await pending(id1)).toMatchObject([id1, 'rescuer', expect.any(Number), 2]);
    const rest = (await redis.xautoclaim(key, 'g', 'rescuer', 20, cursor, 'COUNT', 1)) as [string, Entry[]];
    expect(rest[0]).toBe('0-0');
    expect(rest[1].map((e) => e[0])).toEqual([id2]);
  });

  it('XAUTOCLAIM drops a pending entry whose message was deleted and lists its id (third element)', async () => {
    await fresh();
    const gone = (await redis.xadd(key, '*', 'j', 'gone')) as string;
    const kept = (await redis.xadd(key, '*', 'j', 'kept')) as string;
    await readGroup('w', 2);
    await redis.xdel(key, gone);
    const [, claimed, deleted] = (await redis.xautoclaim(key, 'g', 'w2', 0, '0-0', 'COUNT', 10)) as [
      string,
      Entry[],
      string[],
    ];
    expect(claimed.map((e) => e[0])).toEqual([kept]);
    expect(deleted).toEqual([gone]);
    expect(await pending(gone)).toBeNull();
  });

  it('XCLAIM IDLE ... JUSTID sets the idle time without bumping the delivery counter', async () => {
    await fresh();
    const id = (await redis.xadd(key, '*', 'j', 'a')) as string;
    await readGroup('w', 1);
    const reply = await redis.xclaim(key, 'g', 'w', 0, id, 'IDLE', 5000, 'JUSTID');
    expect(reply).toEqual([id]);
    const row = await pending(id);
    expect(row?.[3]).toBe(1);
    expect(row?.[2]).toBeGreaterThanOrEqual(5000);
    const [, claimed] = (await redis.xautoclaim(key, 'g', 'w2', 5000, '0-0')) as [string, Entry[]];
    expect(claimed.map((e) => e[0])).toEqual([id]);
  });

  it('XACK acks a pending entry once; XDEL then removes it from the stream', async () => {
    await fresh();
    const id = (await redis.xadd(key, '*', 'j', 'a')) as string;
    await readGroup('w', 1);
    expect(await redis.xack(key, 'g', id)).toBe(1);
    expect(await redis.xack(key, 'g', id)).toBe(0);
    expect(await pending(id)).toBeNull();
    expect(await redis.xdel(key, id)).toBe(1);
    expect(await redis.xlen(key)).toBe(0);
  });

  it('a Lua script may read the server TIME, XREADGROUP (non-blocking) and XAUTOCLAIM', async () => {
    await fresh();
    await redis.xadd(key, '*', 'j', 'a');
    const reply = (await redis.eval(
      `local t = redis.call('TIME')
       local r = redis.call('XREADGROUP', 'GROUP', 'g', 'w', 'COUNT', 10, 'STREAMS', KEYS[1], '>')
       local again = redis.call('XREADGROUP', 'GROUP', 'g', 'w', 'COUNT', 10, 'STREAMS', KEYS[1], '>')
       local c = redis.call('XAUTOCLAIM', KEYS[1], 'g', 'w', 0, '0-0', 'COUNT', 10)
       return { tonumber(t[1]), #r[1][2], tostring(again), #c[2] }`,
      1,
      key,
    )) as [number, number, string, number];
    expect(Math.abs(reply[0] - Date.now() / 1000)).toBeLessThan(60);
    expect(reply.slice(1)).toEqual([1, 'false', 1]);
  });

  it('a blocking XREAD from the newest id wakes on the next XADD; CLIENT UNBLOCK ends it with nil', async () => {
    await fresh();
    const last = (await redis.xadd(key, '*', 'j', 'old')) as string;
    const blocked = redis.duplicate();
    try {
      const started = Date.now();
      const waiting = blocked.xread('COUNT', 1, 'BLOCK', 5000, 'STREAMS', key, last);
      await sleep(50);
      const added = await redis.xadd(key, '*', 'j', 'new');
      const woke = (await waiting) as [string, Entry[]][];
      expect(woke[0]?.[1][0]?.[0]).toBe(added);
      expect(Date.now() - started).toBeLessThan(2000);

      const id = (await blocked.client('ID')) as number;
      const again = blocked.xread('BLOCK', 5000, 'STREAMS', key, added as string);
      await sleep(50);
      expect(await redis.client('UNBLOCK', id)).toBe(1);
      expect(await again).toBeNull();
    } finally {
      await blocked.quit();
    }
  });
});
