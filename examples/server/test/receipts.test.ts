import type { Channel } from '@minicrm/core';
import { describe, expect, it } from 'vitest';
import { signReceiptBody } from '../src/receipts/signature.js';
import { waitFinished } from './campaign-flow.js';
import { build, type TestServer } from './helper.js';

/** A vendor that accepts every message and reports nothing by itself: receipts come by webhook. */
function quietVendor(name: string): Channel {
  return { name, send: async (m) => ({ status: 'accepted', vendorMessageId: `v-${m.customerId}` }) };
}

async function sentCampaign(server: TestServer): Promise<string> {
  await server.request('POST', '/api/customers', {
    body: {
      customers: [
        { id: 'c1', name: 'Asha', phone: '+919800000001' },
        { id: 'c2', name: 'Ravi', phone: '+919800000002' },
      ],
    },
  });
  const campaign = await server.request('POST', '/api/campaigns', {
    body: {
      name: 'Receipts',
      channel: 'sms',
      template: 'Hi {{ customer.name }}',
      rules: { combinator: 'and', rules: [{ field: 'visits', operator: '>=', value: 0 }] },
    },
  });
  await server.request('POST', `/api/campaigns/${campaign.body.id}/launch`);
  const done = await waitFinished(server, campaign.body.id);
  expect(done.stats).toMatchObject({ sent: 2, delivered: 0 });
  return campaign.body.id;
}

function receipt(campaignId: string, id: string, status = 'DELIVERED', customer = 'c1') {
  return { id, deliveryId: `${campaignId}~${customer}`, status, at: new Date().toISOString(), attempt: 1 };
}

describe('receipt webhook', () => {
  it('applies signed receipts (one, an array or { receipts }), and duplicates are harmless', async () => {
    const server = await build({}, { channels: [quietVendor('sms'), quietVendor('email')] });
    const id = await sentCampaign(server);
    const one = await server.postReceipts(receipt(id, 'r1'));
    expect(one.status).toBe(202);
    expect(one.body).toEqual({ received: 1, applied: 1, duplicates: 0, stale: 0, unmatched: 0 });
    const again = await server.postReceipts({ receipts: [receipt(id, 'r1'), receipt(id, 'r2', 'opened')] });
    expect(again.body).toEqual({ received: 2, applied: 1, duplicates: 1, stale: 0, unmatched: 0 });
    const byVendorId = await server.postReceipts([
      { id: 'r3', vendorMessageId: 'v-c2', status: 'delivered', at: Date.now() },
      { id: 'r4', deliveryId: 'nobody', status: 'DELIVERED', at: Date.now() },
    ]);
    expect(byVendorId.body).toMatchObject({ applied: 1, unmatched: 1 });
    const stats = (await server.request('GET', `/api/campaigns/${id}`)).body.stats;
    expect(stats).toMatchObject({ sent: 0, delivered: 2, opened: 1 });
  });

  it('refuses a missing, malformed, expired or wrong signature with 401 and applies nothing', async () => {
    const server = await build({}, { channels: [quietVendor('sms'), quietVendor('email')] });
    const id = await sentCampaign(server);
    const body = receipt(id, 'r1');
    const raw = JSON.stringify(body);
    const cases: [string | null, string][] = [
      [null, 'MISSING_SIGNATURE'],
      ['v1=abc', 'BAD_SIGNATURE'],
      [signReceiptBody('another-secret-0123456789', raw), 'BAD_SIGNATURE'],
      [signReceiptBody('test-receipt-secret-0123456789', raw, Date.now() - 3_600_000), 'BAD_SIGNATURE'],
      // Signed for other bytes: the signature covers the exact body.
      [signReceiptBody('test-receipt-secret-0123456789', `${raw} `), 'BAD_SIGNATURE'],
    ];
    for (const [signature, code] of cases) {
      const answer = await server.postReceipts(body, { signature });
      expect(answer.status, String(signature)).toBe(401);
      expect(answer.body.code).toBe(code);
    }
    expect((await server.request('GET', `/api/campaigns/${id}`)).body.stats).toMatchObject({
      sent: 2,
      delivered: 0,
    });
    // The receipt id was not consumed by the refused attempts.
    expect((await server.postReceipts(body)).body.applied).toBe(1);
  });

  it('refuses an invalid receipt with every problem, applying none of the batch', async () => {
    const server = await build({}, { channels: [quietVendor('sms'), quietVendor('email')] });
    const id = await sentCampaign(server);
    const answer = await server.postReceipts({
      receipts: [receipt(id, 'r1'), { id: 'r2', status: 'LOST', at: 'yesterday' }],
    });
    expect(answer.status).toBe(400);
    expect(answer.body.problems.map((p: { path: unknown[] }) => p.path)).toEqual([
      ['receipts', 1, 'status'],
      ['receipts', 1, 'at'],
      ['receipts', 1, 'deliveryId'],
    ]);
    expect((await server.request('GET', `/api/campaigns/${id}`)).body.stats).toMatchObject({ delivered: 0 });
  });

  it('rate-limits the webhook per client', async () => {
    const server = await build({ RATE_LIMIT_RECEIPTS: '2' });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (await server.postReceipts({ id: `r${i}`, deliveryId: 'x', status: 'SENT', at: 1 })).status,
      );
    expect(statuses).toEqual([202, 202, 429]);
  });
});
