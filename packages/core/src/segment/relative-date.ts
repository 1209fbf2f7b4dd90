import type { RelativeDuration, RelativeUnit } from './types.js';

/** Every relative date unit, in a stable order. */
export const RELATIVE_UNITS: readonly RelativeUnit[] = [
  'minutes',
  'hours',
  'days',
  'weeks',
  'months',
  'years',
];

const FIXED_MS: Readonly<Record<string, number>> = {
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
};

/**
 * The instant `duration` before `now`, in epoch milliseconds: the lower bound of `withinLast`.
 * Minutes to weeks are fixed lengths (all instants are UTC, so a day is always 24 hours). Months and
 * years are calendar arithmetic in UTC with the day of month clamped: 31 March − 1 month is
 * 28 (or 29) February; 29 February − 1 year is 28 February. The time of day is kept.
 * Returns `-Infinity` when the result falls before the earliest representable date.
 *
 * @example
 * relativeLowerBound(new Date('2024-03-31T12:00:00Z'), { amount: 1, unit: 'months' });
 * // Date.UTC(2024, 1, 29, 12)
 */
export function relativeLowerBound(now: Date | number, duration: RelativeDuration): number {
  const t = typeof now === 'number' ? now : now.getTime();
  const fixed = FIXED_MS[duration.unit];
  let result: number;
  if (fixed !== undefined) {
    result = t - duration.amount * fixed;
  } else {
    const months = duration.unit === 'years' ? duration.amount * 12 : duration.amount;
    const d = new Date(t);
    const total = d.getUTCFullYear() * 12 + d.getUTCMonth() - months;
    const year = Math.floor(total / 12);
    const month = total - year * 12;
    const last = new Date(0);
    last.setUTCFullYear(year, month + 1, 0);
    const day = Math.min(d.getUTCDate(), last.getUTCDate());
    const out = new Date(0);
    out.setUTCFullYear(year, month, day);
    out.setUTCHours(d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
    result = out.getTime();
  }
  return Number.isNaN(result) || result < -8.64e15 ? Number.NEGATIVE_INFINITY : result;
}
