import type { z } from 'zod';
import type { Problem } from '../errors.js';

/** Turns zod issues into {@link Problem}s, with `prefix` put before each path. */
export function zodProblems(error: z.ZodError, prefix: readonly (string | number)[] = []): Problem[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    message: issue.message,
    code: issue.code,
  }));
}
