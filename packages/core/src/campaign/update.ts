import type { Campaign, CampaignState } from '../domain/campaign.js';
import type { EngineContext } from '../engine/context.js';
import { ConflictError, IllegalTransitionError, NotFoundError } from '../errors.js';
import { assertCampaignTransition } from './state-machine.js';

/** How many times an optimistic update re-reads and retries after losing a race. */
const MAX_UPDATE_TRIES = 8;

/**
 * Optimistically updates a campaign: reads it, applies `change`, writes it conditional on the version
 * read, and on a lost race re-reads and re-applies. `change` returns the new campaign (without
 * bumping `version`; this does it), or `null` to leave it as it is. Errors `change` throws (e.g. an
 * illegal transition) propagate.
 */
export async function updateCampaign(
  ctx: EngineContext,
  id: string,
  change: (current: Campaign) => Campaign | null,
): Promise<{ campaign: Campaign; changed: boolean; before: Campaign }> {
  for (let attempt = 1; ; attempt++) {
    const current = await ctx.storage.campaigns.get(id);
    if (current === null) throw new NotFoundError('campaign', id);
    const next = change(current);
    if (next === null) return { campaign: current, changed: false, before: current };
    const written: Campaign = { ...next, version: current.version + 1, updatedAt: new Date(ctx.clock.now()) };
    try {
      await ctx.storage.campaigns.update(written, current.version);
      return { campaign: written, changed: true, before: current };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= MAX_UPDATE_TRIES) throw error;
    }
  }
}

/**
 * Moves a campaign to `to`, checking the state machine (an illegal move throws
 * `IllegalTransitionError`), applying `patch`, and publishing `campaign.state`. With `from`, the
 * campaign must (still) be in that state too, so a concurrent change cannot turn e.g. a resume into
 * a launch.
 */
export async function transitionCampaign(
  ctx: EngineContext,
  id: string,
  to: CampaignState,
  patch: (current: Campaign) => Partial<Campaign> = () => ({}),
  from?: CampaignState,
): Promise<Campaign> {
  const { campaign, before } = await updateCampaign(ctx, id, (current) => {
    if (from !== undefined && current.state !== from) {
      throw new IllegalTransitionError('campaign', id, current.state, to);
    }
    assertCampaignTransition(current, to);
    return { ...current, ...patch(current), state: to };
  });
  await publishStateChange(ctx, campaign.id, before.state, to);
  return campaign;
}

/** Publishes `campaign.state`; a bus failure is logged, never thrown (the change is already stored). */
export async function publishStateChange(
  ctx: EngineContext,
  campaignId: string,
  from: CampaignState,
  to: CampaignState,
): Promise<void> {
  try {
    await ctx.bus.publish('campaign.state', { campaignId, from, to, at: ctx.clock.now() });
  } catch (error) {
    ctx.logger.warn({ err: error, campaignId }, 'could not publish campaign state');
  }
}
