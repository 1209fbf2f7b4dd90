import { randomBytes } from 'node:crypto';
import { jobQueueConformance } from '@minicrm/core/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { createRedisJobQueue, type RedisJobQueue } from '../src/index.js';
import { deleteKeys } from './support/keys.js';

const url = inject('redisUrl');

describe.skipIf(url === '')('redis job queue (conformance)', () => {
  let client: Redis;
  const open: { queue: RedisJobQueue; prefix: string }[] = [];
  beforeAll(() => {
    client = new Redis(url);
  });
  afterAll(async () => {
    await client.quit();
  });

  jobQueueConformance({
    name: 'redis streams',
    realTimers: true,
    unitMs: 50,
    createQueue: ({ maxDeliveries }) => {
      const prefix = `test-cq-${randomBytes(6).toString('hex')}`;
      const queue = createRedisJobQueue({ client, prefix, maxDeliveries });
      open.push({ queue, prefix });
      return queue;
    },
    teardown: async () => {
      for (const { queue, prefix } of open.splice(0)) {
        await queue.close();
        await deleteKeys(client, prefix, `${prefix}:*`);
      }
    },
  });
});
