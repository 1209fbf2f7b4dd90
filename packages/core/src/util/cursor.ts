/**
 * Opaque pagination cursors, shared by every storage adapter: a listing position encoded as
 * base64url JSON, so callers treat `nextCursor` as a token and adapters agree on its shape.
 */

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

/** Decodes a cursor holding one string (an id, a sorted-set member); `undefined` otherwise. */
export function decodeIdCursor(cursor: string | undefined): string | undefined {
  const key = decodeCursor(cursor);
  return typeof key === 'string' ? key : undefined;
}

/** A page size from `PageOptions.limit`: an integer ≥ 1. */
export function pageLimit(limit: number): number {
  return Math.max(1, Math.floor(limit));
}
