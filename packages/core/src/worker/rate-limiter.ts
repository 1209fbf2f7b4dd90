/**
 * Token buckets per key, refilled at `rate` tokens per second with a burst of one second's worth.
 * Used by a worker to keep each campaign under its throttle.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** Takes up to `wanted` tokens for `key` at `now` (ms); returns how many were granted. */
  take(key: string, rate: number, wanted: number, now: number): number {
    const capacity = Math.max(1, rate);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: capacity, at: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    const granted = Math.max(0, Math.min(wanted, Math.floor(bucket.tokens)));
    bucket.tokens -= granted;
    return granted;
  }

  /** Milliseconds until `key` has one whole token again. */
  waitMs(key: string, rate: number): number {
    const bucket = this.buckets.get(key);
    if (bucket === undefined || bucket.tokens >= 1) return 0;
    return Math.ceil(((1 - bucket.tokens) / rate) * 1000);
  }
}
