import type { Page } from '../../ports/storage.js';

import { encodeCursor } from '../../util/cursor.js';

export { decodeCursor, decodeIdCursor, decodeTimeIdCursor, encodeCursor } from '../../util/cursor.js';

/**
 * One page of `ids` (ascending) from index `start`: up to `limit` records that pass `filter`, and a
 * cursor when another matching record follows (looked ahead, so the last page has `nextCursor: null`).
 */
export function pageOfIds<T>(
  ids: readonly string[],
  start: number,
  limit: number,
  get: (id: string) => T | undefined,
  filter?: (record: T) => boolean,
): Page<T> {
  const items: T[] = [];
  const max = Math.max(1, Math.floor(limit));
  let i = start;
  let lastId: string | undefined;
  for (; i < ids.length && items.length < max; i++) {
    const id = ids[i] as string;
    const record = get(id);
    if (record === undefined || (filter !== undefined && !filter(record))) continue;
    items.push(record);
    lastId = id;
  }
  let more = false;
  for (; i < ids.length; i++) {
    const record = get(ids[i] as string);
    if (record !== undefined && (filter === undefined || filter(record))) {
      more = true;
      break;
    }
  }
  return { items, nextCursor: more && lastId !== undefined ? encodeCursor(lastId) : null };
}
