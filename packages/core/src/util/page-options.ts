import { ValidationError } from '../errors.js';
import type { PageOptions } from '../ports/storage.js';

/** The largest page a listing returns. */
export const MAX_PAGE_SIZE = 1000;

/** Page options as callers pass them: both optional. */
export interface PageInput {
  /** Items per page, 1 to 1000. @default 50 */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** Checks page options (`ValidationError` at `limit` when out of range) and fills the default. */
export function checkPage(options: PageInput, what: string): PageOptions {
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationError(`invalid ${what} options`, [
      { path: ['limit'], code: 'out_of_range', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` },
    ]);
  }
  return options.cursor === undefined ? { limit } : { limit, cursor: options.cursor };
}
