import type { Collection } from 'mongodb';
import { bulkReplaceIf, type ReplaceIf } from './bulk.js';
import type { Doc } from './context.js';
import type { WriteMode } from './server.js';
import { mapLimit } from './util.js';
import { insertOwned, retryTransient } from './write.js';

/** How long a revision claim protects a write before another writer may break it (ms). */
export const CLAIM_LEASE_MS = 30_000;

/**
 * Conditional single-document writes: replace the document `_id` if its revision field still holds
 * `expected`. On MongoDB that is `replaceOne({ _id, [field]: expected })`, atomic per document.
 *
 * FerretDB 1.24 does not apply a conditional update atomically: two concurrent `replaceOne`s with
 * the same filter can both match. Inserts of a duplicate `_id` are refused atomically there, so in
 * `claims` mode a writer first inserts a claim `<collection>|<id>|<expected + 1>` into
 * `<prefix>claims`; only the one writer whose insert succeeds writes. A claim whose writer crashed
 * before writing is broken after {@link CLAIM_LEASE_MS}.
 */
export interface ConditionalWriter {
  /** True when the document was replaced (it held `expected` in `field`). An absent one stays absent. */
  replace(collection: Collection<Doc>, field: string, expected: number, doc: Doc): Promise<boolean>;
  /**
   * Per item, whether its document was replaced: {@link bulkReplaceIf} (unordered `bulkWrite`s of
   * upserts), after the claims in `claims` mode. Only for documents that are never deleted.
   */
  replaceMany(collection: Collection<Doc>, field: string, items: readonly ReplaceIf[]): Promise<boolean[]>;
}

async function replaceOneIf(
  collection: Collection<Doc>,
  field: string,
  expected: number,
  doc: Doc,
  deadline = Number.POSITIVE_INFINITY,
): Promise<boolean> {
  const result = await retryTransient(async () =>
    Date.now() > deadline ? undefined : collection.replaceOne({ _id: doc._id, [field]: expected }, doc),
  );
  return result !== undefined && result.matchedCount === 1;
}

/**
 * Revision claims (for servers without atomic conditional updates). A claim stays after its write:
 * only writers that read the old revision ever ask for it again, and their write would not match
 * anyway. Claims older than twice the lease are removed in the background.
 *
 * Another writer breaks a claim once the lease has passed, so the holder must not write after it: it
 * sends its write only within the first half of the lease (its deadline), checked before every
 * attempt; the other half covers the one write in flight.
 */
function claimer(claims: Collection<Doc>, concurrency: number, leaseMs: number) {
  let lastGc = Date.now();

  /** Claims `key` now; its deadline when won. */
  async function claimNow(key: string): Promise<number | undefined> {
    const at = new Date();
    const won = (await insertOwned(claims, [{ _id: key, at }])).size === 1;
    return won ? at.getTime() + leaseMs / 2 : undefined;
  }

  async function breakStale(key: string): Promise<number | undefined> {
    const found = await claims.findOne({ _id: key });
    if (found === null) return claimNow(key);
    if (Date.now() - (found.at as Date).getTime() < leaseMs) return undefined;
    await retryTransient(() => claims.deleteOne({ _id: key, at: found.at }));
    return claimNow(key);
  }

  function collectGarbage(): void {
    if (Date.now() - lastGc < 2 * leaseMs) return;
    lastGc = Date.now();
    const before = new Date(lastGc - 2 * leaseMs);
    claims.deleteMany({ at: { $lt: before } }).catch(() => {
      // Best effort: the next round tries again.
    });
  }

  /**
   * Claims every key it can (one unordered insert, then stale claims broken); per key, the deadline
   * of its write when won, else `undefined`.
   */
  return async (keys: readonly string[]): Promise<(number | undefined)[]> => {
    collectGarbage();
    const at = new Date();
    const won = await insertOwned(
      claims,
      keys.map((_id) => ({ _id, at })),
    );
    const deadline = at.getTime() + leaseMs / 2;
    return mapLimit(keys, concurrency, async (key, i) => (won.has(i) ? deadline : breakStale(key)));
  };
}

/**
 * The conditional writer for a server's {@link WriteMode} (resolved on first use): plain
 * compare-and-set on MongoDB, revision claims first where conditional updates are not atomic.
 */
export function modeWriter(
  mode: () => Promise<WriteMode>,
  claims: Collection<Doc>,
  concurrency: number,
  leaseMs = CLAIM_LEASE_MS,
): ConditionalWriter {
  const claim = claimer(claims, concurrency, leaseMs);
  const keyOf = (collection: Collection<Doc>, doc: Doc, expected: number) =>
    `${collection.collectionName}|${doc._id}|${expected + 1}`;
  return {
    async replace(collection, field, expected, doc) {
      if (!(await mode()).claims) return replaceOneIf(collection, field, expected, doc);
      const [deadline] = await claim([keyOf(collection, doc, expected)]);
      return deadline !== undefined && replaceOneIf(collection, field, expected, doc, deadline);
    },

    async replaceMany(collection, field, items) {
      if (items.length === 0) return [];
      const { claims: useClaims, bulkChunk } = await mode();
      if (!useClaims) return bulkReplaceIf(collection, field, items, bulkChunk, concurrency);
      const deadlines = await claim(items.map((item) => keyOf(collection, item.doc, item.expected)));
      const claimed = items.flatMap((item, i) => {
        const deadline = deadlines[i];
        return deadline === undefined ? [] : [{ ...item, deadline }];
      });
      const replaced = await bulkReplaceIf(collection, field, claimed, bulkChunk, concurrency);
      let k = 0;
      return deadlines.map((d) => d !== undefined && (replaced[k++] as boolean));
    },
  };
}
