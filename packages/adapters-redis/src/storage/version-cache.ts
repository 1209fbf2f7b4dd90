import type { Versioned } from './records.js';

/**
 * The last revision this process read or wrote of each of the most recent records, so a write that
 * follows a read (a worker's `getMany` then `transitionMany`) can skip reading them again. Safe by
 * construction: every write is a compare-and-set on the revision, so a stale entry only costs a
 * conflict, after which the record is read from Redis. Values must be frozen: they are shared.
 *
 * Two generations of at most `capacity / 2` entries each: new entries go to the young one; when it
 * is full it becomes the old one and the previous old one is dropped whole. Every operation is O(1)
 * (evicting one entry at a time from a `Map` makes V8 skip ever more deleted slots).
 */
export class VersionCache {
  private young = new Map<string, Versioned>();
  private old = new Map<string, Versioned>();
  private readonly half: number;

  /** @param capacity Most records remembered; the oldest are forgotten first. */
  constructor(capacity = 50_000) {
    this.half = Math.max(1, Math.floor(capacity / 2));
  }

  get(key: string): Versioned | undefined {
    return this.young.get(key) ?? this.old.get(key);
  }

  set(key: string, entry: Versioned): void {
    this.old.delete(key);
    this.young.set(key, entry);
    if (this.young.size >= this.half) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  delete(key: string): void {
    this.young.delete(key);
    this.old.delete(key);
  }
}
