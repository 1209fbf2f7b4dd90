/**
 * A full campaign over HTTP on the embedded default, on Redis, and on MongoDB + Redis: the server
 * listens on loopback, its `sms` channel sends to its own vendor simulator over HTTP, and the
 * simulator's signed receipt callbacks come back to its receipt webhook.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { describe, inject, it, onTestFinished } from 'vitest';
// The Redis and MongoDB URLs come from these global setups (see vitest.config.ts).
import type {} from '../../../packages/adapters-mongo/test/support/global-setup.js';
import type {} from '../../../packages/adapters-redis/test/support/global-setup.js';
import { HTTP_VENDOR_ENV, runClassicCampaign } from './campaign-flow.js';
import { build } from './helper.js';

const redisUrl = inject('redisUrl');
const mongoUrl = inject('mongoUrl');

/** Deletes every key under `prefix` when the test ends. */
function dropRedisPrefix(prefix: string): void {
  onTestFinished(async () => {
    const client = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await client.quit();
  });
}

describe('a campaign over HTTP', () => {
  it('runs on the embedded default (memory adapters)', { timeout: 120_000 }, async () => {
    const server = await build(HTTP_VENDOR_ENV);
    await runClassicCampaign(server, 400);
  });

  it.skipIf(redisUrl === '')(
    'runs with REDIS_URL (Redis storage, queue and bus), two worker batches at once',
    { timeout: 180_000 },
    async () => {
      const prefix = `srv-${randomUUID().slice(0, 8)}`;
      dropRedisPrefix(prefix);
      const server = await build({
        ...HTTP_VENDOR_ENV,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: prefix,
        WORKER_CONCURRENCY: '2',
      });
      await runClassicCampaign(server, 300);
    },
  );

  it.skipIf(redisUrl === '' || mongoUrl === '')(
    'runs with MONGO_URL + REDIS_URL (MongoDB storage, Redis queue and bus)',
    { timeout: 600_000 },
    async () => {
      const prefix = `srv-${randomUUID().slice(0, 8)}`;
      const db = `minicrm_server_${randomUUID().slice(0, 8)}`;
      dropRedisPrefix(prefix);
      onTestFinished(async () => {
        const client = new MongoClient(mongoUrl);
        await client.db(db).dropDatabase();
        await client.close();
      });
      const server = await build({
        ...HTTP_VENDOR_ENV,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: prefix,
        MONGO_URL: mongoUrl,
        MONGO_DB: db,
        SIMULATOR_SUCCESS_RATE: '0.3',
      });
      await runClassicCampaign(server, 120);
    },
  );
});
