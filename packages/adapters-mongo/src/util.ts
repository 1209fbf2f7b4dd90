/** MongoDB's duplicate-key error code. */
export const DUPLICATE_KEY = 11000;

/** Encodes a listing position as an opaque, URL-safe cursor. */
export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; `undefined` for an absent or malformed one. */
export function decodeCursor(cursor: string | undefined): unknown {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The id an ascending-id cursor holds, or `undefined`. */
export function decodeIdCursor(cursor: string | undefined): string | undefined {
  const key = decodeCursor(cursor);
  return typeof key === 'string' ? key : undefined;
}

/** A page size from `PageOptions.limit`: an integer ≥ 1. */
export function pageLimit(limit: number): number {
  return Math.max(1, Math.floor(limit));
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Waits a random time growing with `round` (randomized exponential backoff, capped at 100 ms). */
export function backoff(round: number): Promise<void> {
  const ms = Math.random() * Math.min(2 ** round, 100);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rounds of a compare-and-set loop before giving up with a `ConflictError`. */
export const MAX_ROUNDS = 50;

/** Items written per round of a batched operation. */
export const SLICE = 1000;
