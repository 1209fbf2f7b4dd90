import type { Page, PageOptions, Segment, SegmentStore } from '@minicrm/core';
import { ConflictError, NotFoundError } from '@minicrm/core';
import { CasBatch, CasItem } from './cas-batch.js';
import { casLoop } from './cas-loop.js';
import { decodeTagged, encodeTagged, joinRecord, splitRecord } from './codec.js';
import type { StoreContext } from './context.js';
import { decodeCursor, encodeCursor, membersAfter, pageLimit } from './cursor.js';
import { readValues } from './records.js';

const decodeSegment = (json: string) => decodeTagged<Segment>(json);

/**
 * A `SegmentStore` on Redis: one record per segment and an id index (sorted set, score 0).
 * `create` inserts only if absent; `update` is a compare-and-set on the stored `version`.
 */
export function createRedisSegmentStore(ctx: StoreContext): SegmentStore {
  const { client, keys } = ctx;

  return {
    async create(segment: Segment) {
      const key = keys.segment(segment.id);
      const batch = new CasBatch();
      batch.add(
        new CasItem().insert(key, joinRecord(1, encodeTagged(segment))).zadd(keys.segmentIds, segment.id),
      );
      const [applied] = await batch.run(client);
      if (applied !== true) throw new ConflictError(`segment "${segment.id}" already exists`);
    },

    async get(id: string) {
      const raw = splitRecord(await client.get(keys.segment(id)));
      return raw === null ? null : decodeSegment(raw.json);
    },

    async list(options: PageOptions): Promise<Page<Segment>> {
      const limit = pageLimit(options.limit);
      const ids = await membersAfter(client, keys.segmentIds, decodeCursor(options.cursor), limit + 1);
      const shown = ids.slice(0, limit);
      const records = await readValues(client, shown.map(keys.segment), decodeSegment);
      const items = records.filter((s): s is Segment => s !== null);
      const last = shown[shown.length - 1];
      return { items, nextCursor: ids.length > limit && last !== undefined ? encodeCursor(last) : null };
    },

    async update(segment: Segment, expectedVersion: number) {
      const key = keys.segment(segment.id);
      await casLoop(
        client,
        1,
        {
          keys: () => [key],
          decode: (_key, json) => decodeSegment(json),
          plan(_i, tx) {
            const current = tx.get<Segment>(key);
            if (current === null) throw new NotFoundError('segment', segment.id);
            if (current.version !== expectedVersion) {
              throw new ConflictError(
                `segment "${segment.id}" is at version ${current.version}, not ${expectedVersion}`,
              );
            }
            const next: Segment = { ...segment, version: expectedVersion + 1 };
            tx.put(key, next, encodeTagged(next));
          },
        },
        'segments.update',
      );
    },

    async delete(id: string) {
      const replies = await client.multi().del(keys.segment(id)).zrem(keys.segmentIds, id).exec();
      const [error, deleted] = replies?.[0] ?? [null, 0];
      if (error) throw error;
      return deleted === 1;
    },
  };
}
