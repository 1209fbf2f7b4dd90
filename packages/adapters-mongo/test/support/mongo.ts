import type { StorageBackdoor } from '@minicrm/core/testing';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, inject } from 'vitest';
import { createMongoStorage, type MongoStorage, type MongoStorageOptions } from '../../src/index.js';

/** The server the suites run against (from the global setup). */
export const mongoUrl = inject('mongoUrl');
/** What serves it: `MONGO_URL`, `testcontainers` or `ferretdb`. */
export const mongoSource = inject('mongoSource');

let counter = 0;

/**
 * A client and a fresh database for one test file, dropped (and the client closed) after the file.
 * Call at the top level of the file.
 */
export function useDatabase(name: string): { readonly client: MongoClient; readonly db: Db } {
  const client = new MongoClient(mongoUrl || 'mongodb://127.0.0.1:1/', { serverSelectionTimeoutMS: 10_000 });
  const db = client.db(`minicrm_${name}_${process.pid}_${Date.now().toString(36)}`);
  afterAll(async () => {
    if (mongoUrl !== '') await db.dropDatabase().catch(() => {});
    await client.close();
  });
  return { client, db };
}

/** A fresh collection prefix (one storage per test inside one database). */
export function freshPrefix(): string {
  counter += 1;
  return `t${counter}_`;
}

/** A storage on a fresh prefix, with indexes. */
export async function freshStorage(
  db: Db,
  prefix = freshPrefix(),
  options: Omit<MongoStorageOptions, 'db' | 'collectionPrefix'> = {},
): Promise<MongoStorage> {
  const storage = createMongoStorage({ ...options, db, collectionPrefix: prefix });
  await storage.ensureIndexes();
  return storage;
}

/** Drops every collection whose name starts with `prefix`. */
export async function dropPrefix(db: Db, prefix: string): Promise<void> {
  const collections = await db.listCollections({}, { nameOnly: true }).toArray();
  await Promise.all(
    collections.filter((c) => c.name.startsWith(prefix)).map((c) => db.dropCollection(c.name)),
  );
}

/** Raw reads with `findOne`: `_id` renamed `id`, the rest as stored. */
export function mongoBackdoor(db: Db, prefix: string): StorageBackdoor {
  const read = async (collection: string, id: string) => {
    const doc = await db.collection<{ _id: string }>(`${prefix}${collection}`).findOne({ _id: id });
    if (doc === null) return null;
    const { _id, ...rest } = doc;
    return { id: _id, ...rest };
  };
  return {
    customer: (id) => read('customers', id),
    delivery: (id) => read('deliveries', id),
    campaign: (id) => read('campaigns', id),
  };
}
