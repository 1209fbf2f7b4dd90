/** MongoDB's duplicate-key error code. */
export const DUPLICATE_KEY = 11000;

export { decodeCursor, decodeIdCursor, decodeTimeIdCursor, encodeCursor, pageLimit } from '@minicrm/core';

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
