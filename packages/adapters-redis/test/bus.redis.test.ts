import { randomBytes } from 'node:crypto';
import type { MiniCrmEvents } from '@minicrm/core';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedisEventBus, decodeJson, encodeJson, type RedisEventBus } from '../src/index.js';

const url = inject('redisUrl');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => void | Promise<void>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(10);
    }
  }
}

describe('json codec', () => {
  it('round-trips Dates anywhere in a value, and leaves other values alone', () => {
    const value = {
      at: new Date('2024-01-02T03:04:05.006Z'),
      list: [new Date(0), 'x', 1],
      nested: { n: null },
    };
    const text = encodeJson(value);
    expect(text).toContain('{"$date":"2024-01-02T03:04:05.006Z"}');
    expect(decodeJson(text)).toEqual(value);
    expect(decodeJson(encodeJson({ bad: new Date(Number.NaN) }))).toEqual({ bad: null });
    expect(decodeJson('{"$date":"x","other":1}')).toEqual({ $date: 'x', other: 1 });
  });

  it('takes the same path with and without Dates: plain values, escapes, toJSON', () => {
    const plain = { kind: 'send', deliveryId: 'c~1', round: 1, attempt: 2, tags: ['a', { b: null }] };
    expect(encodeJson(plain)).toBe(JSON.stringify(plain));
    expect(decodeJson(encodeJson(plain))).toEqual(plain);
    // An escaped key is still the `$date` key.
    expect(decodeJson('{"at":{"\\u0024date":"2024-01-02T03:04:05.006Z"}}')).toEqual({
      at: new Date('2024-01-02T03:04:05.006Z'),
    });
    // A toJSON that returns Dates: they are encoded as Dates, as without the fast path.
    const wrapped = { v: { toJSON: () => ({ at: new Date(5) }) } };
    expect(decodeJson(encodeJson(wrapped))).toEqual({ v: { at: new Date(5) } });
  });
});

describe.skipIf(url === '')('redis event bus', () => {
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
    for (const bus of opened.splice(0)) await bus.close();
    for (const client of clients.splice(0)) client.disconnect();
  });
  function open(options: Parameters<typeof createRedisEventBus>[0] = {}): RedisEventBus {
    const bus = createRedisEventBus({ client: redis, prefix, ...options });
    opened.push(bus);
    return bus;
  }
  const freshPrefix = () => {
    prefix = `test-b-${randomBytes(6).toString('hex')}`;
  };

  it('an event published from one client reaches a subscriber on another connection, Dates revived', async () => {
    freshPrefix();
    const other = new Redis(url);
    clients.push(other);
    const subscriber = open({ client: other });
    const publisher = open();
    const got: unknown[] = [];
    await subscriber.subscribe('customer.created', (e) => got.push(e));
    // no wait: subscribe resolved once Redis confirmed the SUBSCRIBE
    const at = new Date('2024-03-04T05:06:07.008Z');
    await publisher.publish('customer.created', { customerId: 'c1', at: at as unknown as number });
    await eventually(() => expect(got).toEqual([{ customerId: 'c1', at }]));
  });

  it('publishes JSON on <prefix>:events:<type>, readable by any Redis client', async () => {
    freshPrefix();
    const bus = open();
    const raw = new Redis(url);
    clients.push(raw);
    const messages: [string, string][] = [];
    raw.on('message', (channel: string, message: string) => messages.push([channel, message]));
    await raw.subscribe(`${prefix}:events:campaign.state`);
    const event: MiniCrmEvents['campaign.state'] = { campaignId: 'k', from: 'draft', to: 'running', at: 5 };
    await bus.publish('campaign.state', event);
    await eventually(() =>
      expect(messages).toEqual([[bus.channel('campaign.state'), JSON.stringify(event)]]),
    );
  });

  it('holds one subscription per type in Redis, dropped when its last handler goes', async () => {
    freshPrefix();
    const bus = open();
    const channel = bus.channel('campaign.stats');
    const numsub = async () => Number(((await redis.pubsub('NUMSUB', channel)) as [string, number])[1]);
    const off1 = await bus.subscribe('campaign.stats', () => undefined);
    const off2 = await bus.subscribe('campaign.stats', () => undefined);
    expect(await numsub()).toBe(1);
    await off1();
    expect(await numsub()).toBe(1);
    await off2();
    expect(await numsub()).toBe(0);
    await bus.subscribe('campaign.stats', () => undefined);
    expect(await numsub()).toBe(1);
  });

  it('reports handler errors and undecodable messages to onError, and keeps delivering', async () => {
    freshPrefix();
    const errors: [unknown, string][] = [];
    const bus = open({ onError: (error, type) => errors.push([error, type]) });
    const got: string[] = [];
    await bus.subscribe('customer.created', () => {
      throw new Error('boom');
    });
    await bus.subscribe('customer.created', async () => {
      throw new Error('async boom');
    });
    await bus.subscribe('customer.created', (e) => got.push(e.customerId));
    await redis.publish(bus.channel('customer.created'), 'not json');
    await bus.publish('customer.created', { customerId: 'c1', at: 1 });
    await eventually(() => expect(got).toEqual(['c1']));
    await eventually(() => expect(errors).toHaveLength(3));
    expect(errors.every(([, type]) => type === 'customer.created')).toBe(true);
  });

  it('resubscribes after its subscriber connection drops', async () => {
    freshPrefix();
    const name = `bus-${randomBytes(4).toString('hex')}`;
    const own = new Redis(url, { connectionName: name });
    clients.push(own);
    const bus = open({ client: own });
    const got: string[] = [];
    await bus.subscribe('customer.created', (e) => got.push(e.customerId));
    const list = (await redis.client('LIST')) as string;
    const subscriberLine = list.split('\n').find((l) => l.includes(` name=${name} `) && /\bsub=1\b/.test(l));
    const id = /\bid=(\d+)\b/.exec(subscriberLine ?? '')?.[1];
    expect(id).toBeDefined();
    await redis.client('KILL', 'ID', id as string);
    await eventually(async () => {
      await bus.publish('customer.created', { customerId: 'again', at: 1 });
      expect(got).toContain('again');
    }, 5000);
  });

  it('never closes a client it was given; throws once closed', async () => {
    freshPrefix();
    const given = new Redis(url);
    clients.push(given);
    const bus = createRedisEventBus({ client: given, prefix });
    await bus.subscribe('customer.created', () => undefined);
    await bus.close();
    await bus.close();
    expect(await given.ping()).toBe('PONG');
    await expect(bus.publish('customer.created', { customerId: 'c', at: 1 })).rejects.toThrow(/closed/);
  });
});
