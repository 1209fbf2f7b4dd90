import type { Versioned } from './records.js';

/**
 * The last revision this process read or wrote of each of the most recent records, so a write that
 * follows a read (a worker's `getMany` then `transitionMany`) can skip reading them again. Safe by
 * construction: every write is a compare-and-set on the revision, so a stale entry only costs a
 * conflict, after which the record is read from Redis. Values must be frozen: they are shared.
 */
export class VersionCache {
  private readonly entries = new Map<string, Versioned>();

  /** @param capacity Most records remembered; the oldest are forgotten first. */
  constructor(private readonly capacity = 50_000) {}

  get(key: string): Versioned | undefined {
    return this.entries.get(key);
  }

  set(key: string, entry: Versioned): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
