import type { Redis } from 'ioredis';

/** The sorted-set member a cursor holds; `undefined` for an absent, empty or malformed cursor. */
export { decodeIdCursor as decodeCursor, encodeCursor, pageLimit } from '@minicrm/core';

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
