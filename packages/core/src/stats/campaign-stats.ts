import type { EngineContext } from '../engine/context.js';
import { NotFoundError } from '../errors.js';
import type { CampaignStats } from '../ports/event-bus.js';

/** Reads a campaign's stats: its delivery counters plus state and audience size. */
export async function readCampaignStats(ctx: EngineContext, campaignId: string): Promise<CampaignStats> {
  const [campaign, counts] = await Promise.all([
    ctx.storage.campaigns.get(campaignId),
    ctx.storage.deliveries.counts(campaignId),
  ]);
  if (campaign === null) throw new NotFoundError('campaign', campaignId);
  return {
    ...counts,
    campaignId,
    state: campaign.state,
    audienceSize: campaign.audienceSize ?? 0,
    at: ctx.clock.now(),
  };
}
