/** The grants of one key: ascending grant times, oldest first from `head`. */
interface Window {
  times: number[];
  head: number;
  /** Time of the latest `take`, for `waitMs`. */
  at: number;
}

/**
 * Per-key sliding-window limiters. At `rate` per second, a key gets at most `max(1, floor(rate))`
 * grants in any window of `max(1, floor(rate)) * 1000 / rate` ms: never more than `rate` in any
 * sliding second, so sends held back (by a pause, a backlog, retries) are still spaced out when
 * they are released, instead of going out as a burst on top of the last second's sends.
 * Used by a worker to keep each campaign under its throttle.
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  /** Takes up to `wanted` grants for `key` at `now` (ms); returns how many were granted. */
  take(key: string, rate: number, wanted: number, now: number): number {
    const { cap, windowMs } = shape(rate);
    let w = this.windows.get(key);
    if (w === undefined) {
      w = { times: [], head: 0, at: now };
      this.windows.set(key, w);
    }
    w.at = now;
    while (w.head < w.times.length && (w.times[w.head] as number) <= now - windowMs) w.head++;
    if (w.head > 64 && w.head * 2 > w.times.length) {
      w.times = w.times.slice(w.head);
      w.head = 0;
    }
    const granted = Math.max(0, Math.min(wanted, cap - (w.times.length - w.head)));
    for (let i = 0; i < granted; i++) w.times.push(now);
    return granted;
  }

  /** Milliseconds (after the latest `take`) until `key` may be granted again. */
  waitMs(key: string, rate: number): number {
    const w = this.windows.get(key);
    if (w === undefined) return 0;
    const { cap, windowMs } = shape(rate);
    if (w.times.length - w.head < cap) return 0;
    return Math.max(0, Math.ceil((w.times[w.head] as number) + windowMs - w.at));
  }
}

/** Grants per window and window length for a rate per second. */
function shape(rate: number): { cap: number; windowMs: number } {
  const cap = Math.max(1, Math.floor(rate));
  return { cap, windowMs: (cap * 1000) / rate };
}
