import type { Campaign, CampaignState } from '../domain/campaign.js';
import { IllegalTransitionError } from '../errors.js';

/** Every campaign state, in lifecycle order. */
export const CAMPAIGN_STATES: readonly CampaignState[] = Object.freeze([
  'draft',
  'scheduled',
  'running',
  'paused',
  'completed',
  'cancelled',
  'failed',
]);

/**
 * The allowed campaign transitions, by current state:
 *
 * - `draft` → `scheduled` (launch with a future `sendAt`), `running` (launch now), `cancelled`
 * - `scheduled` → `running` (its time came), `cancelled`, `draft` (unschedule to edit)
 * - `running` → `paused`, `completed`, `cancelled`, `failed`
 * - `paused` → `running` (resume), `cancelled`, `failed` (its launch cannot go on)
 * - `completed` → `running` ("retry failed" starts a new round)
 * - `failed` → `running` ("retry failed")
 * - `cancelled` → nothing
 */
export const CAMPAIGN_TRANSITIONS: Readonly<Record<CampaignState, readonly CampaignState[]>> = Object.freeze({
  draft: Object.freeze(['scheduled', 'running', 'cancelled'] as const),
  scheduled: Object.freeze(['running', 'cancelled', 'draft'] as const),
  running: Object.freeze(['paused', 'completed', 'cancelled', 'failed'] as const),
  paused: Object.freeze(['running', 'cancelled', 'failed'] as const),
  completed: Object.freeze(['running'] as const),
  failed: Object.freeze(['running'] as const),
  cancelled: Object.freeze([] as const),
});

/** True when {@link CAMPAIGN_TRANSITIONS} allows `from` → `to`. A state never transitions to itself. */
export function canTransitionCampaign(from: CampaignState, to: CampaignState): boolean {
  return CAMPAIGN_TRANSITIONS[from]?.includes(to) ?? false;
}

/**
 * Checks that `campaign` may move to `to`.
 *
 * @throws IllegalTransitionError (`ILLEGAL_TRANSITION`) when {@link CAMPAIGN_TRANSITIONS} does not
 *   allow it, e.g. resuming a completed campaign.
 */
export function assertCampaignTransition(campaign: Campaign, to: CampaignState): void {
  if (!canTransitionCampaign(campaign.state, to)) {
    throw new IllegalTransitionError('campaign', campaign.id, campaign.state, to);
  }
}

/**
 * True for the states in which a campaign does no work of its own: `completed`, `cancelled`,
 * `failed`. Only `cancelled` is final; the other two can start a "retry failed" round.
 */
export function isFinishedCampaignState(state: CampaignState): boolean {
  return state === 'completed' || state === 'cancelled' || state === 'failed';
}
