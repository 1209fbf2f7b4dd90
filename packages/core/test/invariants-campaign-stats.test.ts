/**
 * Stats invariants of a running campaign under an adversarial schedule: worker batches on one or two
 * workers, reservations abandoned (redelivered after the visibility timeout), workers that die after
 * the vendor took the message, random receipts about random deliveries and attempts, and replays of
 * every receipt seen so far (vendor retries), all on the memory adapters with a ManualClock.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CampaignStats,
  type Channel,
  createMemoryJobQueue,
  createMiniCrm,
  createSimulatorChannel,
  type Delivery,
  type DeliveryStatus,
  ManualClock,
  type MiniCrm,
  type ReceiptInput,
  SETTLED_DELIVERY_STATUSES,
  type SimulatorChannel,
  type Worker,
} from '../src/index.js';

const receiptArb = fc.record({
  pick: fc.nat(),
  status: fc.constantFrom('SENT', 'DELIVERED', 'FAILED', 'bounced', 'opened', 'clicked'),
  attempt: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  byVendor: fc.boolean(),
  retryable: fc.option(fc.boolean(), { nil: undefined }),
  unknown: fc.integer({ min: 0, max: 12 }).map((n) => n === 0),
});

type RandomReceipt = typeof receiptArb extends fc.Arbitrary<infer T> ? T : never;

/** One thing that happens to the campaign; see {@link runStep}. */
type Step =
  | { readonly kind: 'batch'; readonly worker: 0 | 1 }
  | { readonly kind: 'parallel' | 'zombie' | 'pauseToggle' }
  | { readonly kind: 'abandon'; readonly max: number }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'receipts'; readonly items: readonly RandomReceipt[] }
  | { readonly kind: 'replay'; readonly picks: readonly number[] };

const kind = <K extends string>(k: K) => fc.constant(k);
const stepArb = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: kind('batch'), worker: fc.constantFrom<0 | 1>(0, 1) }) },
  { weight: 2, arbitrary: fc.record({ kind: kind('parallel') }) },
  { weight: 2, arbitrary: fc.record({ kind: kind('abandon'), max: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: kind('zombie') }) },
  { weight: 3, arbitrary: fc.record({ kind: kind('advance'), ms: fc.integer({ min: 1, max: 20_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: kind('pauseToggle') }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: kind('receipts'),
      items: fc.array(receiptArb, { minLength: 1, maxLength: 6 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: kind('replay'), picks: fc.array(fc.nat(), { maxLength: 10 }) }) },
) as fc.Arbitrary<Step>;

const scenarioArb = fc.record({
  customers: fc.array(fc.constantFrom('phone', 'phone', 'phone', 'none', 'unsubscribed'), {
    minLength: 1,
    maxLength: 12,
  }),
  successRate: fc.constantFrom(0, 0.3, 0.7, 0.9, 1),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  async: fc.boolean(),
  workerBatch: fc.integer({ min: 1, max: 5 }),
  maxAttempts: fc.integer({ min: 1, max: 4 }),
  retryRound: fc.boolean(),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 25 }),
});

/** Lets every in-process chain (sinks, receipt batches) run to its next clock-bound wait. */
async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Same-attempt successors of each status (independent of the engine's own graph). */
const SAME_ATTEMPT: Record<DeliveryStatus, readonly DeliveryStatus[]> = {
  pending: ['queued', 'skipped', 'cancelled'],
  queued: ['cancelled'],
  sending: ['sent', 'delivered', 'retrying', 'failed'],
  sent: ['delivered', 'retrying', 'failed'],
  delivered: [],
  retrying: ['failed', 'cancelled'],
  failed: [],
  skipped: [],
  cancelled: [],
};

function reachable(from: DeliveryStatus, to: DeliveryStatus): boolean {
  if (from === to) return true;
  return SAME_ATTEMPT[from].some((next) => reachable(next, to));
}

const FINAL: readonly DeliveryStatus[] = ['delivered', 'skipped', 'cancelled'];

interface Seen {
  readonly round: number;
  readonly attempts: number;
  readonly totalAttempts: number;
  readonly status: DeliveryStatus;
  readonly opened: boolean;
  readonly clicked: boolean;
}

/** Throws when `cur` could not follow `prev` without some delivery moving backwards. */
function checkForward(id: string, prev: Seen, cur: Delivery): void {
  const where = `${id}: ${JSON.stringify(prev)} → ${cur.status} r${cur.round} a${cur.attempts}`;
  expect(cur.totalAttempts, where).toBeGreaterThanOrEqual(prev.totalAttempts);
  expect(cur.round, where).toBeGreaterThanOrEqual(prev.round);
  if (prev.opened) expect(cur.openedAt, where).toBeDefined();
  if (prev.clicked) expect(cur.clickedAt, where).toBeDefined();
  if (FINAL.includes(prev.status)) {
    expect({ status: cur.status, round: cur.round, attempts: cur.attempts }, where).toEqual({
      status: prev.status,
      round: prev.round,
      attempts: prev.attempts,
    });
    return;
  }
  if (cur.round > prev.round) return; // only failed → queued starts a round; FINAL excluded above
  expect(cur.attempts, where).toBeGreaterThanOrEqual(prev.attempts);
  if (cur.attempts > prev.attempts) {
    expect(prev.status === 'failed', `${where} (a failed delivery got a new attempt in its round)`).toBe(
      false,
    );
    return;
  }
  expect(reachable(prev.status, cur.status), where).toBe(true);
}

interface Harness {
  readonly crm: MiniCrm;
  readonly clock: ManualClock;
  readonly sim: SimulatorChannel;
  readonly workers: readonly [Worker, Worker];
  readonly zombie: Worker;
  readonly campaignId: string;
  readonly seen: Map<string, Seen>;
  readonly receipts: ReceiptInput[];
  hang: boolean;
  lastRetries: number;
  nextId: number;
}

/**
 * Applies every receipt in flight. The simulator hands its batches over one after another, each
 * once the previous one is stored, and the receipt batches wait for the (manual) clock: flush until
 * the simulator's chain of hand-overs has ended.
 */
async function drainReceipts(h: Harness): Promise<void> {
  let done = false;
  const chain = h.sim.flushReceipts().then(() => {
    done = true;
  });
  for (let i = 0; i < 200 && !done; i++) {
    await settle();
    await h.crm.receipts.flush();
  }
  await chain;
  await h.crm.receipts.flush();
}

async function ingest(h: Harness, input: readonly ReceiptInput[]) {
  const result = h.crm.receipts.ingest(input);
  await h.crm.receipts.flush();
  return result;
}

async function allDeliveries(h: Harness): Promise<Delivery[]> {
  const out: Delivery[] = [];
  let cursor: string | undefined;
  do {
    const page = await h.crm.campaigns.deliveries(h.campaignId, { limit: 7, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

async function checkInvariants(
  h: Harness,
  label: string,
): Promise<{ stats: CampaignStats; list: Delivery[] }> {
  const stats = await h.crm.campaigns.stats(h.campaignId);
  const list = await allDeliveries(h);
  const byStatus = Object.values(stats.byStatus).reduce((a, b) => a + b, 0);
  expect(byStatus, `${label}: byStatus sums to total`).toBe(stats.total);
  expect(list.length, `${label}: total = deliveries listed`).toBe(stats.total);
  const recount: Record<string, number> = {};
  for (const s of Object.keys(stats.byStatus)) recount[s] = 0;
  for (const d of list) recount[d.status] = (recount[d.status] ?? 0) + 1;
  expect(stats.byStatus, `${label}: counts = recount`).toEqual(recount);
  expect(stats.attempts, `${label}: attempts = Σ totalAttempts`).toBe(
    list.reduce((n, d) => n + d.totalAttempts, 0),
  );
  expect(stats.opened, `${label}: opened`).toBe(list.filter((d) => d.openedAt !== undefined).length);
  expect(stats.clicked, `${label}: clicked`).toBe(list.filter((d) => d.clickedAt !== undefined).length);
  expect(stats.retries, `${label}: retries never decrease`).toBeGreaterThanOrEqual(h.lastRetries);
  h.lastRetries = stats.retries;
  expect(h.sim.stats().uniqueKeys, `${label}: one vendor message per attempt`).toBe(stats.attempts);
  for (const d of list) {
    expect(d.attempts, `${d.id} attempts ≤ totalAttempts`).toBeLessThanOrEqual(d.totalAttempts);
    const prev = h.seen.get(d.id);
    if (prev !== undefined) checkForward(d.id, prev, d);
    h.seen.set(d.id, {
      round: d.round,
      attempts: d.attempts,
      totalAttempts: d.totalAttempts,
      status: d.status,
      opened: d.openedAt !== undefined,
      clicked: d.clickedAt !== undefined,
    });
  }
  return { stats, list };
}

/** A worker that dies after the vendor took its messages: its sends never return, its jobs are never acked. */
async function zombieBatch(h: Harness): Promise<void> {
  h.hang = true;
  void h.zombie.processBatch(0);
  await settle();
  h.hang = false;
}

async function runStep(h: Harness, step: Step): Promise<void> {
  const queue = h.crm.context.queue;
  switch (step.kind) {
    case 'batch':
      await h.workers[step.worker].processBatch(0);
      break;
    case 'parallel':
      await Promise.all(h.workers.map((w) => w.processBatch(0)));
      break;
    case 'abandon':
      await queue.reserve({ max: step.max, visibilityTimeoutMs: 3_000, consumer: 'abandoner' });
      break;
    case 'zombie':
      await zombieBatch(h);
      break;
    case 'advance':
      h.clock.advance(step.ms);
      break;
    case 'pauseToggle': {
      const c = await h.crm.campaigns.get(h.campaignId);
      if (c?.state === 'running') await h.crm.campaigns.pause(h.campaignId);
      else if (c?.state === 'paused') await h.crm.campaigns.resume(h.campaignId);
      break;
    }
    case 'receipts': {
      const list = await allDeliveries(h);
      const batch = step.items.map((r): ReceiptInput => {
        const d = list[r.pick % list.length] as Delivery;
        const ref = r.unknown
          ? { deliveryId: `${h.campaignId}~nobody` }
          : r.byVendor && d.vendorMessageId !== undefined
            ? { vendorMessageId: d.vendorMessageId }
            : { deliveryId: d.id };
        return {
          id: `rnd-${h.nextId++}`,
          ...ref,
          status: r.status,
          at: new Date(h.clock.now()),
          ...(r.attempt === undefined ? {} : { attempt: r.attempt }),
          ...(r.retryable === undefined ? {} : { retryable: r.retryable }),
        };
      });
      h.receipts.push(...batch);
      await ingest(h, batch);
      break;
    }
    case 'replay': {
      if (h.receipts.length === 0) break;
      await drainReceipts(h);
      const before = await checkInvariants(h, 'before replay');
      const again = step.picks.map((i) => h.receipts[i % h.receipts.length] as ReceiptInput);
      const result = await ingest(h, again);
      for (const o of result.outcomes) expect(['duplicate', 'unmatched']).toContain(o);
      const after = await checkInvariants(h, 'after replay');
      expect({ ...after.stats, at: 0 }).toEqual({ ...before.stats, at: 0 });
      expect(after.list).toEqual(before.list);
      break;
    }
  }
  await settle();
}

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

async function setup(s: Scenario): Promise<Harness> {
  const clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));
  const sim = createSimulatorChannel({
    name: 'sms',
    clock,
    successRate: s.successRate,
    seed: s.seed,
    receipts: s.async ? 'async' : 'sync',
  });
  const captured: ReceiptInput[] = [];
  const h = { hang: false } as { hang: boolean };
  // The engine talks to the simulator through this wrapper, so a "dying" worker can lose the answer.
  const channel: Channel = {
    name: 'sms',
    async send(message, context) {
      const hang = h.hang;
      const result = await sim.send(message, context);
      return hang ? new Promise<never>(() => {}) : result;
    },
    parseReceipt: (body) => sim.parseReceipt(body),
    connect: (sink) =>
      sim.connect(async (batch) => {
        captured.push(...batch);
        await sink(batch);
      }),
  };
  let rng = s.seed;
  const crm = createMiniCrm({
    clock,
    channels: [channel],
    queue: createMemoryJobQueue({ clock, maxDeliveries: 1000 }),
    random: () => {
      rng = (rng * 1103515245 + 12345) % 2147483648;
      return rng / 2147483648;
    },
    retry: { maxAttempts: s.maxAttempts, baseDelayMs: 500, maxDelayMs: 8_000 },
    launchBatchSize: 4,
  });
  await crm.customers.upsert(
    s.customers.map((kind, i) => ({
      id: `c${String(i).padStart(2, '0')}`,
      name: `Customer ${i}`,
      ...(kind === 'none' ? {} : { phone: `+1555010${String(i).padStart(4, '0')}` }),
      ...(kind === 'unsubscribed' ? { subscriptions: { sms: false } } : {}),
    })),
  );
  const campaign = await crm.campaigns.create({
    id: 'cmp-inv',
    name: 'Invariants',
    channel: 'sms',
    template: 'Hi {{ customer.name }}',
    rules: { combinator: 'and', rules: [{ field: 'visits', operator: '>=', value: 0 }] },
  });
  const options = { batchSize: s.workerBatch, visibilityTimeoutMs: 5_000 };
  return Object.assign(h, {
    crm,
    clock,
    sim,
    workers: [crm.createWorker(options), crm.createWorker(options)] as const,
    zombie: crm.createWorker(options),
    campaignId: campaign.id,
    seen: new Map<string, Seen>(),
    receipts: captured,
    lastRetries: 0,
    nextId: 0,
  });
}

/** Advances time and works until the queue is empty and the campaign is finished. */
async function driveToEnd(h: Harness, label: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    h.clock.advance(10_000);
    await drainReceipts(h);
    while ((await h.workers[0].processBatch(0)) > 0) await settle();
    await drainReceipts(h);
    await checkInvariants(h, `${label} #${i}`);
    const q = await h.crm.context.queue.counts();
    const c = await h.crm.campaigns.get(h.campaignId);
    if (q.ready + q.delayed + q.inFlight === 0 && c?.state === 'completed') return;
  }
  const c = await h.crm.campaigns.get(h.campaignId);
  throw new Error(
    `${label}: not finished: ${c?.state} ${JSON.stringify(await h.crm.context.queue.counts())}`,
  );
}

async function assertSettled(h: Harness, customers: readonly string[]): Promise<void> {
  const { stats, list } = await checkInvariants(h, 'settled');
  expect(stats.state).toBe('completed');
  expect(stats.total).toBe(customers.length);
  expect(stats.audienceSize).toBe(customers.length);
  expect(stats.byStatus.skipped).toBe(customers.filter((k) => k !== 'phone').length);
  for (const d of list) expect(SETTLED_DELIVERY_STATUSES, `${d.id} ${d.status}`).toContain(d.status);
  expect((await h.crm.context.queue.counts()).dead).toBe(0);
}

describe('campaign stats invariants under an adversarial schedule', () => {
  it('hold after every step, and the campaign settles', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const h = await setup(s);
        await h.crm.campaigns.launch(h.campaignId);
        await checkInvariants(h, 'launched');
        for (const [i, step] of s.steps.entries()) {
          await runStep(h, step);
          await checkInvariants(h, `step ${i} ${step.kind}`);
        }
        const c = await h.crm.campaigns.get(h.campaignId);
        if (c?.state === 'paused') await h.crm.campaigns.resume(h.campaignId);
        await driveToEnd(h, 'drain');
        await assertSettled(h, s.customers);

        const failed = (await h.crm.campaigns.stats(h.campaignId)).byStatus.failed;
        if (s.retryRound && failed > 0) {
          // A new round: failed → queued is the one way back, and the invariants still hold.
          await h.crm.campaigns.retryFailed(h.campaignId);
          await checkInvariants(h, 'retry round launched');
          for (const step of s.steps.slice(0, 6)) {
            if (step.kind !== 'pauseToggle') await runStep(h, step);
            await checkInvariants(h, `round 2 ${step.kind}`);
          }
          await driveToEnd(h, 'drain round 2');
          await assertSettled(h, s.customers);
        }
        await h.crm.close();
      }),
      { numRuns: 80 },
    );
  });
});
