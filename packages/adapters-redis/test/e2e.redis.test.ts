/**
 * End to end on Redis storage + queue + bus in one process (the issue-2 scenario): generated demo
 * customers with orders and visits; segment previews and counts agree exactly with the memory
 * engine on the same data; a campaign on a saved segment runs to completion with exact stats, equal
 * delivery by delivery to the same campaign run on the memory engine.
 *
 * Both engines share a frozen `now` (relative-date rules resolve identically), sequential ids (both
 * campaigns get the same id, so the simulator draws the same outcome for every attempt) and a
 * retry policy without backoff delay.
 */

import { randomBytes } from 'node:crypto';
import {
  type Clock,
  createMiniCrm,
  createSimulatorChannel,
  DEMO_ATTRIBUTES,
  DEMO_SEGMENTS,
  generateDemoData,
  type MiniCrm,
  type RuleGroup,
  type SimulatorChannel,
  sequentialIds,
} from '@minicrm/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createRedisEventBus,
  createRedisJobQueue,
  createRedisStorage,
  type RedisEventBus,
  type RedisJobQueue,
  type RedisStorage,
} from '../src/index.js';
import { type CampaignRun, expectRunsAgree, runSegmentCampaign } from './support/engine-comparison.js';

const url = inject('redisUrl');
const N = 3000;
const NOW = Date.parse('2025-03-31T12:00:00.000Z');
const TEMPLATE = "Hi {{ customer.name }}, here's 10% off on your next order!";
const RETRY = { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 };

/** `now` never moves; timers are real. */
const frozenClock: Clock = {
  now: () => NOW,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const SEGMENTS = DEMO_SEGMENTS;

/** Deletes every key containing `prefix` (storage keys, queue keys). */
async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

interface Engine {
  readonly crm: MiniCrm;
  readonly sms: SimulatorChannel;
}

function engine(adapters: Parameters<typeof createMiniCrm>[0] = {}): Engine {
  const sms = createSimulatorChannel({ name: 'sms', successRate: 0.9, seed: 11, clock: frozenClock });
  const crm = createMiniCrm({
    ...adapters,
    channels: [sms],
    attributes: DEMO_ATTRIBUTES,
    clock: frozenClock,
    ids: sequentialIds(),
    retry: RETRY,
    launchBatchSize: 500,
  });
  return { crm, sms };
}

describe.skipIf(url === '')('end to end on Redis storage, queue and bus', () => {
  const data = generateDemoData({ customers: N, seed: 99, now: new Date(NOW) });
  const prefix = `test-e2e-${randomBytes(6).toString('hex')}`;
  let client: Redis;
  let storage: RedisStorage;
  let queue: RedisJobQueue;
  let bus: RedisEventBus;
  let redis: Engine;
  let memory: Engine;

  beforeAll(async () => {
    client = new Redis(url, { maxRetriesPerRequest: null });
    storage = createRedisStorage({ client, prefix });
    queue = createRedisJobQueue({ client, prefix });
    bus = createRedisEventBus({ client, prefix });
    redis = engine({ storage, queue, bus });
    memory = engine();
    for (const { crm } of [redis, memory]) {
      await crm.customers.upsert(data.customers);
      await crm.customers.addOrders(data.orders);
      await crm.customers.addEvents(data.visits);
    }
  });

  afterAll(async () => {
    await redis?.crm.close();
    await memory?.crm.close();
    await queue?.close();
    await bus?.close();
    await storage?.close();
    await deleteKeys(client, prefix);
    await client?.quit();
  });

  it('ingests every customer with the same aggregates as the memory engine', async () => {
    expect(await redis.crm.customers.size()).toBe(N);
    for (const id of ['cus_0001', 'cus_1500', 'cus_3000']) {
      const [r, m] = await Promise.all([redis.crm.customers.get(id), memory.crm.customers.get(id)]);
      expect(r).toEqual(m);
    }
  });

  for (const [name, rules] of Object.entries(SEGMENTS)) {
    it(`previews "${name}" exactly as the memory engine does`, async () => {
      const [r, m] = await Promise.all([
        redis.crm.segments.preview(rules, { sampleSize: 20 }),
        memory.crm.segments.preview(rules, { sampleSize: 20 }),
      ]);
      expect(m.count).toBeGreaterThan(0);
      expect(m.count).toBeLessThan(N);
      expect(r.count).toBe(m.count);
      expect(r.sample.map((c) => c.id)).toEqual(m.sample.map((c) => c.id));
      expect(await redis.crm.segments.count(rules)).toBe(m.count);
    });
  }

  it('runs a campaign on a saved segment to completion with exact stats, equal to the memory run', async () => {
    const rules = SEGMENTS['No visit in 3 months (or never)'] as RuleGroup;
    const audience = (await memory.crm.segments.preview(rules, { sampleSize: 0 })).count;
    const [r, m] = (await Promise.all(
      [redis, memory].map(({ crm }) => runSegmentCampaign(crm, rules, TEMPLATE, 60_000)),
    )) as [CampaignRun, CampaignRun];
    expectRunsAgree(r, m, audience, redis.sms);
    // Every message is the template rendered for its customer; skips are the unreachable ones.
    const customers = new Map(data.customers.map((c) => [c.id, c]));
    for (const d of r.deliveries) {
      const customer = customers.get(d.customerId)!;
      if (d.status === 'skipped') {
        expect(customer.phone === undefined || customer.subscriptions.sms === false).toBe(true);
      } else {
        expect(d.message).toBe(`Hi ${customer.name}, here's 10% off on your next order!`);
      }
    }
  });
});
