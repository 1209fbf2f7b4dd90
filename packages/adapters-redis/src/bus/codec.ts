/**
 * JSON with `Date`s that survive the trip. A `Date` anywhere in the value is written as
 * `{ "$date": "<ISO 8601>" }` and read back as a `Date`; everything else is plain JSON. An object
 * whose only key is a string `$date` is therefore always read as a `Date`. An invalid `Date` is
 * written as `null` (as `JSON.stringify` does).
 */

/**
 * True when `value` holds a `Date`, or an object with its own `toJSON` whose output could (checked
 * conservatively), anywhere `JSON.stringify` would look.
 */
function mayHoldDate(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (value instanceof Date || typeof (value as { toJSON?: unknown }).toJSON === 'function') return true;
  if (Array.isArray(value)) {
    for (const item of value) if (mayHoldDate(item)) return true;
    return false;
  }
  for (const key in value) {
    if (mayHoldDate((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

function dateReplacer(this: Record<string, unknown>, key: string, encoded: unknown): unknown {
  // `encoded` has been through Date#toJSON already; the holder still has the original.
  const raw = this[key];
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? null : { $date: raw.toISOString() };
  return encoded;
}

function dateReviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const date = record.$date;
    if (typeof date === 'string' && Object.keys(record).length === 1) return new Date(date);
  }
  return value;
}

/** Encodes `value` as JSON, writing each `Date` as `{ "$date": iso }`. */
export function encodeJson(value: unknown): string {
  // Job payloads and most events hold no Date: plain JSON.stringify, without a call per key.
  return mayHoldDate(value) ? JSON.stringify(value, dateReplacer) : JSON.stringify(value);
}

/** Decodes JSON written by {@link encodeJson}, turning each `{ "$date": iso }` back into a `Date`. */
export function decodeJson<T = unknown>(text: string): T {
  // Without `$date` (even escaped) in the text, nothing can revive to a Date.
  if (!text.includes('$date') && !text.includes('\\u')) return JSON.parse(text) as T;
  return JSON.parse(text, dateReviver) as T;
}
