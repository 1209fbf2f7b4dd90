/**
 * The bulk compare-and-set (`bulkReplaceIf`) and the server behaviour it relies on. Where FerretDB
 * misreports failed operations of a bulk, the storage sends one operation per bulk there
 * (`WriteMode.bulkChunk`); whole batches are exercised here wherever the server reports correctly.
 */
import { delivery } from '@minicrm/core/testing';
import { MongoBulkWriteError, MongoClient, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { bulkReplaceIf } from '../src/bulk.js';
import type { Doc } from '../src/context.js';
import { isFerretDb, writeModeFor } from '../src/server.js';
import { createStoreContext } from '../src/storage.js';
import { createMongoDeliveryStore } from '../src/stores/delivery-store.js';
import { freshPrefix, mongoSource, mongoUrl, useDatabase } from './support/mongo.js';

const { db } = useDatabase('bulk');
const DUPLICATE_KEY = 11000;

async function seeded(n: number) {
  const collection = db.collection<Doc>(`${freshPrefix()}docs`);
  await collection.insertMany(Array.from({ length: n }, (_, i) => ({ _id: `x${i}`, _rev: 1, v: 0 })));
  return collection;
}

/** Items that replace every document, half of them expecting a revision it no longer has. */
const items = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    expected: i % 2 === 0 ? 1 : 7,
    doc: { _id: `x${i}`, _rev: 2, v: i } as Doc,
  }));

describe.skipIf(mongoUrl === '')(`MongoDB bulk compare-and-set (${mongoSource})`, () => {
  it('a replace-upsert whose filter misses an existing document fails with a duplicate key', async () => {
    const collection = await seeded(1);
    const error = await collection
      .replaceOne({ _id: 'x0', _rev: 5 }, { _rev: 6 }, { upsert: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(DUPLICATE_KEY);
    expect(await collection.findOne({ _id: 'x0' })).toMatchObject({ _rev: 1 });
  });

  it('replaces exactly the documents still at the expected revision, and says which', async () => {
    const collection = await seeded(20);
    const { bulkChunk } = writeModeFor(await isFerretDb(db), 'auto');
    const replaced = await bulkReplaceIf(collection, '_rev', items(20), bulkChunk, 4);
    expect(replaced).toEqual(Array.from({ length: 20 }, (_, i) => i % 2 === 0));
    const docs = await collection.find({}, { sort: { _id: 1 } }).toArray();
    for (const doc of docs) {
      const i = Number(doc._id.slice(1));
      expect(doc, doc._id).toMatchObject(i % 2 === 0 ? { _rev: 2, v: i } : { _rev: 1, v: 0 });
    }
    expect(await collection.countDocuments()).toBe(20);
  });

  it('replaces a whole batch with one unordered bulkWrite when every filter matches', async () => {
    const collection = await seeded(30);
    const all = Array.from({ length: 30 }, (_, i) => ({ expected: 1, doc: { _id: `x${i}`, _rev: 2, v: i } }));
    expect(await bulkReplaceIf(collection, '_rev', all, 30, 1)).toEqual(all.map(() => true));
    expect(await collection.countDocuments({ _rev: 2 })).toBe(30);
  });

  it('reports each lost compare-and-set of an unordered bulk at its own index on MongoDB, not on FerretDB', async () => {
    const collection = await seeded(4);
    const ops = items(4).map(({ expected, doc }) => ({
      replaceOne: { filter: { _id: doc._id, _rev: expected }, replacement: doc, upsert: true },
    }));
    const error = await collection.bulkWrite(ops, { ordered: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    const failed = (error as MongoBulkWriteError).writeErrors;
    const indexes = (Array.isArray(failed) ? failed : [failed]).map((e) => e.index);
    if (await isFerretDb(db)) {
      // FerretDB 1.24 stops at the first failure and reports it at index 0 (docs/ferretdb.md), which
      // is why the storage sends it one operation per bulk. If this changes, so can the storage.
      expect(indexes).toEqual([0]);
      expect(await collection.countDocuments({ _rev: 2 })).toBe(1);
      return;
    }
    expect(indexes).toEqual([1, 3]);
    expect(await collection.countDocuments({ _rev: 2 })).toBe(2);
    const many = await seeded(40);
    expect(await bulkReplaceIf(many, '_rev', items(40), 40, 1)).toEqual(
      Array.from({ length: 40 }, (_, i) => i % 2 === 0),
    );
  });

  it('writes a batch of transitions with one command per bulk chunk', async () => {
    const prefix = freshPrefix();
    const ferret = await isFerretDb(db);
    const { bulkChunk } = writeModeFor(ferret, 'auto');
    const watched = new MongoClient(mongoUrl, { monitorCommands: true });
    try {
      const store = createMongoDeliveryStore(
        createStoreContext({ db: watched.db(db.databaseName), collectionPrefix: prefix }),
      );
      const ids = Array.from({ length: 12 }, (_, i) => `d${i}`);
      await store.createMany(ids.map((id) => delivery(id, 'k1')));
      const updates: number[] = [];
      watched.on('commandStarted', (e) => {
        if (e.commandName === 'update' && e.command.update === `${prefix}deliveries`) {
          updates.push((e.command.updates as unknown[]).length);
        }
      });
      const results = await store.transitionMany(
        ids.map((id, i) => ({ id, from: ['pending'], to: 'queued', at: new Date(1000 + i) })),
      );
      expect(results.every((d) => d?.status === 'queued')).toBe(true);
      // The compare-and-set writes, then the clearing of the counter deltas: one bulk each on
      // MongoDB, one operation per command on FerretDB.
      const commands = Math.ceil(ids.length / bulkChunk);
      const perCommand = Math.min(bulkChunk, ids.length);
      expect(updates).toEqual(Array(2 * commands).fill(perCommand));
      expect(perCommand).toBe(ferret ? 1 : ids.length);
      expect(await store.counts('k1')).toMatchObject({ total: 12, byStatus: { queued: 12 } });
    } finally {
      await watched.close();
    }
  });
});
