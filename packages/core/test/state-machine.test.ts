import { describe, expect, it } from 'vitest';
import {
  assertCampaignTransition,
  CAMPAIGN_STATES,
  CAMPAIGN_TRANSITIONS,
  canTransitionCampaign,
  isFinishedCampaignState,
} from '../src/campaign/state-machine.js';
import type { Campaign, CampaignState } from '../src/domain/campaign.js';
import { IllegalTransitionError, isMiniCrmError } from '../src/errors.js';

const LEGAL: Record<CampaignState, CampaignState[]> = {
  draft: ['scheduled', 'running', 'cancelled'],
  scheduled: ['running', 'cancelled', 'draft'],
  running: ['paused', 'completed', 'cancelled', 'failed'],
  paused: ['running', 'cancelled', 'failed'],
  completed: ['running'],
  failed: ['running'],
  cancelled: [],
};

const campaign = (state: CampaignState): Campaign => ({
  id: 'cmp_1',
  name: 'Welcome',
  rules: { combinator: 'and', rules: [] },
  channel: 'sms',
  template: 'Hi',
  state,
  version: 1,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

const pairs = CAMPAIGN_STATES.flatMap((from) => CAMPAIGN_STATES.map((to) => [from, to] as const));

describe('campaign state machine', () => {
  it('lists every state once', () => {
    expect(new Set(CAMPAIGN_STATES).size).toBe(7);
    expect(Object.keys(CAMPAIGN_TRANSITIONS).sort()).toEqual([...CAMPAIGN_STATES].sort());
  });

  it('has exactly the documented transitions', () => {
    for (const state of CAMPAIGN_STATES) {
      expect([...CAMPAIGN_TRANSITIONS[state]].sort()).toEqual([...LEGAL[state]].sort());
    }
  });

  it.each(pairs.filter(([from, to]) => LEGAL[from].includes(to)))('allows %s → %s', (from, to) => {
    expect(canTransitionCampaign(from, to)).toBe(true);
    expect(() => assertCampaignTransition(campaign(from), to)).not.toThrow();
  });

  it.each(pairs.filter(([from, to]) => !LEGAL[from].includes(to)))('refuses %s → %s', (from, to) => {
    expect(canTransitionCampaign(from, to)).toBe(false);
    try {
      assertCampaignTransition(campaign(from), to);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(IllegalTransitionError);
      expect(isMiniCrmError(error, 'ILLEGAL_TRANSITION')).toBe(true);
      expect(error).toMatchObject({ entity: 'campaign', from, to });
      expect((error as Error).message).toBe(`campaign "cmp_1" cannot go from "${from}" to "${to}"`);
    }
  });

  it('never allows a self-transition', () => {
    for (const state of CAMPAIGN_STATES) expect(canTransitionCampaign(state, state)).toBe(false);
  });

  it('knows the finished states', () => {
    expect(CAMPAIGN_STATES.filter(isFinishedCampaignState)).toEqual(['completed', 'cancelled', 'failed']);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(CAMPAIGN_TRANSITIONS)).toBe(true);
    expect(Object.isFrozen(CAMPAIGN_TRANSITIONS.draft)).toBe(true);
  });
});
