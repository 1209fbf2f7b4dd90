/**
 * Exactly-once properties: a conditional delivery transition moves counters once however often it
 * is replayed, and duplicate receipts (same id, anywhere after the first, in any batching) leave an
 * engine exactly where the deduplicated stream leaves it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createMemoryStorage,
  createMiniCrm,
  createSimulatorChannel,
  DELIVERY_STATUSES,
  type Delivery,
  type DeliveryCounts,
  type DeliveryStatus,
  type DeliveryTransition,
  ManualClock,
  type MiniCrm,
  memoryStorageBackdoor,
  newDelivery,
  type ReceiptInput,
  type Storage,
  sequentialIds,
} from '../src/index.js';

const CAMPAIGN = 'cmp-x';
const IDS = ['d0', 'd1', 'd2', 'd3', 'd4'] as const;

const statusArb = fc.constantFrom<DeliveryStatus>(...DELIVERY_STATUSES);

const transitionArb: fc.Arbitrary<DeliveryTransition> = fc
  .record({
    id: fc.constantFrom(...IDS, 'missing'),
    from: fc.subarray([...DELIVERY_STATUSES], { minLength: 1 }),
    to: statusArb,
    round: fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined }),
    attempts: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    at: fc.integer({ min: 1, max: 1000 }).map((n) => new Date(Date.UTC(2026, 0, 1) + n * 1000)),
    set: fc.option(
      fc.record(
        {
          attempts: fc.integer({ min: 0, max: 3 }),
          round: fc.integer({ min: 1, max: 2 }),
          openedAt: fc.constant(new Date(Date.UTC(2026, 1, 1))),
          clickedAt: fc.constant(new Date(Date.UTC(2026, 1, 2))),
        },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    ),
  })
  .map((t) => {
    const { round, attempts, set, ...rest } = t;
    return {
      ...rest,
      ...(round === undefined ? {} : { round }),
      ...(attempts === undefined ? {} : { attempts }),
      ...(set === undefined ? {} : { set }),
    };
  });

async function seedStorage(initial: readonly DeliveryStatus[]): Promise<Storage> {
  const storage = createMemoryStorage();
  const at = new Date(Date.UTC(2026, 0, 1));
  await storage.deliveries.createMany(
    IDS.map((id, i) =>
      newDelivery({
        id,
        campaignId: CAMPAIGN,
        customerId: `c${i}`,
        channel: 'sms',
        status: initial[i] ?? 'queued',
        round: 1,
        message: 'hello',
        address: '+15550100',
        at,
      }),
    ),
  );
  return storage;
}

/** Counters recomputed from the raw records (read through the back door, not the store's reads). */
async function recount(storage: Storage): Promise<DeliveryCounts> {
  const backdoor = memoryStorageBackdoor(storage);
  const records = (await Promise.all(IDS.map((id) => backdoor.delivery(id)))) as Delivery[];
  const byStatus = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
  for (const d of records) byStatus[d.status] += 1;
  return {
    total: records.length,
    byStatus,
    attempts: records.reduce((n, d) => n + d.totalAttempts, 0),
    retries: 0,
    opened: records.filter((d) => d.openedAt !== undefined).length,
    clicked: records.filter((d) => d.clickedAt !== undefined).length,
  };
}

async function snapshot(storage: Storage) {
  const backdoor = memoryStorageBackdoor(storage);
  return {
    counts: await storage.deliveries.counts(CAMPAIGN),
    records: await Promise.all(IDS.map((id) => backdoor.delivery(id))),
  };
}

const initialArb = fc.array(fc.constantFrom<DeliveryStatus>('queued', 'pending', 'skipped'), {
  minLength: IDS.length,
  maxLength: IDS.length,
});

describe('storage.deliveries.transitionMany is idempotent', () => {
  // One transition per delivery, as every engine call makes (a list with a cycle such as
  // sending → retrying → sending legitimately moves counters each time it is applied).
  it('applying the same transitions twice changes counts and records only the first time', async () => {
    await fc.assert(
      fc.asyncProperty(
        initialArb,
        fc.array(transitionArb, { maxLength: 30 }),
        fc.uniqueArray(transitionArb, { selector: (t) => t.id, minLength: 1, maxLength: 6 }),
        async (initial, warmUp, list) => {
          const storage = await seedStorage(initial);
          await storage.deliveries.transitionMany(warmUp);
          await storage.deliveries.transitionMany(list);
          const once = await snapshot(storage);
          expect({ ...once.counts, retries: 0 }).toEqual(await recount(storage));
          const again = await storage.deliveries.transitionMany(list);
          expect(again.every((d) => d === null)).toBe(true);
          expect(await snapshot(storage)).toEqual(once);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the counters always equal a recount of the stored records, and never go negative', async () => {
    await fc.assert(
      fc.asyncProperty(
        initialArb,
        fc.array(fc.array(transitionArb, { maxLength: 6 }), { maxLength: 12 }),
        async (initial, calls) => {
          const storage = await seedStorage(initial);
          for (const call of calls) {
            await storage.deliveries.transitionMany(call);
            const counts = await storage.deliveries.counts(CAMPAIGN);
            expect({ ...counts, retries: 0 }).toEqual(await recount(storage));
            for (const n of Object.values(counts.byStatus)) expect(n).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a replayed transition that changes nothing is reported as not applied (null)', async () => {
    const storage = await seedStorage(['queued']);
    const t: DeliveryTransition = {
      id: 'd0',
      from: ['queued', 'sending'],
      to: 'sending',
      at: new Date(Date.UTC(2026, 0, 2)),
      set: { attempts: 1, vendorMessageId: 'v-1' },
    };
    expect((await storage.deliveries.transitionMany([t]))[0]).not.toBeNull();
    const before = await snapshot(storage);
    const again = await storage.deliveries.transitionMany([t]);
    expect(await snapshot(storage)).toEqual(before); // nothing changed…
    expect(again).toEqual([null]); // …so nothing may be reported as applied
  });
});

type Status = 'SENT' | 'DELIVERED' | 'FAILED' | 'bounced' | 'opened' | 'clicked';

interface Spec {
  readonly target: number;
  readonly status: Status;
  readonly attempt: number | undefined;
  readonly retryable: boolean | undefined;
}

const specArb: fc.Arbitrary<Spec> = fc.record({
  target: fc.nat(),
  status: fc.constantFrom<Status>('SENT', 'DELIVERED', 'FAILED', 'bounced', 'opened', 'clicked'),
  attempt: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  retryable: fc.option(fc.boolean(), { nil: undefined }),
});

const CUSTOMERS = 6;

/** A launched campaign after one worker batch: its first attempts sent, or failed and retrying. */
async function launchedEngine(successRate: number): Promise<MiniCrm> {
  const clock = new ManualClock(Date.parse('2026-04-01T08:00:00Z'));
  const sms = createSimulatorChannel({ clock, successRate, receipts: 'sync' });
  const crm = createMiniCrm({ clock, channels: [sms], random: () => 0.5, ids: sequentialIds() });
  await crm.customers.upsert(
    Array.from({ length: CUSTOMERS }, (_, i) => ({ id: `c${i}`, name: `C${i}`, phone: `+1555020000${i}` })),
  );
  await crm.campaigns.create({
    id: 'cmp-r',
    name: 'R',
    channel: 'sms',
    template: 'Hi',
    rules: { combinator: 'and', rules: [{ field: 'visits', operator: '>=', value: 0 }] },
  });
  await crm.campaigns.launch('cmp-r');
  await crm.createWorker().processBatch(0);
  return crm;
}

function toReceipts(specs: readonly Spec[], at: Date): ReceiptInput[] {
  return specs.map((s, i) => ({
    id: `r${i}`,
    deliveryId: `cmp-r~c${s.target % CUSTOMERS}`,
    status: s.status,
    at,
    ...(s.attempt === undefined ? {} : { attempt: s.attempt }),
    ...(s.retryable === undefined ? {} : { retryable: s.retryable }),
  }));
}

async function ingestInChunks(crm: MiniCrm, receipts: readonly ReceiptInput[], cuts: readonly number[]) {
  const outcomes: string[] = [];
  let start = 0;
  for (const end of [...new Set(cuts.map((c) => c % (receipts.length + 1)))]
    .sort((a, b) => a - b)
    .concat(receipts.length)) {
    if (end <= start) continue;
    const pending = crm.receipts.ingest(receipts.slice(start, end));
    await crm.receipts.flush();
    outcomes.push(...(await pending).outcomes);
    start = end;
  }
  return outcomes;
}

async function engineState(crm: MiniCrm) {
  const stats = await crm.campaigns.stats('cmp-r');
  const page = await crm.campaigns.deliveries('cmp-r', { limit: 100 });
  return { stats: { ...stats, at: 0 }, deliveries: page.items, queue: await crm.context.queue.counts() };
}

describe('duplicate receipts are ignored, whatever the batching', () => {
  it('a stream with duplicates inserted after their first occurrence ends where the clean stream ends', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0.5, 1),
        fc.array(specArb, { minLength: 1, maxLength: 14 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 14 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        async (successRate, specs, dupes, cutsA, cutsB) => {
          const clean = await launchedEngine(successRate);
          const dirty = await launchedEngine(successRate);
          const at = new Date(Date.parse('2026-04-01T08:00:01Z'));
          const receipts = toReceipts(specs, at);
          // Insert copies of receipt k at some position after its first occurrence.
          const noisy: ReceiptInput[] = [...receipts];
          for (const [which, where] of dupes) {
            const k = which % receipts.length;
            const first = noisy.indexOf(receipts[k] as ReceiptInput);
            const pos = first + 1 + (where % (noisy.length - first));
            noisy.splice(pos, 0, { ...(receipts[k] as ReceiptInput) });
          }
          const a = await ingestInChunks(clean, receipts, cutsA);
          const b = await ingestInChunks(dirty, noisy, cutsB);
          expect(b.filter((o) => o === 'duplicate')).toHaveLength(noisy.length - receipts.length);
          expect(b.filter((o) => o === 'applied')).toHaveLength(a.filter((o) => o === 'applied').length);
          expect(await engineState(dirty)).toEqual(await engineState(clean));

          // Replaying the whole stream once more changes nothing at all.
          const before = await engineState(clean);
          const replay = await ingestInChunks(clean, [...receipts].reverse(), cutsB);
          expect(replay.every((o) => o === 'duplicate')).toBe(true);
          expect(await engineState(clean)).toEqual(before);
        },
      ),
      { numRuns: 60 },
    );
  });
});
