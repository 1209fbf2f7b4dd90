import { createMiniCrm, type Delivery, type MiniCrm, SETTLED_DELIVERY_STATUSES } from '@minicrm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpVendorChannel } from '../../src/vendor/http-vendor-channel.js';
import { createVendorSimulator, VENDOR_FAILED } from '../../src/vendor/vendor-simulator.js';
import { startReceiptSink } from './support/receipt-sink.js';
import { startVendorApp } from './support/vendor-app.js';

const SECRET = 'e2e-receipt-secret';
const AUDIENCE = 200;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function allDeliveries(crm: MiniCrm, campaignId: string): Promise<Delivery[]> {
  const out: Delivery[] = [];
  let cursor: string | undefined;
  do {
    const page = await crm.campaigns.deliveries(campaignId, { limit: 100, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

describe('worker → HTTP vendor → signed receipt callback → retry or stats', () => {
  it('completes a campaign over real HTTP with stats reconciled', async () => {
    let crm: MiniCrm | undefined;
    const ingestOutcomes: string[] = [];
    // The receipt webhook: verifies each callback's signature, then hands the body to MiniCRM.
    const webhook = await startReceiptSink({
      secret: SECRET,
      onReceipts: async (body) => {
        if (crm === undefined) throw new Error('MiniCRM not ready');
        const result = await crm.receipts.ingest(body);
        ingestOutcomes.push(...result.outcomes);
      },
    });
    const simulator = createVendorSimulator({
      receiptUrl: webhook.url,
      receiptSecret: SECRET,
      successRate: 0.5,
      seed: 2026,
      callbackDelayMs: { min: 1, max: 20 },
      batchSize: 25,
    });
    const vendor = await startVendorApp(simulator);
    cleanups.push(
      () => webhook.close(),
      () => simulator.close(),
      () => vendor.app.close(),
    );

    crm = createMiniCrm({
      channels: [createHttpVendorChannel({ name: 'sms', url: vendor.sendUrl, timeoutMs: 5000 })],
      retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
      receipts: { maxWaitMs: 5 },
    });
    const engine = crm;
    cleanups.push(() => engine.close());
    await crm.customers.upsert(
      Array.from({ length: AUDIENCE }, (_, i) => ({
        id: `c${i}`,
        name: `Customer ${i}`,
        phone: `+1555${String(i).padStart(7, '0')}`,
      })),
    );
    const campaign = await crm.campaigns.create({
      name: 'Over HTTP',
      channel: 'sms',
      template: 'Hi {{ customer.firstName }}, your 10% off is waiting.',
      rules: { combinator: 'and', rules: [{ field: 'visits', operator: '>=', value: 0 }] },
    });
    const worker = crm.createWorker({ maintenanceIntervalMs: 20, blockMs: 20 });
    worker.start();
    await crm.campaigns.launch(campaign.id);
    expect((await crm.waitForCampaign(campaign.id, { timeoutMs: 30_000 })).state).toBe('completed');

    const stats = await crm.campaigns.stats(campaign.id);
    const vendorStats = simulator.stats();
    expect(stats.audienceSize).toBe(AUDIENCE);
    expect(stats.total).toBe(AUDIENCE);
    const counted = Object.values(stats.byStatus).reduce((sum, n) => sum + n, 0);
    expect(counted).toBe(AUDIENCE);
    expect(stats.byStatus.delivered + stats.byStatus.failed).toBe(AUDIENCE);
    // Delivery ids (hence outcomes) depend on the random campaign id; at a 50% failure rate about
    // 1 in 8 deliveries fails all three attempts, so 200 of them always include some.
    expect(stats.byStatus.failed).toBeGreaterThan(0);
    // Every attempt is one distinct send the vendor counted; no attempt was sent twice.
    expect(stats.attempts).toBe(vendorStats.accepted);
    expect(vendorStats.duplicates).toBe(0);
    expect(stats.retries).toBe(stats.attempts - AUDIENCE);
    // Each attempt got exactly one outcome: a delivery is delivered by one receipt.
    expect(vendorStats.delivered).toBe(stats.byStatus.delivered);
    expect(vendorStats.failed).toBe(stats.attempts - stats.byStatus.delivered);
    await simulator.flush();
    expect(webhook.receipts).toHaveLength(stats.attempts);
    expect(ingestOutcomes).not.toContain('unmatched');

    const deliveries = await allDeliveries(crm, campaign.id);
    expect(deliveries).toHaveLength(AUDIENCE);
    for (const delivery of deliveries) {
      expect(SETTLED_DELIVERY_STATUSES).toContain(delivery.status);
      if (delivery.status === 'failed') {
        expect(delivery.attempts).toBe(3);
        expect(delivery.lastError?.code).toBe(VENDOR_FAILED);
      }
      // A callback that overtook the worker's own `sent` write settles the delivery before the
      // vendor message id is stored; every id that is stored is the vendor's.
      if (delivery.vendorMessageId !== undefined) expect(delivery.vendorMessageId).toMatch(/^vm_/);
    }
  });
});
