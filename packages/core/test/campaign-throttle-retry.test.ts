import { describe, expect, it } from 'vitest';
import {
  type Channel,
  type Delivery,
  PermanentSendError,
  type RetryFunction,
  type SendResult,
  SIMULATED_FAILURE,
} from '../src/index.js';
import {
  allDeliveries,
  drain,
  expectStatsMatchLog,
  manualCrm,
  settle,
  smsCampaign,
  T0,
} from './support/campaign-harness.js';

/** Send times of the deliveries' current attempts, ascending. */
function sendTimes(deliveries: readonly Delivery[]): number[] {
  return deliveries.map((d) => d.sendingAt!.getTime()).sort((a, b) => a - b);
}

/** Expects no 1-second window to hold more than `rate` sends. */
function expectAtMostPerSecond(times: readonly number[], rate: number): void {
  for (let i = 0; i + rate < times.length; i++) {
    expect(times[i + rate]! - times[i]!).toBeGreaterThanOrEqual(1000);
  }
}

/** An `sms` channel answering with `answer(attempt)`; records every call. */
function scriptedChannel(answer: (attempt: number, to: string) => SendResult | Promise<SendResult>) {
  const calls: { key: string; at: number }[] = [];
  const channel: Channel & { calls: typeof calls } = {
    name: 'sms',
    calls,
    async send(message, context) {
      calls.push({ key: context.idempotencyKey, at: Date.now() });
      return answer(context.attempt, message.to);
    },
  };
  return channel;
}

describe('throttle', () => {
  it('spaces the sends of 40 recipients at 20/s over at least 1.9 s of clock time', async () => {
    const h = await manualCrm({ customers: 40 });
    const c = await smsCampaign(h.crm, { throttlePerSecond: 20 });
    await h.crm.campaigns.launch(c.id);
    const done = await drain(h, c.id, { stepMs: 10 });
    expect(done.state).toBe('completed');
    const times = sendTimes(await allDeliveries(h.crm, c.id));
    expect(times).toHaveLength(40);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(1900);
    expectAtMostPerSecond(times, 20);
    expect(h.sms.stats()).toMatchObject({ uniqueKeys: 40, duplicateCalls: 0 });
  });

  it('holds across two workers on one queue', async () => {
    const h = await manualCrm({ customers: 40 });
    const second = h.crm.createWorker();
    const c = await smsCampaign(h.crm, { throttlePerSecond: 20 });
    await h.crm.campaigns.launch(c.id);
    for (let t = 0; t < 400; t++) {
      await second.processBatch(0);
      await settle(h);
      h.clock.advance(10);
    }
    const times = sendTimes(await allDeliveries(h.crm, c.id));
    expect(times).toHaveLength(40);
    expectAtMostPerSecond(times, 20);
    expect((await h.crm.campaigns.get(c.id))?.state).toBe('completed');
  });

  it('also spaces the sends of a "retry failed" round', async () => {
    let fail = true;
    const channel = scriptedChannel(() =>
      fail ? { status: 'rejected', retryable: false, error: 'down' } : { status: 'accepted' },
    );
    const h = await manualCrm({ customers: 40, crm: { channels: [channel] } });
    const c = await smsCampaign(h.crm, { throttlePerSecond: 20 });
    await h.crm.campaigns.launch(c.id);
    await drain(h, c.id, { stepMs: 10 });
    expect((await h.crm.campaigns.stats(c.id)).byStatus.failed).toBe(40);
    h.clock.advance(60_000);
    fail = false;
    await h.crm.campaigns.retryFailed(c.id);
    expect((await drain(h, c.id, { stepMs: 10 })).state).toBe('completed');
    const times = sendTimes(await allDeliveries(h.crm, c.id));
    expect(times[0]).toBeGreaterThanOrEqual(T0 + 60_000);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(1900);
    expectAtMostPerSecond(times, 20);
  });
});

describe('retry policy', () => {
  it('with every send failing, each delivery fails after exactly maxAttempts attempts', async () => {
    const h = await manualCrm({
      customers: 10,
      sim: { successRate: 0 },
      crm: { retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 } },
    });
    const c = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(c.id);
    expect((await drain(h, c.id)).state).toBe('completed');
    const stats = await expectStatsMatchLog(h.crm, c.id);
    expect(stats.byStatus.failed).toBe(10);
    expect(stats.attempts).toBe(30);
    expect(stats.retries).toBe(stats.attempts - stats.total);
    for (const d of await allDeliveries(h.crm, c.id)) {
      expect(d.attempts).toBe(3);
      expect(d.lastError).toMatchObject({ code: SIMULATED_FAILURE, retryable: true });
      expect(d.nextAttemptAt).toBeUndefined();
    }
    expect(h.sms.stats()).toMatchObject({ uniqueKeys: 30, duplicateCalls: 0 });
  });

  it('waits with backoff between attempts', async () => {
    const h = await manualCrm({
      customers: 1,
      sim: { successRate: 0 },
      crm: { retry: { maxAttempts: 2, baseDelayMs: 10_000, maxDelayMs: 10_000 }, random: () => 0.5 },
    });
    const c = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(c.id);
    await settle(h);
    const [waiting] = await allDeliveries(h.crm, c.id);
    expect(waiting).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(waiting!.nextAttemptAt?.getTime()).toBe(T0 + 5000);
    h.clock.advance(4999);
    await settle(h);
    expect(h.sms.stats().calls).toBe(1);
    h.clock.advance(1);
    await settle(h);
    expect(h.sms.stats().calls).toBe(2);
    expect((await h.crm.campaigns.get(c.id))?.state).toBe('completed');
  });

  it('fails a non-retryable rejection after one attempt', async () => {
    const channel = scriptedChannel(() => ({
      status: 'rejected',
      retryable: false,
      errorCode: 'INVALID_NUMBER',
      error: 'no such number',
    }));
    const h = await manualCrm({ customers: 4, crm: { channels: [channel], retry: { maxAttempts: 5 } } });
    const c = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(c.id);
    expect((await drain(h, c.id)).state).toBe('completed');
    const stats = await expectStatsMatchLog(h.crm, c.id);
    expect(stats).toMatchObject({ attempts: 4, retries: 0 });
    expect(stats.byStatus.failed).toBe(4);
    for (const d of await allDeliveries(h.crm, c.id)) {
      expect(d.attempts).toBe(1);
      expect(d.lastError).toEqual({ code: 'INVALID_NUMBER', message: 'no such number', retryable: false });
    }
    expect(channel.calls).toHaveLength(4);
  });

  it('fails a PermanentSendError after one attempt, and retries any other thrown error', async () => {
    const channel = scriptedChannel((_attempt, to) => {
      if (to.endsWith('1')) throw new PermanentSendError('blocked number');
      throw new Error('socket hang up');
    });
    const h = await manualCrm({
      customers: 2,
      crm: { channels: [channel], retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 } },
    });
    const c = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(c.id);
    await drain(h, c.id);
    const [permanent, transient] = await allDeliveries(h.crm, c.id);
    expect(permanent).toMatchObject({ status: 'failed', attempts: 1 });
    expect(permanent!.lastError).toMatchObject({
      code: 'PERMANENT',
      retryable: false,
      message: 'blocked number',
    });
    expect(transient).toMatchObject({ status: 'failed', attempts: 3 });
    expect(transient!.lastError).toMatchObject({ code: 'CHANNEL_ERROR', retryable: true });
    expect(channel.calls).toHaveLength(4);
  });

  it("a campaign's retry settings win over the engine's settings", async () => {
    const h = await manualCrm({
      customers: 3,
      sim: { successRate: 0 },
      crm: { retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 } },
    });
    const c = await smsCampaign(h.crm, { retry: { maxAttempts: 4 } });
    await h.crm.campaigns.launch(c.id);
    await drain(h, c.id);
    for (const d of await allDeliveries(h.crm, c.id))
      expect(d).toMatchObject({ status: 'failed', attempts: 4 });
    const plain = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(plain.id);
    await drain(h, plain.id);
    for (const d of await allDeliveries(h.crm, plain.id)) expect(d.attempts).toBe(2);
  });

  it("a campaign's retry settings win over an engine retry function", async () => {
    const policy: RetryFunction = ({ attempt }) =>
      attempt < 6 ? { retry: true, delayMs: 1 } : { retry: false };
    const h = await manualCrm({ customers: 2, sim: { successRate: 0 }, crm: { retry: policy } });
    const own = await smsCampaign(h.crm, { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    const engine = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(own.id);
    await h.crm.campaigns.launch(engine.id);
    await drain(h, own.id);
    await drain(h, engine.id);
    for (const d of await allDeliveries(h.crm, own.id)) expect(d.attempts).toBe(2);
    for (const d of await allDeliveries(h.crm, engine.id)) expect(d.attempts).toBe(6);
  });

  it("honours a vendor's retryAfterMs (nextAttemptAt) even past the backoff cap", async () => {
    const channel = scriptedChannel((attempt) =>
      attempt === 1
        ? { status: 'rejected', retryable: true, errorCode: 'RATE_LIMITED', retryAfterMs: 30_000 }
        : { status: 'accepted', vendorMessageId: 'v-2' },
    );
    const h = await manualCrm({
      customers: 1,
      crm: { channels: [channel], retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 } },
    });
    const c = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(c.id);
    await settle(h);
    const [d] = await allDeliveries(h.crm, c.id);
    expect(d).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(d!.nextAttemptAt?.getTime()).toBe(T0 + 30_000);
    h.clock.advance(29_999);
    await settle(h);
    expect(channel.calls).toHaveLength(1);
    h.clock.advance(1);
    await settle(h);
    expect(channel.calls).toHaveLength(2);
    const [after] = await allDeliveries(h.crm, c.id);
    expect(after).toMatchObject({ status: 'sent', attempts: 2, vendorMessageId: 'v-2' });
    expect(after!.sendingAt?.getTime()).toBe(T0 + 30_000);
    expect((await h.crm.campaigns.get(c.id))?.state).toBe('completed');
  });
});
