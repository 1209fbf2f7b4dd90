const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/**
 * Parses an ISO 8601 date or date-time string to epoch milliseconds, or returns `NaN` when the text
 * is not one. A date alone (`2024-03-31`) means 00:00 UTC; a date-time without an offset is UTC too.
 * Components are range-checked (`2024-02-30` is refused). Fractions beyond milliseconds are truncated.
 *
 * @example
 * parseIsoDate('2024-03-31'); // Date.UTC(2024, 2, 31)
 * parseIsoDate('2024-03-31T10:00:00+02:00'); // Date.UTC(2024, 2, 31, 8)
 */
export function parseIsoDate(text: string): number {
  const m = ISO.exec(text);
  if (m === null) return Number.NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  if (hour > 23 || minute > 59 || second > 59) return Number.NaN;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return Number.NaN;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, ms);
  return utc.getTime() - offsetMinutes * 60_000;
}

/**
 * Epoch milliseconds of a date condition value: a valid `Date` or an ISO 8601 string (see
 * {@link parseIsoDate}). `NaN` for anything else.
 */
export function dateValueToEpoch(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string') return parseIsoDate(value);
  return Number.NaN;
}
