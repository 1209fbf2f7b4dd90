import { randomUUID } from 'node:crypto';
import { type Collection, MongoBulkWriteError, MongoServerError } from 'mongodb';
import type { Doc } from './context.js';
import { backoff, DUPLICATE_KEY } from './util.js';

/** Attempts of a write that failed with a transient error. */
const TRANSIENT_ATTEMPTS = 30;

/**
 * A write error that left nothing half-done and may simply be tried again: FerretDB's SQLite backend
 * answers `database is locked (SQLITE_BUSY)` when concurrent writes collide (the statement's
 * transaction is rolled back).
 */
export function isTransient(error: unknown): boolean {
  return error instanceof MongoServerError && /database is locked|SQLITE_BUSY/.test(error.message);
}

/** Runs `fn`, trying again (with backoff) while it fails with a transient error. */
export async function retryTransient<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isTransient(error) || attempt >= TRANSIENT_ATTEMPTS) throw error;
      await backoff(attempt);
    }
  }
}

/**
 * The indexes of a bulk write's failed operations when every failure is a duplicate key; `undefined`
 * when the error is anything else.
 */
export function duplicateIndexesOf(error: unknown): Set<number> | undefined {
  if (!(error instanceof MongoBulkWriteError)) return undefined;
  const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  const out = new Set<number>();
  for (const e of errors) {
    if (e.code !== DUPLICATE_KEY) return undefined;
    out.add(e.index);
  }
  return out.size === 0 ? undefined : out;
}

/**
 * Inserts `docs` (unordered) where their `_id` is free; returns the indexes this call inserted.
 * Each document carries a write token `_w`, so after a transient failure (FerretDB may have inserted
 * some documents of a failed command) the retry can tell its own earlier inserts from documents
 * that were there before.
 */
export async function insertOwned(collection: Collection<Doc>, docs: readonly Doc[]): Promise<Set<number>> {
  const token = randomUUID();
  const tagged = docs.map((d) => ({ ...d, _w: token }));
  const inserted = new Set<number>();
  let pending = tagged.map((_, i) => i);
  for (let attempt = 1; pending.length > 0; attempt++) {
    let duplicates: Set<number>;
    try {
      await collection.insertMany(
        pending.map((i) => tagged[i] as Doc),
        { ordered: false },
      );
      duplicates = new Set();
    } catch (error) {
      if (isTransient(error) && attempt < TRANSIENT_ATTEMPTS) {
        await backoff(attempt);
        continue;
      }
      const found = duplicateIndexesOf(error);
      if (found === undefined) throw error;
      duplicates = found;
    }
    const dupIds: string[] = [];
    pending.forEach((i, k) => {
      if (duplicates.has(k)) dupIds.push((tagged[i] as Doc)._id);
      else inserted.add(i);
    });
    if (attempt > 1 && dupIds.length > 0) {
      // Inserted by an earlier attempt of this call (whose command failed half-way)?
      const mine = await collection
        .find({ _id: { $in: dupIds }, _w: token }, { projection: { _id: 1 } })
        .toArray();
      const ids = new Set(mine.map((d) => d._id));
      pending.forEach((i) => {
        if (ids.has((tagged[i] as Doc)._id)) inserted.add(i);
      });
    }
    pending = [];
  }
  return inserted;
}
