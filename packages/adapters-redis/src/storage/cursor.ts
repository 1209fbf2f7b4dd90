import type { Redis } from 'ioredis';

/** Encodes a listing position (a sorted-set member) as an opaque, URL-safe cursor. */
export function encodeCursor(member: string): string {
  return Buffer.from(member, 'utf8').toString('base64url');
}

/** The sorted-set member a cursor holds; `undefined` for an absent or empty cursor. */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

/** A page size from `PageOptions.limit`: an integer ≥ 1. */
export function pageLimit(limit: number): number {
  return Math.max(1, Math.floor(limit));
}

/**
 * Up to `count` members of a score-0 sorted set after `after` (exclusive), in ascending
 * lexicographic order, or descending (before `after`) when `reverse`.
 */
export function membersAfter(
  client: Redis,
  key: string,
  after: string | undefined,
  count: number,
  reverse = false,
): Promise<string[]> {
  if (reverse) {
    return client.zrevrangebylex(key, after === undefined ? '+' : `(${after}`, '-', 'LIMIT', 0, count);
  }
  return client.zrangebylex(key, after === undefined ? '-' : `(${after}`, '+', 'LIMIT', 0, count);
}
