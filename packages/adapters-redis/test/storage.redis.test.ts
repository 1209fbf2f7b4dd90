import type { StorageBackdoor } from '@minicrm/core/testing';
import { storageConformance } from '@minicrm/core/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { createRedisStorage, type RedisStorage } from '../src/index.js';
import { deleteKeys, freshPrefix } from './support/keys.js';

const url = inject('redisUrl');

/**
 * Decodes a stored value on its own terms, independently of the adapter's decoder: strip the
 * `<rev>|` prefix, parse the JSON, turn `{"$d":ms}` into a `Date` (known date fields stay epoch ms,
 * which the suite accepts).
 */
function decodeRaw(raw: string | null): Record<string, unknown> | null {
  if (raw === null) return null;
  const bar = raw.indexOf('|');
  if (bar < 1 || !/^\d+$/.test(raw.slice(0, bar)))
    throw new Error(`not a versioned record: ${raw.slice(0, 40)}`);
  return JSON.parse(raw.slice(bar + 1), (_key, value: unknown) => {
    const tagged = value as { $d?: unknown } | null;
    return tagged !== null && typeof tagged === 'object' && typeof tagged.$d === 'number'
      ? new Date(tagged.$d)
      : value;
  }) as Record<string, unknown>;
}

/** Raw reads of customers, deliveries and campaigns under `prefix`, with key names spelled out here. */
function rawBackdoor(client: Redis, prefix: string): StorageBackdoor {
  const tagOf = (deliveryId: string) => deliveryId.split('~')[0] as string;
  return {
    customer: async (id) => decodeRaw(await client.get(`{${prefix}:cust}:c:${id}`)),
    // A delivery is two keys: its state (`<rev>|<json>`) and its body (plain JSON, fixed at creation).
    delivery: async (id) => {
      const [state, body] = await client.mget(
        `{${prefix}:cmp:${tagOf(id)}}:d:${id}`,
        `{${prefix}:cmp:${tagOf(id)}}:db:${id}`,
      );
      const decoded = decodeRaw(state ?? null);
      if (decoded === null || body === null || body === undefined) return null;
      return { ...(JSON.parse(body) as Record<string, unknown>), ...decoded, id };
    },
    campaign: async (id) => decodeRaw(await client.get(`{${prefix}:camp}:k:${id}`)),
  };
}

describe.skipIf(url === '')('redis storage (conformance)', () => {
  // One client for the storages under test, another for the back door and cleanup.
  let client: Redis;
  let raw: Redis;
  let current: { storage: RedisStorage; prefix: string } | undefined;
  beforeAll(() => {
    client = new Redis(url);
    raw = new Redis(url);
  });
  afterAll(async () => {
    await client.quit();
    await raw.quit();
  });

  storageConformance({
    name: 'redis',
    createStorage: () => {
      const prefix = freshPrefix('conf');
      current = { storage: createRedisStorage({ client, prefix }), prefix };
      return current.storage;
    },
    backdoor: () => rawBackdoor(raw, (current as { prefix: string }).prefix),
    teardown: async () => {
      if (current === undefined) return;
      await current.storage.close();
      await deleteKeys(raw, current.prefix);
      current = undefined;
    },
  });
});
