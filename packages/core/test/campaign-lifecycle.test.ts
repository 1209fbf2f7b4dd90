import { describe, expect, it } from 'vitest';
import {
  type Campaign,
  createMiniCrm,
  createSimulatorChannel,
  IllegalTransitionError,
  type MiniCrm,
  NotFoundError,
} from '../src/index.js';
import {
  allDeliveries,
  drain,
  EVERYONE,
  expectStatsMatchLog,
  type ManualCrm,
  manualCrm,
  people,
  record,
  settle,
  smsCampaign,
  T0,
} from './support/campaign-harness.js';

/** Expects `action` to throw ILLEGAL_TRANSITION and to leave the campaign and its deliveries as they were. */
async function expectIllegal(crm: MiniCrm, id: string, action: () => Promise<unknown>): Promise<void> {
  const before = await crm.campaigns.get(id);
  const statsBefore = await crm.campaigns.stats(id);
  const error = await action().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IllegalTransitionError);
  expect((error as IllegalTransitionError).code).toBe('ILLEGAL_TRANSITION');
  expect((error as IllegalTransitionError).from).toBe(before?.state);
  const after = await crm.campaigns.get(id);
  expect(after).toEqual(before);
  const { at: _a, ...s1 } = statsBefore;
  const { at: _b, ...s2 } = await crm.campaigns.stats(id);
  expect(s2).toEqual(s1);
}

describe('launch', () => {
  it('launches now: running, one delivery per reachable customer, completes with every message sent', async () => {
    const h = await manualCrm({ customers: 10 });
    const states = await record(h.crm, 'campaign.state');
    const draft = await smsCampaign(h.crm);
    expect(draft.state).toBe('draft');
    const launched = await h.crm.campaigns.launch(draft.id);
    expect(launched.state).toBe('running');
    expect(launched.launchedAt?.getTime()).toBe(T0);
    expect(launched.audienceSize).toBe(10);
    const done = await drain(h, draft.id);
    expect(done.state).toBe('completed');
    const stats = await expectStatsMatchLog(h.crm, draft.id);
    expect(stats.byStatus.sent).toBe(10);
    expect(h.sms.stats()).toMatchObject({ calls: 10, uniqueKeys: 10, duplicateCalls: 0 });
    const deliveries = await allDeliveries(h.crm, draft.id);
    expect(deliveries.map((d) => d.message)).toContain('Hi Customer 3');
    expect(states.map((e) => `${e.from}>${e.to}`)).toEqual(['draft>running', 'running>completed']);
  });

  it('with a future sendAt: draft → scheduled, nothing sent until launchDue() finds it due', async () => {
    const h = await manualCrm({ customers: 5 });
    const sendAt = new Date(T0 + 60_000);
    const draft = await smsCampaign(h.crm, { sendAt: sendAt.toISOString() });
    const scheduled = await h.crm.campaigns.launch(draft.id);
    expect(scheduled.state).toBe('scheduled');
    expect(scheduled.launch).toBeUndefined();
    expect(await h.crm.campaigns.launchDue()).toEqual([]);
    await settle(h);
    expect((await h.crm.campaigns.stats(draft.id)).total).toBe(0);
    expect(h.sms.stats().calls).toBe(0);

    h.clock.advance(59_999);
    expect(await h.crm.campaigns.launchDue()).toEqual([]);
    h.clock.advance(1);
    expect(await h.crm.campaigns.launchDue()).toEqual([draft.id]);
    const running = await h.crm.campaigns.get(draft.id);
    expect(running?.state).toBe('running');
    expect(running?.launchedAt?.getTime()).toBe(sendAt.getTime());
    expect(await h.crm.campaigns.launchDue()).toEqual([]);
    expect((await drain(h, draft.id)).state).toBe('completed');
    expect(h.sms.stats().uniqueKeys).toBe(5);
  });

  it('a draft whose sendAt has passed launches at once', async () => {
    const h = await manualCrm({ customers: 3 });
    const draft = await smsCampaign(h.crm, { sendAt: new Date(T0 - 1000) });
    expect((await h.crm.campaigns.launch(draft.id)).state).toBe('running');
  });

  it("a started worker's upkeep launches a scheduled campaign when it is due", async () => {
    const sms = createSimulatorChannel({ name: 'sms', successRate: 1 });
    const crm = createMiniCrm({ channels: [sms] });
    await crm.customers.upsert(people(4));
    const sendAt = Date.now() + 150;
    const draft = await smsCampaign(crm, { sendAt: new Date(sendAt) });
    expect((await crm.campaigns.launch(draft.id)).state).toBe('scheduled');
    const worker = crm.createWorker({ blockMs: 5, maintenanceIntervalMs: 10 });
    worker.start();
    try {
      const done = await crm.waitForCampaign(draft.id, { timeoutMs: 5000 });
      expect(done.state).toBe('completed');
      expect(done.launchedAt!.getTime()).toBeGreaterThanOrEqual(sendAt);
      const deliveries = await allDeliveries(crm, draft.id);
      expect(deliveries).toHaveLength(4);
      for (const d of deliveries) expect(d.sendingAt!.getTime()).toBeGreaterThanOrEqual(sendAt);
    } finally {
      await crm.close();
    }
  });

  it('launching twice, or from a finished state, throws ILLEGAL_TRANSITION and changes nothing', async () => {
    const h = await manualCrm({ customers: 4 });
    const a = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(a.id);
    await expectIllegal(h.crm, a.id, () => h.crm.campaigns.launch(a.id)); // running
    await drain(h, a.id);
    await expectIllegal(h.crm, a.id, () => h.crm.campaigns.launch(a.id)); // completed
    expect(h.sms.stats().calls).toBe(4);

    const b = await smsCampaign(h.crm, { sendAt: new Date(T0 + 3_600_000) });
    await h.crm.campaigns.launch(b.id);
    await expectIllegal(h.crm, b.id, () => h.crm.campaigns.launch(b.id)); // scheduled, not due
    expect((await h.crm.campaigns.stats(b.id)).total).toBe(0);
  });

  it('refuses every other illegal transition with the states in the error', async () => {
    const h = await manualCrm({ customers: 3 });
    const draft = await smsCampaign(h.crm);
    await expectIllegal(h.crm, draft.id, () => h.crm.campaigns.pause(draft.id));
    await expectIllegal(h.crm, draft.id, () => h.crm.campaigns.resume(draft.id));
    await expectIllegal(h.crm, draft.id, () => h.crm.campaigns.retryFailed(draft.id));

    const running = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(running.id);
    await expectIllegal(h.crm, running.id, () => h.crm.campaigns.resume(running.id));
    await h.crm.campaigns.pause(running.id);
    await expectIllegal(h.crm, running.id, () => h.crm.campaigns.pause(running.id));
    await expectIllegal(h.crm, running.id, () => h.crm.campaigns.launch(running.id));
    await h.crm.campaigns.resume(running.id);
    await drain(h, running.id);
    await expectIllegal(h.crm, running.id, () => h.crm.campaigns.pause(running.id));
    await expectIllegal(h.crm, running.id, () => h.crm.campaigns.cancel(running.id));
    await expect(h.crm.campaigns.launch('nope')).rejects.toBeInstanceOf(NotFoundError);
  });
});

/** A throttled campaign (5/s) to 20 customers, launched, with the first second of sends made. */
async function halfSent(): Promise<ManualCrm & { campaign: Campaign }> {
  const h = await manualCrm({ customers: 20 });
  const campaign = await smsCampaign(h.crm, { throttlePerSecond: 5 });
  await h.crm.campaigns.launch(campaign.id);
  await drain(h, campaign.id, { until: () => h.sms.stats().calls >= 5 });
  return { ...h, campaign };
}

describe('pause and resume', () => {
  it('sends nothing while paused, defers the jobs, and completes after resume', async () => {
    const h = await halfSent();
    const id = h.campaign.id;
    const paused = await h.crm.campaigns.pause(id);
    expect(paused.state).toBe('paused');
    const callsAtPause = h.sms.stats().calls;
    expect(callsAtPause).toBeLessThan(20);
    await drain(h, id, { until: () => h.clock.now() >= T0 + 30_000 });
    expect(h.sms.stats().calls).toBe(callsAtPause);
    const counts = await h.queue.counts();
    expect(counts.ready + counts.delayed).toBe(20 - callsAtPause);
    expect(counts.dead).toBe(0);
    expect((await h.crm.campaigns.stats(id)).byStatus.queued).toBe(20 - callsAtPause);

    expect((await h.crm.campaigns.resume(id)).state).toBe('running');
    expect((await drain(h, id)).state).toBe('completed');
    expect(h.sms.stats()).toMatchObject({ calls: 20, uniqueKeys: 20, duplicateCalls: 0 });
    expect((await expectStatsMatchLog(h.crm, id)).byStatus.sent).toBe(20);
  });
});

describe('cancel', () => {
  it('cancels waiting deliveries, sends nothing more, keeps counts summing to the total, and is final', async () => {
    const h = await halfSent();
    const id = h.campaign.id;
    const sentBefore = h.sms.stats().calls;
    const cancelled = await h.crm.campaigns.cancel(id);
    expect(cancelled.state).toBe('cancelled');
    await drain(h, id, { until: () => h.clock.now() >= T0 + 30_000 });
    expect(h.sms.stats().calls).toBe(sentBefore);
    const stats = await expectStatsMatchLog(h.crm, id);
    expect(stats.total).toBe(20);
    expect(stats.byStatus.sent).toBe(sentBefore);
    expect(stats.byStatus.cancelled).toBe(20 - sentBefore);
    for (const d of await allDeliveries(h.crm, id)) {
      if (d.status === 'cancelled') expect(d.cancelledAt).toBeInstanceOf(Date);
    }
    expect((await h.queue.counts()).ready + (await h.queue.counts()).delayed).toBe(0);
    await expectIllegal(h.crm, id, () => h.crm.campaigns.resume(id));
    await expectIllegal(h.crm, id, () => h.crm.campaigns.pause(id));
    await expectIllegal(h.crm, id, () => h.crm.campaigns.cancel(id));
    await expectIllegal(h.crm, id, () => h.crm.campaigns.launch(id));
    await expectIllegal(h.crm, id, () => h.crm.campaigns.retryFailed(id));
  });

  it('cancels deliveries waiting for a retry and a paused campaign alike', async () => {
    const h = await manualCrm({ customers: 6, sim: { successRate: 0 } });
    const c = await smsCampaign(h.crm, { retry: { maxAttempts: 5, baseDelayMs: 10_000 } });
    await h.crm.campaigns.launch(c.id);
    await settle(h);
    expect((await h.crm.campaigns.stats(c.id)).byStatus.retrying).toBe(6);
    await h.crm.campaigns.pause(c.id);
    await h.crm.campaigns.cancel(c.id);
    const calls = h.sms.stats().calls;
    await drain(h, c.id, { until: () => h.clock.now() >= T0 + 120_000 });
    expect(h.sms.stats().calls).toBe(calls);
    const stats = await expectStatsMatchLog(h.crm, c.id);
    expect(stats.byStatus.cancelled).toBe(6);
    expect(stats.state).toBe('cancelled');
  });

  it('a draft or scheduled campaign can be cancelled before anything is sent', async () => {
    const h = await manualCrm({ customers: 2 });
    const c = await smsCampaign(h.crm, { sendAt: new Date(T0 + 1000), rules: EVERYONE });
    await h.crm.campaigns.launch(c.id);
    expect((await h.crm.campaigns.cancel(c.id)).state).toBe('cancelled');
    h.clock.advance(5000);
    expect(await h.crm.campaigns.launchDue()).toEqual([]);
    expect((await h.crm.campaigns.stats(c.id)).total).toBe(0);
  });
});
