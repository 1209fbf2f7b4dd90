/** The "one object, or `{ <key>: [...] }`" bodies of the write routes. */
import { type Problem, ValidationError } from '@minicrm/core';

/** The items of a body: the array under `key`, or the body itself as one item. */
export function itemsOf(body: unknown, key: string): { items: unknown; isBatch: boolean } {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && key in body) {
    const items = (body as Record<string, unknown>)[key];
    if (!Array.isArray(items)) {
      throw new ValidationError(`invalid ${key}`, [
        { path: [key], code: 'invalid_type', message: `must be an array of ${key}` },
      ]);
    }
    return { items, isBatch: true };
  }
  return { items: body, isBatch: false };
}

/**
 * A write refused every item: answer 400 with every problem (paths under `key` for a batch), as an
 * all-invalid request leaves nothing written.
 */
export function refuseIfNothingWritten(
  what: string,
  key: string,
  isBatch: boolean,
  total: number,
  rejected: readonly { readonly problems: readonly Problem[] }[],
): void {
  if (total === 0 || rejected.length < total) return;
  const problems = rejected.flatMap((r) =>
    r.problems.map((p) => (isBatch ? { ...p, path: [key, ...p.path] } : p)),
  );
  throw new ValidationError(`invalid ${what}`, problems);
}

/** Prefixes the problem paths of rejected batch items with `key`, so they point into the body. */
export function rejectedInBody<T extends { readonly problems: readonly Problem[] }>(
  key: string,
  isBatch: boolean,
  rejected: readonly T[],
): T[] {
  if (!isBatch) return [...rejected];
  return rejected.map((r) => ({ ...r, problems: r.problems.map((p) => ({ ...p, path: [key, ...p.path] })) }));
}
