/**
 * Bounded memory of idempotency keys: each key is kept for a time to live, and at most `maxKeys`
 * keys are kept; past either bound the oldest keys are forgotten first.
 */

/** A map of recent keys with a time to live and a size bound. */
export interface KeyMemory<V> {
  /** The value of a key still remembered, or undefined. */
  get(key: string): V | undefined;
  /** Remembers a key from now on (forgetting expired and over-bound keys). */
  set(key: string, value: V): void;
  /** Keys remembered now (expired keys not yet dropped included). */
  readonly size: number;
}

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
}

/**
 * Creates a key memory in two generations: keys are set in the young one; when it holds
 * `maxKeys / 2` keys, or its first key has outlived the time to live, it becomes the old one and the
 * previous old one is dropped whole. So every operation is O(1) (forgetting one `Map` entry at a
 * time from the front makes V8 skip ever more deleted slots), at most `maxKeys` keys are held, the
 * newest `maxKeys / 2` are always remembered, and an expired key is never returned.
 *
 * @param ttlMs - how long a key is remembered after it is set
 * @param maxKeys - most keys remembered at once
 * @param now - clock, epoch ms
 */
export function createKeyMemory<V>(ttlMs: number, maxKeys: number, now: () => number): KeyMemory<V> {
  const half = Math.max(1, Math.floor(maxKeys / 2));
  let young = new Map<string, Entry<V>>();
  let old = new Map<string, Entry<V>>();
  let youngSince = now();

  return {
    get(key) {
      const entry = young.get(key) ?? old.get(key);
      if (entry === undefined || entry.expiresAt <= now()) return undefined;
      return entry.value;
    },
    set(key, value) {
      const at = now();
      if (young.size >= half || (young.size > 0 && at - youngSince >= ttlMs)) {
        // Everything in `old` is older than the young generation's first key: dropped together.
        old = young;
        young = new Map();
      }
      if (young.size === 0) youngSince = at;
      old.delete(key);
      young.set(key, { value, expiresAt: at + ttlMs });
    },
    get size() {
      return young.size + old.size;
    },
  };
}
