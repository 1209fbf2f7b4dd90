import type { ReceiptStore } from '../../ports/storage.js';

/** A {@link ReceiptStore} on a set of receipt ids. */
export function createMemoryReceiptStore(seenIds: Set<string> = new Set()): ReceiptStore {
  return {
    async recordMany(ids: readonly string[]): Promise<readonly string[]> {
      const fresh: string[] = [];
      for (const id of ids) {
        if (seenIds.has(id)) continue;
        seenIds.add(id);
        fresh.push(id);
      }
      return fresh;
    },

    async seen(ids: readonly string[]): Promise<ReadonlySet<string>> {
      const out = new Set<string>();
      for (const id of ids) if (seenIds.has(id)) out.add(id);
      return out;
    },
  };
}
