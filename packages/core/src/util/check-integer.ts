import type { Problem } from '../errors.js';

/** Adds a problem at `path` unless `value` is absent or an integer from `min` to `max`. */
export function checkInteger(
  problems: Problem[],
  path: readonly (string | number)[],
  value: number | undefined,
  min: number,
  max: number,
): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    problems.push({ path, code: 'out_of_range', message: `must be an integer from ${min} to ${max}` });
  }
}
