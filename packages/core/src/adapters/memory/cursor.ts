import type { Page } from '../../ports/storage.js';

/** Encodes a listing position as an opaque, URL-safe cursor. */
export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; `undefined` for an absent or malformed cursor. */
export function decodeCursor(cursor: string | undefined): unknown {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Decodes a cursor holding one id (ascending-id listings). */
export function decodeIdCursor(cursor: string | undefined): string | undefined {
  const key = decodeCursor(cursor);
  return typeof key === 'string' ? key : undefined;
}

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
