import { decodeIdCursor, invalidCursorError } from '@minicrm/core';
import type { Redis } from 'ioredis';

/**
 * The sorted-set member (an id) a cursor holds; `undefined` for no cursor. A cursor that is not one
 * a listing issued is a `ValidationError` at `['cursor']`.
 */
export { decodeIdCursor as decodeCursor, encodeCursor, pageLimit } from '@minicrm/core';

/** A `<sortable time>:<id>` member (see `sortableTime` in `keys.ts`). */
const TIME_MEMBER = /^\d{16}:[\s\S]+$/;

/**
 * The `<sortable time>:<id>` member a newest-first listing's cursor holds; `undefined` for no
 * cursor. Anything else is a `ValidationError` at `['cursor']`.
 */
export function decodeTimeMemberCursor(cursor: string | undefined): string | undefined {
  const member = decodeIdCursor(cursor);
  if (member !== undefined && !TIME_MEMBER.test(member)) throw invalidCursorError();
  return member;
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
