import type { Storage } from '@minicrm/core';
import type { Db } from 'mongodb';
import { lazyWriter } from './cas.js';
import { collectionsOf, type StoreContext } from './context.js';
import { createIndexes, DEFAULT_CUSTOMER_INDEX_FIELDS } from './indexes.js';
import { createMongoActivityStore } from './stores/activity-store.js';
import { createMongoCampaignStore } from './stores/campaign-store.js';
import { createMongoCustomerStore } from './stores/customer-store.js';
import { createMongoDeliveryStore } from './stores/delivery-store.js';
import { createMongoReceiptStore } from './stores/receipt-store.js';
import { createMongoSegmentStore } from './stores/segment-store.js';

/** Options of {@link createMongoStorage}. */
export interface MongoStorageOptions {
  /** The database, from a `MongoClient` you created. The storage never closes it. */
  readonly db: Db;
  /** Prefix of every collection name (`<prefix>customers`, `<prefix>deliveries`, …). @default 'minicrm_' */
  readonly collectionPrefix?: string;
  /**
   * Customer fields `ensureIndexes` indexes for segment push-down, e.g. add `'attributes.city'`.
   * @default ['totalSpend', 'visits', 'orderCount', 'lastVisitAt', 'lastOrderAt', 'createdAt']
   */
  readonly customerIndexFields?: readonly string[];
  /** Most single-document writes one call keeps in flight (compare-and-set writes). @default 32 */
  readonly writeConcurrency?: number;
  /**
   * Serialize conditional writes with revision claims (an insert into `<prefix>claims` before each
   * compare-and-set), for servers whose conditional updates are not atomic. `'auto'` turns them on
   * for FerretDB only (detected with `buildInfo` on first write); MongoDB never needs them.
   * @default 'auto'
   */
  readonly revisionClaims?: boolean | 'auto';
}

/** MiniCRM storage on MongoDB, plus {@link MongoStorage.ensureIndexes}. */
export interface MongoStorage extends Storage {
  /**
   * Creates the indexes the storage's queries use (idempotent; run it at deploy or start-up). See
   * the package README for the list.
   */
  ensureIndexes(): Promise<void>;
}

/**
 * Complete MiniCRM storage on MongoDB (official `mongodb` driver, MongoDB 6+ or FerretDB 1.24):
 * customers with segment push-down (`query` / `count` run {@link compileMongoFilter}'s filter in the
 * database), orders and events with exact aggregates, segments, campaigns with optimistic
 * concurrency, deliveries with conditional transitions and exact counts, receipt dedupe. String ids
 * are `_id`. No multi-document transactions are needed: every change is a single-document
 * compare-and-set computed with core's pure functions (see the README for what is atomic and what a
 * crash leaves).
 *
 * @example
 * const client = new MongoClient(process.env.MONGO_URL!);
 * const storage = createMongoStorage({ db: client.db('crm') });
 * await storage.ensureIndexes();
 * const crm = createMiniCrm({ storage });
 * // …
 * await client.close(); // yours to close: the storage never does
 */
export function createMongoStorage(options: MongoStorageOptions): MongoStorage {
  const collections = collectionsOf(options.db, options.collectionPrefix ?? 'minicrm_');
  const ctx: StoreContext = {
    collections,
    concurrency: Math.max(1, options.writeConcurrency ?? 32),
    writer: lazyWriter(options.db, collections.claims, options.revisionClaims ?? 'auto'),
  };
  const customerFields = options.customerIndexFields ?? DEFAULT_CUSTOMER_INDEX_FIELDS;
  return {
    customers: createMongoCustomerStore(ctx),
    activity: createMongoActivityStore(ctx),
    segments: createMongoSegmentStore(ctx),
    campaigns: createMongoCampaignStore(ctx),
    deliveries: createMongoDeliveryStore(ctx),
    receipts: createMongoReceiptStore(ctx),
    ensureIndexes: () => createIndexes(collections, customerFields),
  };
}
