import type { Collection } from 'mongodb';
import type { Doc } from '../context.js';
import { insertOwned } from '../write.js';

/**
 * A journal entry in a customer document (`_j`): an order (`k: 'o'`) or event (`k: 'e'`) whose
 * effect is already in the customer's aggregates but whose own document may not be written yet.
 */
export interface JournalEntry {
  readonly i: string;
  readonly k: 'o' | 'e';
  readonly d: Doc;
}

/** The journal of a customer document (empty when absent). */
export function journalOf(doc: Doc | null | undefined): JournalEntry[] {
  const j = doc?._j;
  return Array.isArray(j) ? (j as JournalEntry[]) : [];
}

/** Inserts documents, ignoring those already there (duplicate `_id`). */
export async function insertIgnoringDuplicates(
  collection: Collection<Doc>,
  docs: readonly Doc[],
): Promise<void> {
  if (docs.length > 0) await insertOwned(collection, docs);
}

/** Writes the order and event documents of journal entries (idempotent). */
export async function settleJournal(
  entries: readonly JournalEntry[],
  orders: Collection<Doc>,
  events: Collection<Doc>,
): Promise<void> {
  await Promise.all([
    insertIgnoringDuplicates(
      orders,
      entries.filter((e) => e.k === 'o').map((e) => e.d),
    ),
    insertIgnoringDuplicates(
      events,
      entries.filter((e) => e.k === 'e').map((e) => e.d),
    ),
  ]);
}

/** The ids of `ids` that have a document in `collection`. */
export async function existingIds(collection: Collection<Doc>, ids: Iterable<string>): Promise<Set<string>> {
  const list = [...new Set(ids)];
  if (list.length === 0) return new Set();
  const docs = await collection.find({ _id: { $in: list } }, { projection: { _id: 1 } }).toArray();
  return new Set(docs.map((d) => d._id));
}
