/**
 * Opaque pagination cursors, shared by every storage adapter: a listing position encoded as
 * base64url JSON, so callers treat `nextCursor` as a token and adapters agree on its shape.
 *
 * Decoding is strict: a cursor is accepted only when it is exactly what {@link encodeCursor} makes
 * of a position of the shape the listing issues. Anything else (garbage, a cursor of another
 * listing, a crafted object such as `{"$gt":""}`) is a {@link ValidationError} at `['cursor']`,
 * never a silent "first page" and never a value that reaches a query filter.
 */
import { ValidationError } from '../errors.js';

/** The problem code of a cursor that is not one the listing issued. */
export const INVALID_CURSOR = 'invalid_cursor';

/** The `ValidationError` of a cursor that is not one the listing issued (problem at `['cursor']`). */
export function invalidCursorError(): ValidationError {
  return new ValidationError('invalid cursor', [
    {
      path: ['cursor'],
      code: INVALID_CURSOR,
      message:
        'is not a cursor this listing issued: pass the nextCursor of the previous page, or no cursor for the first page',
    },
  ]);
}

/** Encodes a listing position as an opaque, URL-safe cursor. */
export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor}: `undefined` when `cursor` is `undefined` (the first
 * page). Throws a `ValidationError` at `['cursor']` (code `invalid_cursor`) when it is not base64url
 * JSON that encodes back to the very same cursor. Check the shape of the result before using it, or
 * use {@link decodeIdCursor} / {@link decodeTimeIdCursor}.
 */
export function decodeCursor(cursor: string | undefined): unknown {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw invalidCursorError();
  }
  // Node's base64url decoder skips characters outside the alphabet: only a cursor that encodes back
  // to itself is one that was issued.
  if (encodeCursor(key) !== cursor) throw invalidCursorError();
  return key;
}

/**
 * Decodes a cursor holding one string (an id, a sorted-set member); `undefined` for no cursor.
 * Throws a `ValidationError` at `['cursor']` for anything else.
 */
export function decodeIdCursor(cursor: string | undefined): string | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  if (typeof key !== 'string') throw invalidCursorError();
  return key;
}

/** The farthest a valid `Date` is from the epoch, in ms. */
const MAX_TIME_MS = 8_640_000_000_000_000;

/**
 * Decodes a cursor holding `[epochMs, id]` (a newest-first listing's last item); `undefined` for no
 * cursor. Throws a `ValidationError` at `['cursor']` unless it is a pair of an integer time in the
 * range of `Date` and a string.
 */
export function decodeTimeIdCursor(cursor: string | undefined): readonly [number, string] | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  if (
    !Array.isArray(key) ||
    key.length !== 2 ||
    !Number.isSafeInteger(key[0]) ||
    Math.abs(key[0] as number) > MAX_TIME_MS ||
    typeof key[1] !== 'string'
  ) {
    throw invalidCursorError();
  }
  return [key[0] as number, key[1] as string];
}

/** A page size from `PageOptions.limit`: an integer ≥ 1. */
export function pageLimit(limit: number): number {
  return Math.max(1, Math.floor(limit));
}
