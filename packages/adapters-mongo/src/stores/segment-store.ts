import type { Page, PageOptions, Segment, SegmentStore } from '@minicrm/core';
import { ConflictError, NotFoundError } from '@minicrm/core';
import { decodeSegment, encodeSegment } from '../codec/records.js';
import type { StoreContext } from '../context.js';
import { decodeIdCursor, encodeCursor, pageLimit } from '../util.js';
import { insertOwned, retryTransient } from '../write.js';

/** A `SegmentStore` on MongoDB: insert (unique `_id`), `replaceOne({ _id, version })` for updates. */
export function createMongoSegmentStore(ctx: StoreContext): SegmentStore {
  const segments = ctx.collections.segments;
  return {
    async create(segment: Segment): Promise<void> {
      const inserted = await insertOwned(segments, [encodeSegment(segment)]);
      if (inserted.size === 0) throw new ConflictError(`segment "${segment.id}" already exists`);
    },

    async get(id: string): Promise<Segment | null> {
      const doc = await segments.findOne({ _id: id });
      return doc === null ? null : decodeSegment(doc);
    },

    async list(options: PageOptions): Promise<Page<Segment>> {
      const limit = pageLimit(options.limit);
      const after = decodeIdCursor(options.cursor);
      const docs = await segments
        .find(after === undefined ? {} : { _id: { $gt: after } }, { sort: { _id: 1 }, limit: limit + 1 })
        .toArray();
      const items = docs.slice(0, limit).map(decodeSegment);
      const last = items[items.length - 1];
      return { items, nextCursor: docs.length > limit && last !== undefined ? encodeCursor(last.id) : null };
    },

    async update(segment: Segment, expectedVersion: number): Promise<void> {
      const doc = encodeSegment({ ...segment, version: expectedVersion + 1 });
      if (await ctx.writer.replace(segments, 'version', expectedVersion, doc)) return;
      const current = await segments.findOne({ _id: segment.id }, { projection: { version: 1 } });
      if (current === null) throw new NotFoundError('segment', segment.id);
      throw new ConflictError(
        `segment "${segment.id}" is at version ${String(current.version)}, not ${expectedVersion}`,
      );
    },

    async delete(id: string): Promise<boolean> {
      return (await retryTransient(() => segments.deleteOne({ _id: id }))).deletedCount === 1;
    },
  };
}
