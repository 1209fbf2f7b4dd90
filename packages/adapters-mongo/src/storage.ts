import type { Storage } from '@minicrm/core';
import type { Db } from 'mongodb';
import { modeWriter } from './cas.js';
import { collectionsOf, type StoreContext } from './context.js';
import { createIndexes, DEFAULT_CUSTOMER_INDEX_FIELDS } from './indexes.js';
import { lazyWriteMode } from './server.js';
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
  /**
   * Most conditional writes one call keeps in flight: single compare-and-sets, or bulks where the
   * server gets one operation per bulk (FerretDB). @default 32
   */
  readonly writeConcurrency?: number;
  /**
   * Serialize conditional writes with revision claims (an insert into `<prefix>claims` before each
   * compare-and-set, counter updates included), for servers whose updates are not atomic. `'auto'`
   * turns them on for FerretDB only (detected with `buildInfo` on first write); MongoDB never needs
   * them.
   * @default 'auto'
   */
  readonly revisionClaims?: boolean | 'auto';
}

/** Applied counter tokens a campaign's counter document keeps before they are pruned. */
const COUNTER_TOKEN_LIMIT = 2000;

/**
 * What the stores of one storage share. Tests build stores from it with a small counter token limit
 * or a short claim lease (`CLAIM_LEASE_MS` otherwise).
 */
export function createStoreContext(
  options: MongoStorageOptions & { readonly counterTokenLimit?: number; readonly claimLeaseMs?: number },
): StoreContext {
  const collections = collectionsOf(options.db, options.collectionPrefix ?? 'minicrm_');
  const concurrency = Math.max(1, options.writeConcurrency ?? 32);
  const mode = lazyWriteMode(options.db, options.revisionClaims ?? 'auto');
  return {
    collections,
    concurrency,
    mode,
    writer: modeWriter(mode, collections.claims, concurrency, options.claimLeaseMs),
    counterTokenLimit: options.counterTokenLimit ?? COUNTER_TOKEN_LIMIT,
  };
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
 * concurrency, deliveries with conditional transitions written in bulk and per-campaign counters
 * (one document read per `counts`), receipt dedupe. String ids are `_id`. No multi-document transactions are needed: every change is a single-document
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
  const ctx = createStoreContext(options);
  const { collections } = ctx;
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
