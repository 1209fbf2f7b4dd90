import { describe, expect, it } from 'vitest';
import { type Channel, type Delivery, type Logger, ValidationError } from '../src/index.js';
import {
  allDeliveries,
  drain,
  EVERYONE,
  expectStatsMatchLog,
  manualCrm,
  settle,
  smsCampaign,
  T0,
  tick,
} from './support/campaign-harness.js';

function sendTimes(deliveries: readonly Delivery[]): number[] {
  return deliveries.map((d) => d.sendingAt!.getTime()).sort((a, b) => a - b);
}

describe('scheduling edge cases', () => {
  it('a due campaign that cannot launch (its segment was deleted) does not hold up the others', async () => {
    const errors: unknown[] = [];
    const logger: Logger = { info() {}, warn() {}, error: (obj) => errors.push(obj) };
    const h = await manualCrm({ customers: 3, crm: { logger } });
    const segment = await h.crm.segments.create({ name: 'Everyone', rules: EVERYONE });
    const broken = await smsCampaign(h.crm, {
      rules: undefined,
      segmentId: segment.id,
      sendAt: new Date(T0 + 1000),
    });
    const fine = await smsCampaign(h.crm, { sendAt: new Date(T0 + 1000) });
    await h.crm.campaigns.launch(broken.id);
    await h.crm.campaigns.launch(fine.id);
    await h.crm.segments.delete(segment.id);
    h.clock.advance(1000);
    expect(await h.crm.campaigns.launchDue()).toEqual([fine.id]);
    expect((await h.crm.campaigns.get(broken.id))?.state).toBe('scheduled');
    expect(errors.length).toBeGreaterThan(0);
    expect((await drain(h, fine.id)).state).toBe('completed');
    // Launching it by hand reports why.
    await expect(h.crm.campaigns.launch(broken.id)).rejects.toBeInstanceOf(ValidationError);
  });

  it('a segment audience is read at launch, not at create', async () => {
    const h = await manualCrm({ customers: 6 });
    const segment = await h.crm.segments.create({
      name: 'First two',
      rules: { combinator: 'and', rules: [{ field: 'id', operator: 'in', value: ['c001', 'c002'] }] },
    });
    const c = await h.crm.campaigns.create({
      name: 's',
      channel: 'sms',
      template: 'Hi',
      segmentId: segment.id,
    });
    await h.crm.segments.update(segment.id, {
      rules: { combinator: 'and', rules: [{ field: 'id', operator: 'in', value: ['c003', 'c004', 'c005'] }] },
    });
    await h.crm.campaigns.launch(c.id);
    await drain(h, c.id);
    expect((await allDeliveries(h.crm, c.id)).map((d) => d.customerId)).toEqual(['c003', 'c004', 'c005']);
  });
});

describe('cancel and throttle edge cases', () => {
  it('cancelling while the snapshot runs in the background sends nothing', async () => {
    const h = await manualCrm({ customers: 60, crm: { launchBatchSize: 5 } });
    const c = await smsCampaign(h.crm);
    const launched = await h.crm.campaigns.launch(c.id, { wait: false });
    expect(launched.state).toBe('running');
    await h.crm.campaigns.cancel(c.id);
    for (let i = 0; i < 5; i++) await tick();
    await settle(h);
    h.clock.advance(60_000);
    await settle(h);
    expect(h.sms.stats().calls).toBe(0);
    const stats = await expectStatsMatchLog(h.crm, c.id);
    expect(stats.state).toBe('cancelled');
    expect(stats.byStatus.cancelled).toBe(stats.total);
    const counts = await h.queue.counts();
    expect(counts.ready + counts.delayed + counts.inFlight).toBe(0);
  });

  it('after a resume, the held-back sends are still spaced by the throttle', async () => {
    const h = await manualCrm({ customers: 20 });
    const c = await smsCampaign(h.crm, { throttlePerSecond: 5 });
    await h.crm.campaigns.launch(c.id);
    await drain(h, c.id, { stepMs: 10, until: () => h.sms.stats().calls >= 5 });
    await h.crm.campaigns.pause(c.id);
    await drain(h, c.id, { stepMs: 100, until: () => h.clock.now() >= T0 + 20_000 });
    await h.crm.campaigns.resume(c.id);
    await drain(h, c.id, { stepMs: 10 });
    const times = sendTimes(await allDeliveries(h.crm, c.id));
    expect(times).toHaveLength(20);
    for (let i = 0; i + 5 < times.length; i++) expect(times[i + 5]! - times[i]!).toBeGreaterThanOrEqual(1000);
  });

  it('retries of a throttled campaign stay under the rate too', async () => {
    const times: number[] = [];
    let now = () => 0;
    const channel: Channel = {
      name: 'sms',
      async send() {
        times.push(now());
        return { status: 'rejected', retryable: true, error: 'busy' };
      },
    };
    const h = await manualCrm({
      customers: 10,
      crm: { channels: [channel], retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } },
    });
    now = () => h.clock.now();
    const c = await smsCampaign(h.crm, { throttlePerSecond: 4 });
    await h.crm.campaigns.launch(c.id);
    await drain(h, c.id, { stepMs: 5 });
    expect(times).toHaveLength(30);
    for (let i = 0; i + 4 < times.length; i++) expect(times[i + 4]! - times[i]!).toBeGreaterThanOrEqual(1000);
  });
});
