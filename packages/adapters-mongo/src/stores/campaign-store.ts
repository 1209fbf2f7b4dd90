import type { Campaign, CampaignState, CampaignStore, Page, PageOptions } from '@minicrm/core';
import { ConflictError, NotFoundError } from '@minicrm/core';
import type { Filter } from 'mongodb';
import { decodeCampaign, encodeCampaign } from '../codec/records.js';
import type { Doc, StoreContext } from '../context.js';
import { decodeTimeIdCursor, encodeCursor, pageLimit } from '../util.js';
import { insertOwned } from '../write.js';

/**
 * A `CampaignStore` on MongoDB. `update` is `replaceOne({ _id, version: expected })`: a stale
 * version matches nothing and is reported as a `ConflictError` (or `NotFoundError` when absent).
 * Listing is newest first on the `{ createdAt: -1, _id: -1 }` index.
 */
export function createMongoCampaignStore(ctx: StoreContext): CampaignStore {
  const campaigns = ctx.collections.campaigns;
  return {
    async create(campaign: Campaign): Promise<void> {
      const inserted = await insertOwned(campaigns, [encodeCampaign(campaign)]);
      if (inserted.size === 0) throw new ConflictError(`campaign "${campaign.id}" already exists`);
    },

    async get(id: string): Promise<Campaign | null> {
      const doc = await campaigns.findOne({ _id: id });
      return doc === null ? null : decodeCampaign(doc);
    },

    async list(
      options: PageOptions & { readonly states?: readonly CampaignState[] },
    ): Promise<Page<Campaign>> {
      const limit = pageLimit(options.limit);
      const parts: Filter<Doc>[] = [];
      if (options.states !== undefined) parts.push({ state: { $in: [...options.states] } });
      const key = decodeTimeIdCursor(options.cursor);
      if (key !== undefined) {
        const at = new Date(key[0]);
        parts.push({ $or: [{ createdAt: { $lt: at } }, { createdAt: at, _id: { $lt: key[1] } }] });
      }
      const filter: Filter<Doc> =
        parts.length === 0 ? {} : parts.length === 1 ? (parts[0] as Filter<Doc>) : { $and: parts };
      const docs = await campaigns
        .find(filter, { sort: { createdAt: -1, _id: -1 }, limit: limit + 1 })
        .toArray();
      const items = docs.slice(0, limit).map(decodeCampaign);
      const last = items[items.length - 1];
      const more = docs.length > limit && last !== undefined;
      return { items, nextCursor: more ? encodeCursor([last.createdAt.getTime(), last.id]) : null };
    },

    async update(campaign: Campaign, expectedVersion: number): Promise<void> {
      const doc = encodeCampaign({ ...campaign, version: expectedVersion + 1 });
      if (await ctx.writer.replace(campaigns, 'version', expectedVersion, doc)) return;
      const current = await campaigns.findOne({ _id: campaign.id }, { projection: { version: 1 } });
      if (current === null) throw new NotFoundError('campaign', campaign.id);
      throw new ConflictError(
        `campaign "${campaign.id}" is at version ${String(current.version)}, not ${expectedVersion}`,
      );
    },

    async listByState(states: readonly CampaignState[], limit: number): Promise<readonly Campaign[]> {
      if (states.length === 0 || limit < 1) return [];
      const docs = await campaigns
        .find({ state: { $in: [...states] } }, { limit: Math.floor(limit) })
        .toArray();
      return docs.map(decodeCampaign);
    },
  };
}
