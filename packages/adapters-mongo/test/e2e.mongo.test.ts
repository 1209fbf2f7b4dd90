/**
 * End to end on MongoDB storage with the Redis job queue and event bus (a mixed deployment): demo
 * customers with orders and visits; segment previews and counts (pushed down to MongoDB) agree
 * exactly with the memory engine; a campaign on a saved segment runs to completion with reconciled
 * stats, equal delivery by delivery to the same campaign on the memory engine.
 */

import {
  createRedisEventBus,
  createRedisJobQueue,
  type RedisEventBus,
  type RedisJobQueue,
} from '@minicrm/adapters-redis';
import { DELIVERY_STATUSES, DEMO_SEGMENTS, generateDemoData, type RuleGroup } from '@minicrm/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CampaignRun,
  comparedEngine,
  E2E_NOW,
  type Engine,
  expectRunsAgree,
  runSegmentCampaign,
} from '../../adapters-redis/test/support/engine-comparison.js';
import {
  hasRedisServer,
  type RedisServerProcess,
  startRedisServer,
} from '../../adapters-redis/test/support/redis-server.js';
import type { MongoStorage } from '../src/index.js';
import { freshPrefix, freshStorage, mongoSource, mongoUrl, useDatabase } from './support/mongo.js';

/** Small: FerretDB (the CI server) writes a few hundred documents per second. */
const N = Number(process.env.MONGO_E2E_CUSTOMERS ?? 300);
const NOW = E2E_NOW;
const compare = (adapters?: Parameters<typeof comparedEngine>[0]) => comparedEngine(adapters, 250);
const TEMPLATE = 'Hi {{ customer.name }}, come back for 10% off!';
// The classic and compound demo segments, but the first (FerretDB is slow; the second covers it).
const SEGMENTS = Object.fromEntries(Object.entries(DEMO_SEGMENTS).slice(1));

const { db } = useDatabase('e2e');

describe.skipIf(mongoUrl === '' || !hasRedisServer())(
  `end to end: MongoDB storage (${mongoSource}), Redis queue and bus`,
  () => {
    const data = generateDemoData({ customers: N, seed: 99, now: new Date(NOW) });
    const prefix = freshPrefix();
    let server: RedisServerProcess;
    let client: Redis;
    let storage: MongoStorage;
    let queue: RedisJobQueue;
    let bus: RedisEventBus;
    let mongo: Engine;
    let memory: Engine;

    beforeAll(async () => {
      server = await startRedisServer();
      client = new Redis(server.url, { maxRetriesPerRequest: null });
      storage = await freshStorage(db, prefix);
      queue = createRedisJobQueue({ client, prefix: 'e2e' });
      bus = createRedisEventBus({ client, prefix: 'e2e' });
      mongo = compare({ storage, queue, bus });
      memory = compare();
      for (const { crm } of [mongo, memory]) {
        await crm.customers.upsert(data.customers);
        await crm.customers.addOrders(data.orders);
        await crm.customers.addEvents(data.visits);
      }
    }, 600_000);

    afterAll(async () => {
      await mongo?.crm.close();
      await memory?.crm.close();
      await queue?.close();
      await bus?.close();
      client?.disconnect();
      await server?.stop();
    });

    it('ingests every customer with the same aggregates as the memory engine', async () => {
      expect(await mongo.crm.customers.size()).toBe(N);
      for (const id of [
        'cus_0001',
        `cus_${String(Math.ceil(N / 2)).padStart(4, '0')}`,
        `cus_${String(N).padStart(4, '0')}`,
      ]) {
        expect(await mongo.crm.customers.get(id)).toEqual(await memory.crm.customers.get(id));
      }
    });

    for (const [name, rules] of Object.entries(SEGMENTS)) {
      it(`previews and counts "${name}" exactly as the memory engine does`, async () => {
        const [r, m] = await Promise.all([
          mongo.crm.segments.preview(rules, { sampleSize: 20 }),
          memory.crm.segments.preview(rules, { sampleSize: 20 }),
        ]);
        expect(m.count).toBeGreaterThan(0);
        expect(r.count).toBe(m.count);
        expect(r.sample.map((c) => c.id)).toEqual(m.sample.map((c) => c.id));
        expect(await mongo.crm.segments.count(rules)).toBe(m.count);
      });
    }

    it('runs a campaign on a saved segment to completion with reconciled stats, equal to the memory run', {
      timeout: 600_000,
    }, async () => {
      const rules = SEGMENTS['No visit in 3 months (or never)'] as RuleGroup;
      const audience = (await memory.crm.segments.preview(rules, { sampleSize: 0 })).count;
      const [r, m] = (await Promise.all(
        [mongo, memory].map(({ crm }) => runSegmentCampaign(crm, rules, TEMPLATE, 300_000)),
      )) as [CampaignRun, CampaignRun];
      expectRunsAgree(r, m, audience, mongo.sms);
      const { stats } = r;
      // A recount straight from the stored documents agrees with the stats.
      const raw = db.collection(`${prefix}deliveries`);
      for (const s of DELIVERY_STATUSES) {
        expect(await raw.countDocuments({ campaignId: r.done.id, status: s }), `raw ${s}`).toBe(
          stats.byStatus[s],
        );
      }
    });
  },
);
