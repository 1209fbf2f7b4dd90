import type { Campaign, CampaignState } from '../../domain/campaign.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { CampaignStore, Page, PageOptions } from '../../ports/storage.js';
import { decodeTimeIdCursor, encodeCursor } from './cursor.js';
import { frozenCopy } from './freeze.js';

/** The memory storage's campaigns (frozen records by id). */
export type CampaignTable = Map<string, Campaign>;

/** Newest first: descending `createdAt`, then descending id. */
function newestFirst(a: Campaign, b: Campaign): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** A {@link CampaignStore} on a map, with optimistic concurrency on `version`. */
export function createMemoryCampaignStore(table: CampaignTable = new Map()): CampaignStore {
  /** Ids newest first, rebuilt lazily after a create (or a change of `createdAt`). */
  let order: string[] | null = null;

  function ordered(): readonly string[] {
    if (order === null) order = [...table.values()].sort(newestFirst).map((c) => c.id);
    return order;
  }

  return {
    async create(campaign: Campaign): Promise<void> {
      if (table.has(campaign.id)) throw new ConflictError(`campaign "${campaign.id}" already exists`);
      table.set(campaign.id, frozenCopy(campaign));
      order = null;
    },

    async get(id: string): Promise<Campaign | null> {
      return table.get(id) ?? null;
    },

    async list(
      options: PageOptions & { readonly states?: readonly CampaignState[] },
    ): Promise<Page<Campaign>> {
      const ids = ordered();
      const states = options.states === undefined ? undefined : new Set(options.states);
      const key = decodeTimeIdCursor(options.cursor);
      let start = 0;
      if (key !== undefined) {
        const probe = { createdAt: new Date(key[0]), id: key[1] } as Campaign;
        while (start < ids.length && newestFirst(table.get(ids[start] as string) as Campaign, probe) <= 0) {
          start++;
        }
      }
      const limit = Math.max(1, Math.floor(options.limit));
      const items: Campaign[] = [];
      let more = false;
      for (let i = start; i < ids.length; i++) {
        const campaign = table.get(ids[i] as string) as Campaign;
        if (states !== undefined && !states.has(campaign.state)) continue;
        if (items.length === limit) {
          more = true;
          break;
        }
        items.push(campaign);
      }
      const last = items[items.length - 1];
      return {
        items,
        nextCursor: more && last !== undefined ? encodeCursor([last.createdAt.getTime(), last.id]) : null,
      };
    },

    async update(campaign: Campaign, expectedVersion: number): Promise<void> {
      const current = table.get(campaign.id);
      if (current === undefined) throw new NotFoundError('campaign', campaign.id);
      if (current.version !== expectedVersion) {
        throw new ConflictError(
          `campaign "${campaign.id}" is at version ${current.version}, not ${expectedVersion}`,
        );
      }
      const next = frozenCopy({ ...campaign, version: expectedVersion + 1 });
      if (next.createdAt.getTime() !== current.createdAt.getTime()) order = null;
      table.set(campaign.id, next);
    },

    async listByState(states: readonly CampaignState[], limit: number): Promise<readonly Campaign[]> {
      const wanted = new Set(states);
      const out: Campaign[] = [];
      for (const campaign of table.values()) {
        if (out.length >= limit) break;
        if (wanted.has(campaign.state)) out.push(campaign);
      }
      return out;
    },
  };
}
