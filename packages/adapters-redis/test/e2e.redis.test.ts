/**
 * End to end on Redis storage + queue + bus in one process: generated demo
 * customers with orders and visits; segment previews and counts agree exactly with the memory
 * engine on the same data; a campaign on a saved segment runs to completion with exact stats, equal
 * delivery by delivery to the same campaign run on the memory engine.
 *
 * Both engines share a frozen `now` (relative-date rules resolve identically), sequential ids (both
 * campaigns get the same id, so the simulator draws the same outcome for every attempt) and a
 * retry policy without backoff delay.
 */

import { randomBytes } from 'node:crypto';
import { DEMO_SEGMENTS, generateDemoData, type RuleGroup } from '@minicrm/core';
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
import {
  type CampaignRun,
  comparedEngine,
  E2E_NOW,
  type Engine,
  expectRunsAgree,
  runSegmentCampaign,
} from './support/engine-comparison.js';
import { deleteKeys } from './support/keys.js';

const url = inject('redisUrl');
const N = 3000;
const NOW = E2E_NOW;
const compare = (adapters?: Parameters<typeof comparedEngine>[0]) => comparedEngine(adapters, 500);
const TEMPLATE = "Hi {{ customer.name }}, here's 10% off on your next order!";

const SEGMENTS = DEMO_SEGMENTS;

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
    redis = compare({ storage, queue, bus });
    memory = compare();
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
    await deleteKeys(client, prefix, `*${prefix}*`);
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
