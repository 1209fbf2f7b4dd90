import { describe, expect, it } from 'vitest';
import {
  AdapterError,
  type Channel,
  createMemoryEventBus,
  createMemoryStorage,
  createSimulatorChannel,
  type EventBus,
  type OutboundMessage,
  type Storage,
} from '../src/index.js';
import {
  allDeliveries,
  drain,
  EVERYONE,
  expectStatsMatchLog,
  manualCrm,
  people,
  record,
  settle,
  smsCampaign,
  statusSum,
  T0,
  tick,
} from './support/campaign-harness.js';

describe('live stats and state events', () => {
  it('publishes throttled campaign.stats whose counts always sum to the total, ending completed', async () => {
    const h = await manualCrm({ customers: 20, crm: { statsIntervalMs: 250 } });
    const stats = await record(h.crm, 'campaign.stats');
    const c = await smsCampaign(h.crm, { throttlePerSecond: 10 });
    await h.crm.campaigns.launch(c.id);
    await drain(h, c.id, { stepMs: 20 });
    h.clock.advance(1000); // let the last throttled event out
    await tick();
    const mine = stats.filter((e) => e.campaignId === c.id);
    expect(mine.length).toBeGreaterThanOrEqual(4);
    expect(mine.length).toBeLessThan(20); // throttled, not one per send
    for (const e of mine) expect(statusSum(e)).toBe(e.total);
    for (let i = 1; i < mine.length; i++) expect(mine[i]!.at - mine[i - 1]!.at).toBeGreaterThanOrEqual(250);
    const last = mine.at(-1)!;
    expect(last.state).toBe('completed');
    expect(last.byStatus.sent).toBe(20);
    expect(last.audienceSize).toBe(20);
  });

  it('publishes campaign.state for every transition, and stats after each state change', async () => {
    const h = await manualCrm({ customers: 6, sim: { successRate: 0.5, seed: 4 } });
    const states = await record(h.crm, 'campaign.state');
    const stats = await record(h.crm, 'campaign.stats');
    const c = await smsCampaign(h.crm, { sendAt: new Date(T0 + 1000), retry: { maxAttempts: 1 } });
    await h.crm.campaigns.launch(c.id);
    h.clock.advance(1000);
    await h.crm.campaigns.launchDue();
    await h.crm.campaigns.pause(c.id);
    expect(stats.at(-1)?.state).toBe('paused');
    await h.crm.campaigns.resume(c.id);
    await drain(h, c.id);
    await h.crm.campaigns.retryFailed(c.id);
    await drain(h, c.id);
    const other = await smsCampaign(h.crm);
    await h.crm.campaigns.cancel(other.id);
    expect(states.map((e) => `${e.campaignId === c.id ? 'c' : 'o'}:${e.from}>${e.to}`)).toEqual([
      'c:draft>scheduled',
      'c:scheduled>running',
      'c:running>paused',
      'c:paused>running',
      'c:running>completed',
      'c:completed>running',
      'c:running>completed',
      'o:draft>cancelled',
    ]);
    expect(stats.at(-1)).toMatchObject({ campaignId: other.id, state: 'cancelled' });
  });

  it('the last stats event says completed when a resume completes the campaign', async () => {
    const sms = createSimulatorChannel({ name: 'sms', successRate: 1, latencyMs: 100 });
    const h = await manualCrm({ customers: 3, crm: { channels: [sms], statsIntervalMs: 50 } });
    const stats = await record(h.crm, 'campaign.stats');
    const c = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(c.id);
    // A worker holds the sends in flight while the campaign is paused; they settle during the pause.
    const inFlight = h.worker.processBatch(0);
    await tick();
    await h.crm.campaigns.pause(c.id);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await inFlight;
    h.clock.advance(100);
    await tick();
    expect((await h.crm.campaigns.get(c.id))?.state).toBe('paused');
    expect((await h.crm.campaigns.stats(c.id)).byStatus.sent).toBe(3);
    const resumed = await h.crm.campaigns.resume(c.id);
    expect(resumed.state).toBe('completed');
    h.clock.advance(1000);
    await tick();
    expect(stats.at(-1)).toMatchObject({ campaignId: c.id, state: 'completed' });
  });

  it('a failing event bus never fails a state change', async () => {
    const bus = createMemoryEventBus();
    const broken: EventBus = {
      subscribe: bus.subscribe,
      publish: () => Promise.reject(new Error('bus down')),
    };
    const h = await manualCrm({ customers: 2, crm: { bus: broken } });
    const c = await smsCampaign(h.crm);
    expect((await h.crm.campaigns.launch(c.id)).state).toBe('running');
    expect((await drain(h, c.id)).state).toBe('completed');
  });
});

describe('adapter failures', () => {
  it('surface as AdapterError naming the operation, with the adapter error as cause', async () => {
    const base = createMemoryStorage();
    const boom = new Error('connection reset');
    const storage: Storage = {
      ...base,
      segments: { ...base.segments, get: () => Promise.reject(boom) },
    };
    const h = await manualCrm({ customers: 1, crm: { storage } });
    const error = await h.crm.campaigns
      .create({ name: 'x', channel: 'sms', template: 'Hi', segmentId: 'seg_1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect(error).toMatchObject({ code: 'ADAPTER_FAILED', operation: 'storage.segments.get', cause: boom });
    expect((error as Error).message).toContain('connection reset');
  });

  it('a throwing (not rejecting) adapter method and a failing queue are wrapped too', async () => {
    const base = createMemoryStorage();
    const storage: Storage = {
      ...base,
      campaigns: {
        ...base.campaigns,
        listByState: () => {
          throw new TypeError('sync failure');
        },
      },
    };
    const h = await manualCrm({
      customers: 1,
      crm: { storage },
      wrapQueue: (q) => ({ ...q, reserve: () => Promise.reject(new Error('queue gone')) }),
    });
    await expect(h.crm.campaigns.launchDue()).rejects.toMatchObject({
      code: 'ADAPTER_FAILED',
      operation: 'storage.campaigns.listByState',
    });
    await expect(h.worker.processBatch(0)).rejects.toMatchObject({
      name: 'AdapterError',
      operation: 'queue.reserve',
    });
  });
});

describe('channels and reachability', () => {
  it('a custom channel with its own address() works end to end; unreachable customers are skipped', async () => {
    const sent: OutboundMessage[] = [];
    const push: Channel = {
      name: 'push',
      address: (customer) =>
        typeof customer.attributes.token === 'string' ? customer.attributes.token : null,
      async send(message, context) {
        sent.push(message);
        return { status: 'accepted', vendorMessageId: `push-${context.idempotencyKey}` };
      },
    };
    const customers = people(6, (i) => ({
      attributes: i <= 4 ? { token: `tok-${i}` } : {},
      ...(i === 2 ? { subscriptions: { push: false } } : {}),
    }));
    const h = await manualCrm({
      customers,
      crm: { channels: [push], attributes: [{ name: 'token', type: 'string' }] },
    });
    const c = await h.crm.campaigns.create({
      name: 'Push',
      channel: 'push',
      template: 'Hello {{ customer.name }}',
      rules: EVERYONE,
    });
    await h.crm.campaigns.launch(c.id);
    expect((await drain(h, c.id)).state).toBe('completed');
    const stats = await expectStatsMatchLog(h.crm, c.id);
    expect(stats.byStatus).toMatchObject({ sent: 3, skipped: 3 });
    expect(sent.map((m) => m.to).sort()).toEqual(['tok-1', 'tok-3', 'tok-4']);
    expect(sent.find((m) => m.to === 'tok-1')?.body).toBe('Hello Customer 1');
    const byCustomer = new Map((await allDeliveries(h.crm, c.id)).map((d) => [d.customerId, d]));
    expect(byCustomer.get('c002')).toMatchObject({
      status: 'skipped',
      skipReason: 'unsubscribed',
      attempts: 0,
    });
    expect(byCustomer.get('c005')).toMatchObject({ status: 'skipped', skipReason: 'no_address' });
    expect(byCustomer.get('c001')?.vendorMessageId).toMatch(/^push-/);
    expect(byCustomer.get('c001')?.channel).toBe('push');
  });

  it('sms skips customers without a phone or unsubscribed from sms, and sends to the rest', async () => {
    const customers = [
      ...people(3),
      { id: 'c101', name: 'No phone', email: 'np@example.com' },
      { id: 'c102', name: 'Opted out', phone: '+15559990001', subscriptions: { sms: false } },
      { id: 'c103', name: 'Email opt-out only', phone: '+15559990002', subscriptions: { email: false } },
    ];
    const h = await manualCrm({ customers });
    const c = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(c.id);
    await settle(h);
    expect((await h.crm.campaigns.get(c.id))?.state).toBe('completed');
    const byCustomer = new Map((await allDeliveries(h.crm, c.id)).map((d) => [d.customerId, d]));
    expect(byCustomer.get('c101')).toMatchObject({ status: 'skipped', skipReason: 'no_address' });
    expect(byCustomer.get('c102')).toMatchObject({ status: 'skipped', skipReason: 'unsubscribed' });
    expect(byCustomer.get('c103')).toMatchObject({ status: 'sent', address: '+15559990002' });
    const stats = await expectStatsMatchLog(h.crm, c.id);
    expect(stats).toMatchObject({ total: 6, audienceSize: 6, attempts: 4 });
    expect(h.sms.stats().uniqueKeys).toBe(4);
    expect([...h.sms.sentBodies().values()].map((m) => m.to)).not.toContain('+15559990001');
  });

  it('a campaign where every customer is unreachable completes at launch', async () => {
    const h = await manualCrm({ customers: people(3, () => ({ phone: undefined, email: 'x@example.com' })) });
    const c = await smsCampaign(h.crm);
    const launched = await h.crm.campaigns.launch(c.id);
    expect(launched.state).toBe('completed');
    expect((await h.crm.campaigns.stats(c.id)).byStatus.skipped).toBe(3);
  });
});
