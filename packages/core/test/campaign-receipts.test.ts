import { describe, expect, it } from 'vitest';
import { settleFailedAttempts } from '../src/campaign/failure.js';
import { type Channel, type Delivery, type SendResult, ValidationError } from '../src/index.js';
import {
  allDeliveries,
  drain,
  expectStatsMatchLog,
  type ManualCrm,
  manualCrm,
  settle,
  smsCampaign,
  T0,
} from './support/campaign-harness.js';

/** Ingests on a manual clock: the receipt batch timer would otherwise wait for the clock. */
async function ingest(h: ManualCrm, input: unknown) {
  const result = h.crm.receipts.ingest(input);
  await h.crm.receipts.flush().catch(() => {});
  return result;
}

/** Stats without the read time, to compare before and after. */
async function counts(h: ManualCrm, id: string) {
  const { at: _at, ...rest } = await h.crm.campaigns.stats(id);
  return rest;
}

/** A completed campaign to `n` customers, every message `sent` (sync simulator). */
async function sentCampaign(n = 3) {
  const h = await manualCrm({ customers: n });
  const c = await smsCampaign(h.crm);
  await h.crm.campaigns.launch(c.id);
  await drain(h, c.id);
  return { ...h, id: c.id, deliveries: await allDeliveries(h.crm, c.id) };
}

const at = (ms: number) => new Date(T0 + ms).toISOString();

describe('async receipts from the simulator', () => {
  it('drive deliveries to delivered or failed, with retries for failures', async () => {
    const h = await manualCrm({
      customers: 30,
      sim: { successRate: 0.6, seed: 21, receipts: 'async' },
      crm: { retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 100 } },
    });
    const c = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(c.id);
    expect((await drain(h, c.id)).state).toBe('completed');
    const stats = await expectStatsMatchLog(h.crm, c.id);
    expect(stats.byStatus.delivered + stats.byStatus.failed).toBe(30);
    expect(stats.byStatus.failed).toBeGreaterThan(0);
    expect(stats.retries).toBeGreaterThan(0);
    expect(stats.retries).toBe(stats.attempts - 30);
    for (const d of await allDeliveries(h.crm, c.id)) {
      if (d.status === 'failed') {
        expect(d.attempts).toBe(3);
        expect(d.lastError?.code).toBe('SIMULATED_FAILURE');
      }
      if (d.status === 'delivered') expect(d.deliveredAt).toBeInstanceOf(Date);
    }
    const sim = h.sms.stats();
    expect(sim.uniqueKeys).toBe(stats.attempts);
    expect(sim.duplicateCalls).toBe(0);
    expect(sim.delivered).toBe(stats.byStatus.delivered);
  });
});

describe('receipts.ingest', () => {
  it('ignores a duplicate receipt id, in one call and across calls', async () => {
    const h = await sentCampaign();
    const [d1] = h.deliveries as [Delivery];
    const receipt = { id: 'r-1', deliveryId: d1.id, status: 'DELIVERED', at: at(1000) };
    const first = await ingest(h, [receipt, { ...receipt, at: at(2000) }]);
    expect(first).toMatchObject({ applied: 1, duplicates: 1, stale: 0, unmatched: 0 });
    expect(first.outcomes).toEqual(['applied', 'duplicate']);
    const after = await counts(h, h.id);
    expect(after.byStatus).toMatchObject({ delivered: 1, sent: 2 });
    const again = await ingest(h, { receipts: [receipt] });
    expect(again).toMatchObject({ applied: 0, duplicates: 1 });
    expect(await counts(h, h.id)).toEqual(after);
    expect((await h.crm.campaigns.deliveries(h.id)).items[0]?.deliveredAt?.toISOString()).toBe(at(1000));
  });

  it('treats late and out-of-order receipts as stale and never moves a delivery backwards', async () => {
    const h = await sentCampaign();
    const [d1] = h.deliveries as [Delivery];
    await ingest(h, { id: 'r-d', deliveryId: d1.id, status: 'delivered', at: at(1000) });
    const before = await counts(h, h.id);
    const late = await ingest(h, [
      { id: 'r-s', deliveryId: d1.id, status: 'SENT', at: at(500) },
      { id: 'r-f', deliveryId: d1.id, status: 'FAILED', at: at(1500), attempt: 1 },
    ]);
    expect(late).toMatchObject({ applied: 0, stale: 2 });
    expect(await counts(h, h.id)).toEqual(before);
    expect((await h.crm.campaigns.deliveries(h.id)).items[0]?.status).toBe('delivered');
  });

  it('a FAILED receipt for an older attempt is stale; one for the current attempt applies the retry policy', async () => {
    const channel: Channel = {
      name: 'sms',
      async send(_m, ctx): Promise<SendResult> {
        return ctx.attempt === 1
          ? { status: 'rejected', retryable: true, error: 'busy' }
          : { status: 'accepted', vendorMessageId: `v-${ctx.attempt}` };
      },
    };
    const h = await manualCrm({
      customers: 1,
      crm: { channels: [channel], retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 100 } },
    });
    const c = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(c.id);
    await drain(h, c.id, { until: () => h.clock.now() >= T0 + 200 });
    const [d] = await allDeliveries(h.crm, c.id);
    expect(d).toMatchObject({ status: 'sent', attempts: 2, vendorMessageId: 'v-2' });
    const old = await ingest(h, { id: 'f-1', deliveryId: d!.id, status: 'FAILED', attempt: 1, at: at(300) });
    expect(old).toMatchObject({ stale: 1 });
    expect((await allDeliveries(h.crm, c.id))[0]).toEqual(d);
    const current = await ingest(h, { id: 'f-2', vendorMessageId: 'v-2', status: 'FAILED', at: at(300) });
    expect(current).toMatchObject({ applied: 1 });
    const [failed] = await allDeliveries(h.crm, c.id);
    expect(failed?.status).toBe('failed'); // the campaign had completed: no retry is scheduled for it
    await expectStatsMatchLog(h.crm, c.id);
  });

  it("a receipt that overtakes the sender's own write records the vendor id", async () => {
    let crm: ManualCrm['crm'] | undefined;
    const channel: Channel = {
      name: 'sms',
      reportsOutcomes: true,
      async send(m, ctx): Promise<SendResult> {
        // The vendor's callback lands before the worker has written `sent` and the vendor id.
        const applied = crm?.receipts.ingest({
          id: `cb-${ctx.idempotencyKey}`,
          deliveryId: m.deliveryId,
          vendorMessageId: `v-${m.customerId}`,
          attempt: ctx.attempt,
          status: 'DELIVERED',
          at: at(1),
        });
        await crm?.receipts.flush();
        await applied;
        return { status: 'accepted', vendorMessageId: `v-${m.customerId}` };
      },
    };
    const h = await manualCrm({ customers: 3, crm: { channels: [channel] } });
    crm = h.crm;
    const c = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(c.id);
    expect((await drain(h, c.id)).state).toBe('completed');
    for (const d of await allDeliveries(h.crm, c.id)) {
      expect(d).toMatchObject({ status: 'delivered', vendorMessageId: `v-${d.customerId}` });
    }
    await expectStatsMatchLog(h.crm, c.id);
  });

  it('a FAILED receipt read while `sending` still applies after the worker recorded `sent`', async () => {
    const channel: Channel = {
      name: 'sms',
      reportsOutcomes: true,
      send: async () => ({ status: 'accepted', vendorMessageId: 'v-1' }),
    };
    const h = await manualCrm({
      customers: 1,
      crm: { channels: [channel], retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 100 } },
    });
    const c = await smsCampaign(h.crm);
    await h.crm.campaigns.launch(c.id);
    let [d] = await allDeliveries(h.crm, c.id);
    for (let i = 0; i < 50 && d?.status !== 'sent'; i++) {
      await settle(h);
      [d] = await allDeliveries(h.crm, c.id);
    }
    expect(d).toMatchObject({ status: 'sent', attempts: 1 });
    // The receipt processor read the delivery just before the worker's `sent` write landed.
    const readEarlier = { ...(d as Delivery), status: 'sending' as const };
    const campaign = (await h.crm.campaigns.get(c.id)) as NonNullable<
      Awaited<ReturnType<typeof h.crm.campaigns.get>>
    >;
    const [settled] = await settleFailedAttempts(h.crm.context, [
      { delivery: readEarlier, campaign, error: { message: 'vendor failed', retryable: true } },
    ]);
    expect(settled).toMatchObject({
      status: 'retrying',
      attempts: 1,
      lastError: { message: 'vendor failed' },
    });
    await expectStatsMatchLog(h.crm, c.id);
  });

  it('cascades engagement: a click on a sent delivery makes it delivered, opened and clicked', async () => {
    const h = await sentCampaign();
    const [d1, d2] = h.deliveries as [Delivery, Delivery];
    const clicked = await ingest(h, { id: 'e-1', deliveryId: d1.id, status: 'clicked', at: at(5000) });
    expect(clicked.applied).toBe(1);
    const [one] = await allDeliveries(h.crm, h.id);
    expect(one).toMatchObject({ status: 'delivered' });
    expect(one?.deliveredAt?.toISOString()).toBe(at(5000));
    expect(one?.openedAt?.toISOString()).toBe(at(5000));
    expect(one?.clickedAt?.toISOString()).toBe(at(5000));
    await ingest(h, { id: 'e-2', deliveryId: d2.id, status: 'opened', at: at(6000) });
    await ingest(h, { id: 'e-3', deliveryId: d2.id, status: 'OPENED', at: at(7000) });
    const stats = await expectStatsMatchLog(h.crm, h.id);
    expect(stats).toMatchObject({ opened: 2, clicked: 1 });
    expect(stats.byStatus).toMatchObject({ delivered: 2, sent: 1 });
    const second = (await allDeliveries(h.crm, h.id))[1];
    expect(second?.openedAt?.toISOString()).toBe(at(6000)); // first open kept
    const click = await ingest(h, { id: 'e-4', deliveryId: d2.id, status: 'clicked', at: at(8000) });
    expect(click.applied).toBe(1);
    expect(await counts(h, h.id)).toMatchObject({ opened: 2, clicked: 2 });
  });

  it('matches receipts by vendorMessageId, and reports unknown deliveries as unmatched (not recorded)', async () => {
    const h = await sentCampaign();
    const [d1] = h.deliveries as [Delivery];
    expect(d1.vendorMessageId).toBeDefined();
    const r = await ingest(h, [
      { id: 'v-1', vendorMessageId: d1.vendorMessageId, status: 'DELIVERED', at: at(100) },
      { id: 'u-1', deliveryId: 'no-such-delivery', status: 'DELIVERED', at: at(100) },
      { id: 'u-2', vendorMessageId: 'no-such-vendor-id', status: 'DELIVERED', at: at(100) },
    ]);
    expect(r.outcomes).toEqual(['applied', 'unmatched', 'unmatched']);
    expect((await allDeliveries(h.crm, h.id))[0]?.status).toBe('delivered');
    const again = await ingest(h, { id: 'u-1', deliveryId: 'no-such-delivery', status: 'SENT', at: at(1) });
    expect(again.outcomes).toEqual(['unmatched']);
  });

  it('refuses invalid input with every problem and its path, applying nothing', async () => {
    const h = await sentCampaign();
    const [d1, d2] = h.deliveries as [Delivery, Delivery];
    const before = await counts(h, h.id);
    const error = await ingest(h, {
      receipts: [
        { id: 'ok', deliveryId: d1.id, status: 'DELIVERED', at: at(1) },
        { id: 'bad-status', deliveryId: d2.id, status: 'READ', at: at(1) },
        { id: 'bad-at', deliveryId: d2.id, status: 'SENT', at: 'yesterday' },
        { id: 'no-ref', status: 'SENT', at: at(1) },
        'nope',
      ],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const problems = (error as ValidationError).problems.map((p) => p.path.join('.'));
    expect(problems).toEqual(
      expect.arrayContaining(['receipts.1.status', 'receipts.2.at', 'receipts.3.deliveryId', 'receipts.4']),
    );
    expect(problems.some((p) => p.startsWith('receipts.0'))).toBe(false);
    expect(await counts(h, h.id)).toEqual(before);
    // The valid receipt was not recorded either: it applies when sent again on its own.
    expect((await ingest(h, { id: 'ok', deliveryId: d1.id, status: 'DELIVERED', at: at(1) })).applied).toBe(
      1,
    );
  });

  it('applies a batch with several receipts for one delivery in arrival order', async () => {
    const h = await sentCampaign(1);
    const [d1] = h.deliveries as [Delivery];
    const r = await ingest(h, [
      { id: 'a', deliveryId: d1.id, status: 'DELIVERED', at: at(10) },
      { id: 'b', deliveryId: d1.id, status: 'opened', at: at(20) },
      { id: 'c', deliveryId: d1.id, status: 'clicked', at: at(30) },
    ]);
    expect(r.outcomes).toEqual(['applied', 'applied', 'applied']);
    await settle(h);
    expect(await counts(h, h.id)).toMatchObject({ opened: 1, clicked: 1, total: 1 });
  });
});
