import type { Campaign, CampaignState, CampaignStore, Page, PageOptions } from '@minicrm/core';
import { ConflictError, NotFoundError } from '@minicrm/core';
import { CasBatch, CasItem } from './cas-batch.js';
import { casLoop } from './cas-loop.js';
import { decodeTagged, encodeTagged, joinRecord, splitRecord } from './codec.js';
import type { StoreContext } from './context.js';
import { decodeTimeMemberCursor, encodeCursor, membersAfter, pageLimit } from './cursor.js';
import { idOfTimeMember, sortableTime } from './keys.js';
import { readValues } from './records.js';

const decodeCampaign = (json: string) => decodeTagged<Campaign>(json);

/** The index member of a campaign: newest first is descending lexicographic order. */
const memberOf = (c: Campaign) => `${sortableTime(c.createdAt.getTime())}:${c.id}`;

/**
 * A `CampaignStore` on Redis: one record per campaign, an index of all campaigns and one per state
 * (sorted sets of `<createdAt>:<id>`, score 0), moved in the same compare-and-set as the record.
 */
export function createRedisCampaignStore(ctx: StoreContext): CampaignStore {
  const { client, keys } = ctx;
  const readMany = (ids: readonly string[]) => readValues(client, ids.map(keys.campaign), decodeCampaign);

  return {
    async create(campaign: Campaign) {
      const key = keys.campaign(campaign.id);
      const member = memberOf(campaign);
      const batch = new CasBatch();
      batch.add(
        new CasItem()
          .insert(key, joinRecord(1, encodeTagged(campaign)))
          .zadd(keys.campaignsAll, member)
          .zadd(keys.campaignsInState(campaign.state), member),
      );
      const [applied] = await batch.run(client);
      if (applied !== true) throw new ConflictError(`campaign "${campaign.id}" already exists`);
    },

    async get(id: string) {
      const raw = splitRecord(await client.get(keys.campaign(id)));
      return raw === null ? null : decodeCampaign(raw.json);
    },

    async list(
      options: PageOptions & { readonly states?: readonly CampaignState[] },
    ): Promise<Page<Campaign>> {
      const limit = pageLimit(options.limit);
      const after = decodeTimeMemberCursor(options.cursor);
      const sources =
        options.states === undefined
          ? [keys.campaignsAll]
          : [...new Set(options.states)].map(keys.campaignsInState);
      const lists = await Promise.all(sources.map((s) => membersAfter(client, s, after, limit + 1, true)));
      const members = lists
        .flat()
        .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))
        .slice(0, limit + 1);
      const shown = members.slice(0, limit);
      const items = (await readMany(shown.map(idOfTimeMember))).filter((c): c is Campaign => c !== null);
      const last = shown[shown.length - 1];
      return { items, nextCursor: members.length > limit && last !== undefined ? encodeCursor(last) : null };
    },

    async update(campaign: Campaign, expectedVersion: number) {
      const key = keys.campaign(campaign.id);
      await casLoop(
        client,
        1,
        {
          keys: () => [key],
          decode: (_key, json) => decodeCampaign(json),
          plan(_i, tx) {
            const current = tx.get<Campaign>(key);
            if (current === null) throw new NotFoundError('campaign', campaign.id);
            if (current.version !== expectedVersion) {
              throw new ConflictError(
                `campaign "${campaign.id}" is at version ${current.version}, not ${expectedVersion}`,
              );
            }
            const next: Campaign = { ...campaign, version: expectedVersion + 1 };
            tx.put(key, next, encodeTagged(next));
            const before = memberOf(current);
            const after = memberOf(next);
            if (before !== after) tx.item.zrem(keys.campaignsAll, before).zadd(keys.campaignsAll, after);
            if (before !== after || current.state !== next.state) {
              tx.item.zrem(keys.campaignsInState(current.state), before);
              tx.item.zadd(keys.campaignsInState(next.state), after);
            }
          },
        },
        'campaigns.update',
      );
    },

    async listByState(states: readonly CampaignState[], limit: number) {
      const max = Math.max(0, Math.floor(limit));
      if (max === 0) return [];
      const lists = await Promise.all(
        [...new Set(states)].map((s) => membersAfter(client, keys.campaignsInState(s), undefined, max)),
      );
      const ids = lists.flat().slice(0, max).map(idOfTimeMember);
      return (await readMany(ids)).filter((c): c is Campaign => c !== null);
    },
  };
}
