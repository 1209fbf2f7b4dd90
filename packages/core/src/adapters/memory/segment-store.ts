import type { Segment } from '../../domain/segment.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { Page, PageOptions, SegmentStore } from '../../ports/storage.js';
import { decodeIdCursor, pageOfIds } from './cursor.js';
import { frozenCopy } from './freeze.js';
import { SortedIds } from './sorted-ids.js';

/** The memory storage's segments (frozen records by id). */
export type SegmentTable = Map<string, Segment>;

/** A {@link SegmentStore} on a map, with optimistic concurrency on `version`. */
export function createMemorySegmentStore(table: SegmentTable = new Map()): SegmentStore {
  const ids = new SortedIds();
  for (const id of table.keys()) ids.add(id);

  return {
    async create(segment: Segment): Promise<void> {
      if (table.has(segment.id)) throw new ConflictError(`segment "${segment.id}" already exists`);
      table.set(segment.id, frozenCopy(segment));
      ids.add(segment.id);
    },

    async get(id: string): Promise<Segment | null> {
      return table.get(id) ?? null;
    },

    async list(options: PageOptions): Promise<Page<Segment>> {
      const all = ids.all();
      return pageOfIds(all, ids.startAfter(decodeIdCursor(options.cursor)), options.limit, (id) =>
        table.get(id),
      );
    },

    async update(segment: Segment, expectedVersion: number): Promise<void> {
      const current = table.get(segment.id);
      if (current === undefined) throw new NotFoundError('segment', segment.id);
      if (current.version !== expectedVersion) {
        throw new ConflictError(
          `segment "${segment.id}" is at version ${current.version}, not ${expectedVersion}`,
        );
      }
      table.set(segment.id, frozenCopy({ ...segment, version: expectedVersion + 1 }));
    },

    async delete(id: string): Promise<boolean> {
      if (!table.delete(id)) return false;
      ids.remove(id);
      return true;
    },
  };
}
