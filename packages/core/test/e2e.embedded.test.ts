import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Campaign,
  createMiniCrm,
  createSimulatorChannel,
  DELIVERY_STATUSES,
  DEMO_ATTRIBUTES,
  type Delivery,
  type DemoData,
  generateDemoData,
  type MiniCrm,
  type RuleGroup,
  SETTLED_DELIVERY_STATUSES,
  type SimulatorChannel,
} from '../src/index.js';

const N = 10_000;
const TEMPLATE = "Hi {{ customer.name }}, here's 10% off on your next order!";

/** Aggregates computed straight from the generated data, independently of the engine. */
interface Truth {
  readonly spendMinor: number;
  readonly visits: number;
  readonly lastVisitAt: number | undefined;
}

function computeTruth(data: DemoData): Map<string, Truth> {
  const truth = new Map<string, { spendMinor: number; visits: number; lastVisitAt: number | undefined }>();
  for (const c of data.customers) truth.set(c.id, { spendMinor: 0, visits: 0, lastVisitAt: undefined });
  for (const o of data.orders) {
    const [major, minor] = o.amount.split('.') as [string, string];
    truth.get(o.customerId)!.spendMinor += Number(major) * 100 + Number(minor);
  }
  for (const v of data.visits) {
    const t = truth.get(v.customerId)!;
    t.visits += 1;
    const at = Date.parse(v.at);
    t.lastVisitAt = t.lastVisitAt === undefined ? at : Math.max(t.lastVisitAt, at);
  }
  return truth;
}

function threeMonthsBefore(now: number): number {
  const d = new Date(now);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 3);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d.getTime();
}

const SEGMENTS: Record<string, { rules: RuleGroup; expected: (t: Truth, now: number) => boolean }> = {
  'spend > 10,000': {
    rules: { combinator: 'and', rules: [{ field: 'totalSpend', operator: '>', value: 10_000 }] },
    expected: (t) => t.spendMinor > 1_000_000,
  },
  'spend > 10,000 and visits <= 3': {
    rules: {
      combinator: 'and',
      rules: [
        { field: 'totalSpend', operator: '>', value: 10_000 },
        { field: 'visits', operator: '<=', value: 3 },
      ],
    },
    expected: (t) => t.spendMinor > 1_000_000 && t.visits <= 3,
  },
  'no visit in 3 months, never-visited included': {
    rules: {
      combinator: 'and',
      rules: [{ field: 'lastVisitAt', operator: 'notWithinLast', value: { amount: 3, unit: 'months' } }],
    },
    expected: (t, now) => t.lastVisitAt === undefined || t.lastVisitAt < threeMonthsBefore(now),
  },
};

describe('end to end on the embedded default', () => {
  let crm: MiniCrm;
  let sms: SimulatorChannel;
  let data: DemoData;
  let truth: Map<string, Truth>;

  beforeAll(async () => {
    sms = createSimulatorChannel({ name: 'sms', successRate: 0.9, seed: 11 });
    crm = createMiniCrm({
      channels: [sms],
      attributes: DEMO_ATTRIBUTES,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    });
    data = generateDemoData({ customers: N, seed: 99 });
    truth = computeTruth(data);
    await crm.customers.upsert(data.customers);
    await crm.customers.addOrders(data.orders);
    await crm.customers.addEvents(data.visits);
  });

  afterAll(async () => {
    await crm.close();
  });

  it('ingested every customer with exact aggregates', async () => {
    expect(await crm.customers.size()).toBe(N);
    for (const id of ['cus_00001', 'cus_05000', 'cus_10000']) {
      const customer = await crm.customers.get(id);
      const t = truth.get(id)!;
      expect(customer?.totalSpendMinor).toBe(t.spendMinor);
      expect(customer?.totalSpend).toBe(t.spendMinor / 100);
      expect(customer?.visits).toBe(t.visits);
      expect(customer?.lastVisitAt?.getTime()).toBe(t.lastVisitAt);
    }
  });

  for (const [name, segment] of Object.entries(SEGMENTS)) {
    it(`previews "${name}" with the count a direct computation gives`, async () => {
      const before = Date.now();
      const preview = await crm.segments.preview(segment.rules, { sampleSize: 5 });
      const after = Date.now();
      const count = (now: number) => [...truth.values()].filter((t) => segment.expected(t, now)).length;
      const [low, high] = [count(before), count(after)].sort((a, b) => a - b) as [number, number];
      expect(preview.count).toBeGreaterThanOrEqual(low);
      expect(preview.count).toBeLessThanOrEqual(high);
      expect(preview.count).toBeGreaterThan(0);
      expect(preview.count).toBeLessThan(N);
      expect(preview.sample.length).toBe(5);
      for (const c of preview.sample) expect(segment.expected(truth.get(c.id)!, before)).toBe(true);
    });
  }

  it('runs a campaign over the simulator at 90/10 to completion with exact stats', async () => {
    const worker = crm.createWorker({ batchSize: 500, blockMs: 5, maintenanceIntervalMs: 50 });
    worker.start();
    const campaign: Campaign = await crm.campaigns.create({
      name: 'Ten percent off',
      channel: 'sms',
      template: TEMPLATE,
      rules: { combinator: 'and', rules: [{ field: 'name', operator: 'exists' }] },
    });
    await crm.campaigns.launch(campaign.id);
    const done = await crm.waitForCampaign(campaign.id, { timeoutMs: 120_000 });
    await worker.stop();
    expect(done.state).toBe('completed');

    const stats = await crm.campaigns.stats(campaign.id);
    expect(stats.audienceSize).toBe(N);
    expect(stats.total).toBe(N);
    expect(DELIVERY_STATUSES.reduce((sum, s) => sum + stats.byStatus[s], 0)).toBe(stats.total);

    const deliveries: Delivery[] = [];
    let cursor: string | undefined;
    do {
      const page = await crm.campaigns.deliveries(campaign.id, { limit: 1000, cursor });
      deliveries.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(deliveries.length).toBe(N);

    const customers = new Map(data.customers.map((c) => [c.id, c]));
    let attempts = 0;
    for (const d of deliveries) {
      expect(SETTLED_DELIVERY_STATUSES).toContain(d.status);
      attempts += d.totalAttempts;
      const customer = customers.get(d.customerId)!;
      if (d.status === 'skipped') {
        expect(customer.phone === undefined || customer.subscriptions.sms === false).toBe(true);
        continue;
      }
      expect(d.message).toBe(`Hi ${customer.name}, here's 10% off on your next order!`);
      if (d.status === 'failed') expect(d.attempts).toBe(3);
    }
    expect(stats.byStatus.failed).toBeGreaterThan(0);
    expect(stats.byStatus.sent).toBeGreaterThan(stats.byStatus.failed * 50);
    expect(stats.byStatus.skipped).toBeGreaterThan(0);
    expect(stats.attempts).toBe(attempts);

    const sim = sms.stats();
    expect(sim.duplicateCalls).toBe(0);
    expect(sim.uniqueKeys).toBe(sim.calls);
    expect(sim.calls).toBe(stats.attempts);
    expect(stats.retries).toBe(stats.attempts - (N - stats.byStatus.skipped));
  });
});
