/**
 * Small, fast, seeded pseudo-random numbers for simulations, demo data and jitter. Not for
 * anything secret: the sequence is fully determined by the seed.
 */

/** A source of numbers in `[0, 1)`, like `Math.random`. */
export type RandomSource = () => number;

const TWO_POW_32 = 4_294_967_296;

/**
 * 32-bit FNV-1a hash of a string's UTF-16 code units. Fast and well spread for short keys; used to
 * turn string seeds and idempotency keys into numbers.
 *
 * @param text - The string to hash.
 * @param basis - Starting value, to derive independent hashes of the same string. @default 0x811c9dc5
 * @returns An unsigned 32-bit integer.
 */
export function fnv1a32(text: string, basis = 0x811c9dc5): number {
  let hash = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Maps any 32-bit integer to a well-mixed number in `[0, 1)` (one mulberry32 output step). Equal
 * inputs give equal outputs: handy for a deterministic "random" draw per key.
 */
export function unitFromHash(value: number): number {
  let t = (value + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
}

/**
 * A seeded pseudo-random generator (mulberry32: 32-bit state, period 2^32, passes gjrand/PractRand
 * well enough for simulations). The same seed always yields the same sequence.
 *
 * @param seed - A number (its 32-bit integer part is used) or a string (hashed with {@link fnv1a32}).
 * @returns A function returning numbers in `[0, 1)`, like `Math.random`.
 *
 * @example
 * const random = createRandom(42);
 * const roll = Math.floor(random() * 6) + 1; // same roll on every run
 */
export function createRandom(seed: number | string): RandomSource {
  let state = typeof seed === 'string' ? fnv1a32(seed) : Number.isFinite(seed) ? Math.trunc(seed) | 0 : 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
  };
}
