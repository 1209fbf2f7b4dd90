import { randomBytes } from 'node:crypto';
import { eventBusConformance } from '@minicrm/core/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { createRedisEventBus, type RedisEventBus } from '../src/index.js';

const url = inject('redisUrl');

describe.skipIf(url === '')('redis event bus (conformance)', () => {
  let client: Redis;
  const open: RedisEventBus[] = [];
  beforeAll(() => {
    client = new Redis(url);
  });
  afterAll(async () => {
    await client.quit();
  });

  eventBusConformance({
    name: 'redis pub/sub',
    createBus: () => {
      const bus = createRedisEventBus({
        client,
        prefix: `test-cb-${randomBytes(6).toString('hex')}`,
        onError: () => undefined, // the suite's throwing handler is expected
      });
      open.push(bus);
      return bus;
    },
    teardown: async () => {
      for (const bus of open.splice(0)) await bus.close();
    },
    settleMs: 50,
  });
});
