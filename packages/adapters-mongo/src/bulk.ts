import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { Doc } from './context.js';
import { mapLimit } from './util.js';
import { duplicateIndexesOf, retryTransient } from './write.js';

/** One conditional replace: the document, and the value its revision field must hold now. */
export interface ReplaceIf {
  readonly expected: number;
  readonly doc: Doc;
  /**
   * Not sent after this time (epoch ms): the end of the writer's revision claim (`cas.ts`), after
   * which another writer may take over. Checked before every attempt.
   */
  readonly deadline?: number;
}

/**
 * Replaces each document whose revision `field` still holds `expected`, in unordered `bulkWrite`s of
 * `chunk` operations (`concurrency` bulks in flight); returns, per item, whether it was replaced.
 *
 * A bulk result only counts matches, so each replace is an upsert: one whose filter
 * `{ _id, [field]: expected }` matches nothing tries to insert a second document with the same `_id`
 * and fails with a duplicate-key error at its own index, which MongoDB reports per operation. Only
 * for documents that exist and are never deleted (an absent one would be inserted). An item whose
 * `deadline` passed before it could be sent counts as not replaced.
 */
export async function bulkReplaceIf(
  collection: Collection<Doc>,
  field: string,
  items: readonly ReplaceIf[],
  chunk: number,
  concurrency: number,
): Promise<boolean[]> {
  const replaced = new Array<boolean>(items.length).fill(false);
  const chunks: number[][] = [];
  for (let start = 0; start < items.length; start += chunk) {
    chunks.push(Array.from({ length: Math.min(chunk, items.length - start) }, (_, k) => start + k));
  }
  await mapLimit(chunks, concurrency, async (all) => {
    // The items sent by the last attempt (a transient failure wrote nothing; past deadlines drop out).
    let sent: number[] = [];
    let lost: ReadonlySet<number> = new Set();
    try {
      await retryTransient(async () => {
        const now = Date.now();
        sent = all.filter((i) => ((items[i] as ReplaceIf).deadline ?? now) >= now);
        if (sent.length === 0) return;
        const ops: AnyBulkWriteOperation<Doc>[] = sent.map((i) => {
          const { expected, doc } = items[i] as ReplaceIf;
          return {
            replaceOne: { filter: { _id: doc._id, [field]: expected }, replacement: doc, upsert: true },
          };
        });
        await collection.bulkWrite(ops, { ordered: false });
      });
    } catch (error) {
      const duplicates = duplicateIndexesOf(error);
      if (duplicates === undefined) throw error;
      lost = duplicates;
    }
    sent.forEach((i, k) => {
      replaced[i] = !lost.has(k);
    });
  });
  return replaced;
}
