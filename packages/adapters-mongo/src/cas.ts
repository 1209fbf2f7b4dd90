import type { Collection, Db } from 'mongodb';
import type { Doc } from './context.js';
import { insertOwned, retryTransient } from './write.js';

/** How long a revision claim protects a write before another writer may break it (ms). */
export const CLAIM_LEASE_MS = 30_000;

/**
 * Conditional single-document writes: replace the document `_id` if its revision field still holds
 * `expected`. On MongoDB that is one `replaceOne({ _id, [field]: expected })`, atomic per document.
 *
 * FerretDB 1.24 does not apply a conditional update atomically: two concurrent `replaceOne`s with
 * the same filter can both match. Inserts of a duplicate `_id` are refused atomically there, so in
 * `claims` mode a writer first inserts a claim `<collection>|<id>|<expected + 1>` into
 * `<prefix>claims`; only the one writer whose insert succeeds writes. A claim whose writer crashed
 * before writing is broken after {@link CLAIM_LEASE_MS}.
 */
export interface ConditionalWriter {
  /** True when the document was replaced (it held `expected` in `field`). */
  replace(collection: Collection<Doc>, field: string, expected: number, doc: Doc): Promise<boolean>;
}

/** Plain compare-and-set: MongoDB's per-document atomicity. */
export const plainWriter: ConditionalWriter = {
  async replace(collection, field, expected, doc) {
    const result = await retryTransient(() =>
      collection.replaceOne({ _id: doc._id, [field]: expected }, doc),
    );
    return result.matchedCount === 1;
  },
};

/** Claims older than this are deleted now and then (they no longer protect anything). */
const CLAIM_GC_AFTER_MS = 2 * CLAIM_LEASE_MS;

/**
 * Compare-and-set serialized by claim inserts (for servers without atomic conditional updates).
 * A claim stays after its write: only writers that read the old revision ever ask for it again, and
 * their write would not match anyway. Old claims are removed in the background.
 */
export function claimWriter(claims: Collection<Doc>): ConditionalWriter {
  let lastGc = Date.now();

  async function claim(key: string): Promise<boolean> {
    return (await insertOwned(claims, [{ _id: key, at: new Date() }])).size === 1;
  }

  async function breakStale(key: string): Promise<boolean> {
    const found = await claims.findOne({ _id: key });
    if (found === null) return claim(key);
    if (Date.now() - (found.at as Date).getTime() < CLAIM_LEASE_MS) return false;
    await retryTransient(() => claims.deleteOne({ _id: key, at: found.at }));
    return claim(key);
  }

  function collectGarbage(): void {
    if (Date.now() - lastGc < CLAIM_GC_AFTER_MS) return;
    lastGc = Date.now();
    const before = new Date(lastGc - CLAIM_GC_AFTER_MS);
    claims.deleteMany({ at: { $lt: before } }).catch(() => {
      // Best effort: the next round tries again.
    });
  }

  return {
    async replace(collection, field, expected, doc) {
      collectGarbage();
      const key = `${collection.collectionName}|${doc._id}|${expected + 1}`;
      if (!(await claim(key)) && !(await breakStale(key))) return false;
      return plainWriter.replace(collection, field, expected, doc);
    },
  };
}

/** Whether the server is FerretDB (`buildInfo` reports `ferretdbVersion`). */
export async function isFerretDb(db: Db): Promise<boolean> {
  const info = await db.command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string';
}

/**
 * A writer resolved once, on first use: `claims` for FerretDB (or when forced), `plain` otherwise.
 */
export function lazyWriter(db: Db, claims: Collection<Doc>, mode: boolean | 'auto'): ConditionalWriter {
  let chosen: Promise<ConditionalWriter> | undefined;
  const resolve = () => {
    chosen ??= (mode === 'auto' ? isFerretDb(db) : Promise.resolve(mode)).then((useClaims) =>
      useClaims ? claimWriter(claims) : plainWriter,
    );
    chosen.catch(() => {
      chosen = undefined;
    });
    return chosen;
  };
  return {
    async replace(collection, field, expected, doc) {
      return (await resolve()).replace(collection, field, expected, doc);
    },
  };
}
