/**
 * JSON with `Date`s that survive the trip. A `Date` anywhere in the value is written as
 * `{ "$date": "<ISO 8601>" }` and read back as a `Date`; everything else is plain JSON. An object
 * whose only key is a string `$date` is therefore always read as a `Date`. An invalid `Date` is
 * written as `null` (as `JSON.stringify` does).
 */

/** Encodes `value` as JSON, writing each `Date` as `{ "$date": iso }`. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, encoded: unknown) {
    // `encoded` has been through Date#toJSON already; the holder still has the original.
    const raw = this[key];
    if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? null : { $date: raw.toISOString() };
    return encoded;
  });
}

/** Decodes JSON written by {@link encodeJson}, turning each `{ "$date": iso }` back into a `Date`. */
export function decodeJson<T = unknown>(text: string): T {
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      const date = record.$date;
      if (typeof date === 'string' && Object.keys(record).length === 1) return new Date(date);
    }
    return value;
  }) as T;
}
