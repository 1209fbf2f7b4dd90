/**
 * The classic campaign over HTTP, shared by the embedded, Redis and MongoDB + Redis runs: demo
 * customers, orders and visits in; the three classic segments previewed and their counts checked
 * against the customers' own aggregates; a campaign sent through the HTTP vendor simulator, whose
 * signed receipt callbacks come back to `/api/receipts`; completion with reconciled stats and a
 * delivery log that agrees with them.
 */
import {
  DELIVERY_STATUSES,
  DEMO_SEGMENTS,
  type DeliveryStatus,
  generateDemoData,
  relativeLowerBound,
} from '@minicrm/core';
import { expect } from 'vitest';
import type { TestServer } from './helper.js';

/** Environment of a server whose `sms`/`email` go through its own `/vendor/send`. */
export const HTTP_VENDOR_ENV = {
  CHANNEL: 'http-vendor',
  SIMULATOR_SUCCESS_RATE: '0.5',
  RETRY_BASE_MS: '5',
  RETRY_MAX_MS: '40',
};

const TEMPLATE = 'Hi {{ customer.firstName }}, here is 10% off your next order!';

/** Every page of a listing. */
export async function allPages<T>(server: TestServer, path: string, limit = 500): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: { status: number; body: { items: T[]; nextCursor: string | null } } = await server.request(
      'GET',
      `${path}${sep}limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
    );
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor !== null);
  return items;
}

interface CustomerView {
  id: string;
  name: string;
  totalSpend: number;
  visits: number;
  lastVisitAt?: string;
}

/** A delivery as the API lists it (the fields these tests read). */
export interface DeliveryView {
  id: string;
  customerId: string;
  status: DeliveryStatus;
  attempts: number;
  totalAttempts: number;
  message: string;
  deliveredAt?: string;
  lastError?: { code?: string; message: string };
}

/** Polls the campaign until it finishes; returns it. */
export async function waitFinished(server: TestServer, id: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await server.request('GET', `/api/campaigns/${id}`);
    expect(answer.status).toBe(200);
    if (['completed', 'cancelled', 'failed'].includes(answer.body.status)) return answer.body;
    if (Date.now() > deadline)
      throw new Error(`campaign still ${answer.body.status}: ${JSON.stringify(answer.body.stats)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs the whole flow on `server` with `customers` demo customers. */
export async function runClassicCampaign(server: TestServer, customers: number): Promise<void> {
  const data = generateDemoData({ customers, seed: 7 });

  // Ingest over HTTP, in batches, and check the answers.
  const upserted = await server.request('POST', '/api/customers', { body: { customers: data.customers } });
  expect(upserted.status).toBe(200);
  expect(upserted.body.created).toHaveLength(customers);
  expect(upserted.body.rejected).toEqual([]);
  for (const [key, items] of [
    ['orders', data.orders],
    ['events', data.visits],
  ] as const) {
    for (let i = 0; i < items.length; i += 2000) {
      const answer = await server.request('POST', `/api/${key}`, {
        body: { [key]: items.slice(i, i + 2000) },
      });
      expect(answer.status, key).toBe(200);
      expect(answer.body.rejected).toEqual([]);
    }
  }
  // Re-posting orders changes nothing.
  const again = await server.request('POST', '/api/orders', { body: { orders: data.orders.slice(0, 50) } });
  expect(again.body.applied).toEqual([]);
  expect(again.body.duplicates).toHaveLength(50);

  // The three classic segments: counts checked against the customers' aggregates.
  const everyone = await allPages<CustomerView>(server, '/api/customers');
  expect(everyone).toHaveLength(customers);
  const now = new Date();
  const threeMonthsAgo = relativeLowerBound(now.getTime(), { amount: 3, unit: 'months' });
  const expected = [
    everyone.filter((c) => c.totalSpend > 10_000).length,
    everyone.filter((c) => c.totalSpend > 10_000 && c.visits <= 3).length,
    everyone.filter((c) => c.lastVisitAt === undefined || Date.parse(c.lastVisitAt) < threeMonthsAgo).length,
  ];
  const classic = Object.entries(DEMO_SEGMENTS).slice(0, 3);
  for (const [i, [name, rules]] of classic.entries()) {
    const preview = await server.request('POST', '/api/segments/preview', { body: { rules, sampleSize: 5 } });
    expect(preview.status, name).toBe(200);
    expect(preview.body.count, name).toBe(expected[i]);
    expect(preview.body.count, name).toBeGreaterThan(0);
    expect(preview.body.sample.length).toBe(Math.min(5, expected[i] as number));
  }

  // A campaign on a saved segment, sent through the HTTP vendor.
  const [name, rules] = classic[0] as [string, unknown];
  const segment = await server.request('POST', '/api/segments', { body: { name, rules } });
  expect(segment.status).toBe(201);
  const created = await server.request('POST', '/api/campaigns', {
    body: { name: 'Thank you, big spenders', segmentId: segment.body.id, channel: 'sms', template: TEMPLATE },
  });
  expect(created.status).toBe(201);
  expect(created.body.status).toBe('draft');
  const id = created.body.id as string;
  const launched = await server.request('POST', `/api/campaigns/${id}/launch`);
  expect(launched.status).toBe(200);
  expect(launched.body.status).toBe('running');

  const done = await waitFinished(server, id);
  expect(done.status).toBe('completed');
  const stats = done.stats;
  const audience = expected[0] as number;
  expect(stats.audience).toBe(audience);
  expect(stats.total).toBe(audience);
  expect(DELIVERY_STATUSES.reduce((n, s) => n + stats[s], 0)).toBe(stats.total);
  // Every outcome came back by callback: nothing is left sent, queued or retrying.
  for (const s of ['pending', 'queued', 'sending', 'sent', 'retrying', 'cancelled'] as const) {
    expect(stats[s], s).toBe(0);
  }
  expect(stats.delivered + stats.failed + stats.skipped).toBe(stats.total);
  expect(stats.delivered).toBeGreaterThan(0);
  expect(stats.failed).toBeGreaterThan(0); // half the attempts fail: with 3 attempts, some fail for good
  expect(stats.retries).toBeGreaterThan(0);

  // The delivery log agrees with the stats, status by status.
  const log = await allPages<DeliveryView>(server, `/api/campaigns/${id}/deliveries`);
  expect(log).toHaveLength(stats.total);
  for (const s of DELIVERY_STATUSES) expect(log.filter((d) => d.status === s).length, s).toBe(stats[s]);
  expect(log.reduce((n, d) => n + d.totalAttempts, 0)).toBe(stats.attempts);
  for (const s of ['delivered', 'failed'] as const) {
    const filtered = await allPages<DeliveryView>(server, `/api/campaigns/${id}/deliveries?status=${s}`);
    expect(filtered.map((d) => d.id)).toEqual(log.filter((d) => d.status === s).map((d) => d.id));
  }
  const byId = new Map(everyone.map((c) => [c.id, c]));
  for (const d of log.filter((x) => x.status !== 'skipped')) {
    const first = (byId.get(d.customerId)?.name ?? '').split(' ')[0];
    expect(d.message).toBe(`Hi ${first}, here is 10% off your next order!`);
  }
  for (const d of log.filter((x) => x.status === 'delivered')) {
    expect(d.deliveredAt).toEqual(expect.any(String));
  }
  for (const d of log.filter((x) => x.status === 'failed')) {
    expect(d.attempts).toBe(3);
    expect(d.lastError?.code).toBe('VENDOR_FAILED');
  }

  // The vendor saw one message per attempt, each once, and called back for each.
  const vendor = server.app.vendor.stats();
  expect(vendor.accepted).toBe(stats.attempts);
  expect(vendor.duplicates).toBe(0);
}
