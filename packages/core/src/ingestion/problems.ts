import type { z } from 'zod';
import type { Problem } from '../errors.js';

/**
 * Turns zod issues into {@link Problem}s: one problem per unknown key (path ending with the key),
 * custom issues keep the code they carry in `params.code`.
 */
export function issuesToProblems(error: z.ZodError, unknownKeyHint = ''): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({
          path: [...path, key],
          code: 'unknown_field',
          message: `unknown field "${key}"${unknownKeyHint}`,
        });
      }
    } else if (issue.code === 'custom') {
      const code = (issue.params as { code?: unknown } | undefined)?.code;
      problems.push({ path, code: typeof code === 'string' ? code : 'invalid', message: issue.message });
    } else {
      problems.push({ path, code: issue.code, message: issue.message });
    }
  }
  return problems;
}

/** A copy of `value` without its `null` properties (an explicit `null` means "absent"). */
export function withoutNulls(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== null) out[key] = v;
  return out;
}
