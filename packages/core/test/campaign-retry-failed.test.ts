import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../src/index.js';
import {
  allDeliveries,
  drain,
  expectStatsMatchLog,
  manualCrm,
  record,
  smsCampaign,
  T0,
} from './support/campaign-harness.js';

/** A completed campaign to 20 customers where roughly half the deliveries failed (1 attempt each). */
async function halfFailed() {
  const h = await manualCrm({ customers: 20, sim: { successRate: 0.5, seed: 3 } });
  const campaign = await smsCampaign(h.crm, { retry: { maxAttempts: 1 } });
  await h.crm.campaigns.launch(campaign.id);
  expect((await drain(h, campaign.id)).state).toBe('completed');
  return { ...h, campaign };
}

describe('retry failed', () => {
  it('starts round 2 for the failed deliveries only, with fresh attempts, and completes again', async () => {
    const h = await halfFailed();
    const id = h.campaign.id;
    const before = await allDeliveries(h.crm, id);
    const failed = before.filter((d) => d.status === 'failed');
    const sent = before.filter((d) => d.status === 'sent');
    expect(failed.length).toBeGreaterThan(2);
    expect(sent.length).toBeGreaterThan(2);
    expect(failed.length + sent.length).toBe(20);
    const keysBefore = h.sms.sentKeys();
    const statsBefore = await h.crm.campaigns.stats(id);
    const states = await record(h.crm, 'campaign.state');

    h.clock.advance(60_000);
    const restarted = await h.crm.campaigns.retryFailed(id);
    expect(restarted.state).toBe('running');
    expect(restarted.launch?.round).toBe(2);
    expect(restarted.completedAt).toBeUndefined();
    expect(restarted.audienceSize).toBe(20);
    const done = await drain(h, id);
    expect(done.state).toBe('completed');
    expect(done.completedAt!.getTime()).toBeGreaterThanOrEqual(T0 + 60_000);
    expect(states.map((e) => `${e.from}>${e.to}`)).toEqual(['completed>running', 'running>completed']);

    const after = new Map((await allDeliveries(h.crm, id)).map((d) => [d.id, d]));
    for (const d of sent) expect(after.get(d.id)).toEqual(d); // untouched
    const failedIds = new Set(failed.map((d) => d.id));
    for (const d of failed) {
      const now = after.get(d.id)!;
      expect(now.round).toBe(2);
      expect(now.attempts).toBe(1);
      expect(now.totalAttempts).toBe(2);
      expect(['sent', 'failed']).toContain(now.status);
      expect(now.sendingAt!.getTime()).toBeGreaterThanOrEqual(T0 + 60_000);
    }
    const newKeys = [...h.sms.sentKeys()].filter((k) => !keysBefore.has(k));
    expect(newKeys).toHaveLength(failed.length);
    for (const key of newKeys) {
      expect(key).toMatch(/:r2:a1$/);
      expect(failedIds.has(key.replace(/:r2:a1$/, ''))).toBe(true);
    }
    const stats = await expectStatsMatchLog(h.crm, id);
    expect(stats.attempts).toBe(statsBefore.attempts + failed.length);
    expect(stats.total).toBe(20);
    expect(h.sms.stats().duplicateCalls).toBe(0);
  });

  it('can run round after round until nothing fails', async () => {
    const h = await halfFailed();
    const id = h.campaign.id;
    for (let round = 2; round < 12; round++) {
      if ((await h.crm.campaigns.stats(id)).byStatus.failed === 0) break;
      expect((await h.crm.campaigns.retryFailed(id)).launch?.round).toBe(round);
      expect((await drain(h, id)).state).toBe('completed');
    }
    const stats = await expectStatsMatchLog(h.crm, id);
    expect(stats.byStatus.sent).toBe(20);
    expect(h.sms.stats().uniqueKeys).toBe(stats.attempts);
  });

  it('returns the campaign unchanged when nothing failed', async () => {
    const h = await manualCrm({ customers: 5 });
    const c = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(c.id);
    const done = await drain(h, c.id);
    const states = await record(h.crm, 'campaign.state');
    expect(await h.crm.campaigns.retryFailed(c.id)).toEqual(done);
    expect(await h.crm.campaigns.get(c.id)).toEqual(done);
    expect(states).toEqual([]);
    expect(h.sms.stats().calls).toBe(5);
  });

  it('is refused while the campaign is still running or paused', async () => {
    const h = await manualCrm({ customers: 5, sim: { successRate: 0 } });
    const c = await smsCampaign(h.crm, { retry: { maxAttempts: 2, baseDelayMs: 60_000 } });
    await h.crm.campaigns.launch(c.id);
    await expect(h.crm.campaigns.retryFailed(c.id)).rejects.toBeInstanceOf(IllegalTransitionError);
    await h.crm.campaigns.pause(c.id);
    await expect(h.crm.campaigns.retryFailed(c.id)).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    const paused = await h.crm.campaigns.get(c.id);
    expect(paused?.state).toBe('paused');
    expect(paused?.launch?.round).toBe(1);
  });
});
