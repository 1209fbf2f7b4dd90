import { describe, expect, it } from 'vitest';
import { at, segment, spendOver } from './fixtures.js';
import { drain, idsOf, useStorage } from './harness.js';
import type { StorageConformanceOptions } from './options.js';

/** Segment store checks: create conflict, versioned update, not found, listing, delete. */
export function segmentStoreTests(options: StorageConformanceOptions): void {
  describe.skipIf(options.skip?.segments === true)(`${options.name ?? 'storage'}: segments`, () => {
    const h = useStorage(options);

    it('create stores a segment; creating the same id again is a conflict', async () => {
      await h.storage.segments.create(segment('s1'));
      const s1 = await h.storage.segments.get('s1');
      expect(s1).toMatchObject({ id: 's1', name: 'Segment s1', description: 'big spenders', version: 1 });
      expect(s1?.rules).toEqual(spendOver(100));
      expect(s1?.createdAt.getTime()).toBe(at().getTime());
      await expect(h.storage.segments.create(segment('s1', { name: 'other' }))).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      expect((await h.storage.segments.get('s1'))?.name).toBe('Segment s1');
      expect(await h.storage.segments.get('nope')).toBeNull();
    });

    it('update replaces the segment when the version matches and bumps it', async () => {
      await h.storage.segments.create(segment('s1'));
      await h.storage.segments.update(
        segment('s1', { name: 'v2', rules: spendOver(5), version: 2, updatedAt: at(9) }),
        1,
      );
      const s1 = await h.storage.segments.get('s1');
      expect(s1).toMatchObject({ name: 'v2', version: 2 });
      expect(s1?.rules).toEqual(spendOver(5));
      expect(s1?.updatedAt.getTime()).toBe(at(9).getTime());
    });

    it('update with a stale version is a conflict and changes nothing; an absent segment is not found', async () => {
      await h.storage.segments.create(segment('s1'));
      await h.storage.segments.update(segment('s1', { name: 'v2', version: 2 }), 1);
      await expect(
        h.storage.segments.update(segment('s1', { name: 'stale', version: 2 }), 1),
      ).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      expect(await h.storage.segments.get('s1')).toMatchObject({ name: 'v2', version: 2 });
      await expect(h.storage.segments.update(segment('ghost', { version: 2 }), 1)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(await h.storage.segments.get('ghost')).toBeNull();
    });

    it('list is ascending id and paginated; delete removes', async () => {
      for (const id of ['s3', 's1', 's5', 's2', 's4']) await h.storage.segments.create(segment(id));
      const { items, pages } = await drain((o) => h.storage.segments.list(o), 2);
      expect(idsOf(items)).toEqual(['s1', 's2', 's3', 's4', 's5']);
      expect(pages).toBe(3);
      expect(await h.storage.segments.delete('s3')).toBe(true);
      expect(await h.storage.segments.delete('s3')).toBe(false);
      expect(await h.storage.segments.get('s3')).toBeNull();
      expect(idsOf((await drain((o) => h.storage.segments.list(o), 10)).items)).toEqual([
        's1',
        's2',
        's4',
        's5',
      ]);
    });
  });
}
