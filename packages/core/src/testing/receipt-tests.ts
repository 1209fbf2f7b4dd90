import { describe, expect, it } from 'vitest';
import { useStorage } from './harness.js';
import type { StorageConformanceOptions } from './options.js';

/** Receipt dedupe checks: `recordMany` returns only new ids, once each; `seen` reports recorded ones. */
export function receiptStoreTests(options: StorageConformanceOptions): void {
  describe.skipIf(options.skip?.receipts === true)(`${options.name ?? 'storage'}: receipts`, () => {
    const h = useStorage(options);

    it('recordMany returns the ids not recorded before, in input order, each once', async () => {
      expect([...(await h.storage.receipts.recordMany(['r2', 'r1', 'r2', 'r3']))]).toEqual([
        'r2',
        'r1',
        'r3',
      ]);
      expect([...(await h.storage.receipts.recordMany(['r1', 'r4', 'r3', 'r4', 'r5']))]).toEqual([
        'r4',
        'r5',
      ]);
      expect([...(await h.storage.receipts.recordMany([]))]).toEqual([]);
      expect([...(await h.storage.receipts.recordMany(['r1', 'r2']))]).toEqual([]);
    });

    it('seen returns the subset already recorded', async () => {
      expect((await h.storage.receipts.seen(['a', 'b'])).size).toBe(0);
      await h.storage.receipts.recordMany(['a', 'c']);
      const seen = await h.storage.receipts.seen(['a', 'b', 'c', 'd']);
      expect([...seen].sort()).toEqual(['a', 'c']);
      expect(seen.has('b')).toBe(false);
    });
  });
}
