import type { Storage } from '@minicrm/core';
import type { RedisConnectionOptions } from '../connection.js';
import { releaseClient, resolveClient } from '../connection.js';
import { createRedisActivityStore } from './activity-store.js';
import { createRedisCampaignStore } from './campaign-store.js';
import type { StoreContext } from './context.js';
import { createRedisCustomerStore } from './customer-store.js';
import { createRedisDeliveryStore } from './delivery-store.js';
import { storageKeys } from './keys.js';
import { createRedisReceiptStore } from './receipt-store.js';
import { createRedisSegmentStore } from './segment-store.js';

/** MiniCRM storage on Redis, plus {@link RedisStorage.close}. */
export interface RedisStorage extends Storage {
  /**
   * Closes the Redis client if this storage created it (from `connection`); a client you passed as
   * `client` is left open for you to close.
   */
  close(): Promise<void>;
}

/**
 * Complete MiniCRM storage on Redis (`ioredis`): customers, orders and events with exact aggregates,
 * segments, campaigns with optimistic concurrency, deliveries with conditional transitions and
 * counters, and receipt dedupe. Every change is computed in JS by core's pure functions and written
 * with one compare-and-set Lua script per hash slot and batch; keys carry `prefix` and hash tags so
 * the layout is valid on Redis Cluster (see `docs/storage.md`). Records are JSON; reads never
 * load a whole collection: listings and segment queries stream in chunks.
 *
 * @example
 * const redis = new Redis(process.env.REDIS_URL);
 * const storage = createRedisStorage({ client: redis, prefix: 'crm' });
 * const crm = createMiniCrm({ storage });
 * // …
 * await storage.close(); // leaves `redis` open
 * await redis.quit();
 */
export function createRedisStorage(options: RedisConnectionOptions): RedisStorage {
  const owned = resolveClient(options);
  const ctx: StoreContext = { client: owned.client, keys: storageKeys(owned.prefix) };
  let closed: Promise<void> | undefined;
  return {
    customers: createRedisCustomerStore(ctx),
    activity: createRedisActivityStore(ctx),
    segments: createRedisSegmentStore(ctx),
    campaigns: createRedisCampaignStore(ctx),
    deliveries: createRedisDeliveryStore(ctx),
    receipts: createRedisReceiptStore(ctx),
    close() {
      closed ??= releaseClient(owned);
      return closed;
    },
  };
}
