import type { Page } from '@minicrm/core';
import type { Redis } from 'ioredis';
import { decodeCursor, encodeCursor, membersAfter, pageLimit } from './cursor.js';

/** Records read per round trip while scanning with a filter. */
export const SCAN_CHUNK = 1000;

/** Options of {@link scanPage}. */
export interface ScanOptions<T> {
  /** Sorted set (score 0) of the ids, ascending. */
  readonly index: string;
  readonly limit: number;
  readonly cursor?: string | undefined;
  /** Reads the records of ids (in order, `null` when absent). */
  readonly read: (ids: readonly string[]) => Promise<(T | null)[]>;
  /** Keeps only the records passing it. */
  readonly filter?: ((record: T) => boolean) | undefined;
}

/**
 * One page of records in ascending id: reads ids from the index after the cursor in chunks, then
 * their records, until `limit` records pass the filter and one more is found (so the last page has
 * `nextCursor: null`). The cursor is the last returned id, so a resumed listing sees ids inserted
 * later after it and never repeats one.
 */
export async function scanPage<T extends { readonly id: string }>(
  client: Redis,
  options: ScanOptions<T>,
): Promise<Page<T>> {
  const limit = pageLimit(options.limit);
  const filter = options.filter;
  const chunk = filter === undefined ? limit + 1 : Math.max(SCAN_CHUNK, limit + 1);
  const items: T[] = [];
  let position = decodeCursor(options.cursor);
  for (;;) {
    const ids = await membersAfter(client, options.index, position, chunk);
    for (const record of await options.read(ids)) {
      if (record === null || (filter !== undefined && !filter(record))) continue;
      if (items.length === limit) {
        return { items, nextCursor: encodeCursor((items[limit - 1] as T).id) };
      }
      items.push(record);
    }
    if (ids.length < chunk) return { items, nextCursor: null };
    position = ids[ids.length - 1];
  }
}

/** Visits every record of an index in ascending id, `chunk` at a time. */
export async function forEachRecord<T>(
  client: Redis,
  index: string,
  read: (ids: readonly string[]) => Promise<(T | null)[]>,
  visit: (record: T) => void,
  chunk = SCAN_CHUNK,
): Promise<void> {
  let position: string | undefined;
  for (;;) {
    const ids = await membersAfter(client, index, position, chunk);
    for (const record of await read(ids)) if (record !== null) visit(record);
    if (ids.length < chunk) return;
    position = ids[ids.length - 1];
  }
}
