import type { z } from 'zod';
import type { Problem } from '../errors.js';
import { zodProblems } from '../util/zod-problems.js';

/**
 * Turns zod issues into {@link Problem}s: one problem per unknown key (path ending with the key),
 * custom issues keep the code they carry in `params.code`.
 */
export function issuesToProblems(error: z.ZodError, unknownKeyHint = ''): Problem[] {
  return zodProblems(error, [], unknownKeyHint);
}

/** A copy of `value` without its `null` properties (an explicit `null` means "absent"). */
export function withoutNulls(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== null) out[key] = v;
  return out;
}
