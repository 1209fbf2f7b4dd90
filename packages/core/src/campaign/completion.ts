import { ACTIVE_DELIVERY_STATUSES } from '../delivery/status.js';
import type { Campaign } from '../domain/campaign.js';
import type { DeliveryCounts } from '../domain/delivery.js';
import type { EngineContext } from '../engine/context.js';
import { publishStateChange, updateCampaign } from './update.js';

/** Deliveries of a campaign that still have work ahead (pending, queued, sending, retrying). */
export function activeDeliveries(counts: DeliveryCounts): number {
  let n = 0;
  for (const status of ACTIVE_DELIVERY_STATUSES) n += counts.byStatus[status];
  return n;
}

/**
 * Completes a running campaign whose launch is done and which has no active delivery left. On a
 * channel that `reportsOutcomes`, `sent` deliveries are still waiting for their outcome and count as
 * active. Safe to call any number of times from any process. Returns the campaign when this call
 * completed it.
 */
export async function completeIfDone(ctx: EngineContext, campaignId: string): Promise<Campaign | null> {
  const campaign = await ctx.storage.campaigns.get(campaignId);
  if (campaign === null || campaign.state !== 'running' || campaign.launch?.done !== true) return null;
  const counts = await ctx.storage.deliveries.counts(campaignId);
  const awaitingOutcome =
    ctx.channels.get(campaign.channel)?.reportsOutcomes === true ? counts.byStatus.sent : 0;
  if (activeDeliveries(counts) + awaitingOutcome > 0) return null;
  const { campaign: done, changed } = await updateCampaign(ctx, campaignId, (current) => {
    if (current.state !== 'running' || current.launch?.done !== true) return null;
    return { ...current, state: 'completed', completedAt: new Date(ctx.clock.now()) };
  });
  if (!changed) return null;
  await publishStateChange(ctx, campaignId, 'running', 'completed');
  return done;
}
