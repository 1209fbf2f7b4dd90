/**
 * The HTTP `Retry-After` header (RFC 9110 §10.2.3).
 */

/**
 * A `Retry-After` value as milliseconds to wait: delta-seconds (`120`) or an HTTP date (a date in
 * the past gives 0). `undefined` when the header is absent or unreadable.
 *
 * @param nowMs - the current time, to turn an HTTP date into a wait
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
