/**
 * Revision claims (`src/cas.ts`, the path FerretDB takes; forced here so it runs on any server): a
 * holder writes only within the first half of its lease, so a slow holder and a writer that broke
 * its claim after the lease never write at once.
 */
import { at, delivery } from '@minicrm/core/testing';
import { describe, expect, it } from 'vitest';
import type { Doc } from '../src/context.js';
import { createIndexes, DEFAULT_CUSTOMER_INDEX_FIELDS } from '../src/indexes.js';
import { createStoreContext } from '../src/storage.js';
import { createMongoDeliveryStore } from '../src/stores/delivery-store.js';
import { type FaultPlan, faultyDb } from './support/faults.js';
import { freshPrefix, mongoSource, mongoUrl, useDatabase } from './support/mongo.js';
import { countDeliveries } from './support/streamed-counts.js';

const { db } = useDatabase('claims');
const LEASE_MS = 600;

function store(prefix: string, plan?: FaultPlan) {
  const ctx = createStoreContext({
    db: plan === undefined ? db : faultyDb(db, plan),
    collectionPrefix: prefix,
    revisionClaims: true,
    claimLeaseMs: LEASE_MS,
  });
  return { ctx, deliveries: createMongoDeliveryStore(ctx) };
}

describe.skipIf(mongoUrl === '')(`MongoDB revision claims (${mongoSource})`, () => {
  it('a holder whose claim landed after half its lease does not write; the transition applies once, later', async () => {
    const prefix = freshPrefix();
    const clean = store(prefix);
    await createIndexes(clean.ctx.collections, DEFAULT_CUSTOMER_INDEX_FIELDS);
    await clean.deliveries.createMany([delivery('a', 'k1')]);

    let claimInserts = 0;
    const writes: number[] = [];
    const slow = store(prefix, (collection, method) => {
      if (collection.endsWith('claims') && method === 'insertMany') {
        claimInserts += 1;
        // The first claim reaches the server after its holder's deadline (a paused process).
        if (claimInserts === 1) return { delayMs: LEASE_MS / 2 + 150 };
      }
      if (collection.endsWith('deliveries') && method === 'bulkWrite') writes.push(claimInserts);
      return 'none';
    });
    const started = Date.now();
    const [result] = await slow.deliveries.transitionMany([
      { id: 'a', from: ['pending'], to: 'queued', at: at(1) },
    ]);
    expect(result?.status).toBe('queued');
    // Not sent under the late claim: only after the lease let it be broken and claimed again.
    expect(writes[0]).toBeGreaterThan(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(LEASE_MS);
    const raw = db.collection<Doc>(`${prefix}deliveries`);
    expect(await raw.findOne({ _id: 'a' })).toMatchObject({ status: 'queued' });
    const counts = await clean.deliveries.counts('k1');
    expect(counts).toEqual(await countDeliveries(raw, 'k1'));
    expect(counts.byStatus).toMatchObject({ queued: 1, pending: 0 });
  });
});
