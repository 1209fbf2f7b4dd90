import type { z } from 'zod';
import type { Problem } from '../errors.js';

/**
 * Turns zod issues into {@link Problem}s, with `prefix` put before each path. An unknown key is
 * reported at its own path (`retry.foo`), one problem per key, its message ending with
 * `unknownKeyHint`; a custom issue keeps the code it carries in `params.code`.
 */
export function zodProblems(
  error: z.ZodError,
  prefix: readonly (string | number)[] = [],
  unknownKeyHint = '',
): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
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
