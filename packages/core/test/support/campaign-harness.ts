import { expect } from 'vitest';
import {
  type Campaign,
  type CampaignStats,
  createMemoryJobQueue,
  createMemoryStorage,
  createMiniCrm,
  createSimulatorChannel,
  DELIVERY_STATUSES,
  type Delivery,
  type DeliveryCounts,
  type JobQueue,
  ManualClock,
  type MiniCrm,
  type MiniCrmEvents,
  type MiniCrmEventType,
  type MiniCrmOptions,
  type RuleGroup,
  type SimulatorChannel,
  type SimulatorOptions,
  type Storage,
  sequentialIds,
  type Worker,
  type WorkerOptions,
} from '../../src/index.js';

/** Start of every manual clock: a fixed instant, so timestamps are predictable. */
export const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** An audience rule matching every customer (every customer has a name). */
export const EVERYONE: RuleGroup = { combinator: 'and', rules: [{ field: 'name', operator: 'exists' }] };

/** `n` customer inputs `c001…` with a phone each; `extra(i)` adds or overrides fields. */
export function people(n: number, extra: (i: number) => Record<string, unknown> = () => ({})) {
  return Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    return {
      id: `c${String(i).padStart(3, '0')}`,
      name: `Customer ${i}`,
      phone: `+1555${String(i).padStart(7, '0')}`,
      ...extra(i),
    };
  });
}

/** Lets pending macrotasks run (setImmediate-based simulator receipts, awaited chains). */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Options of {@link manualCrm}. */
export interface ManualCrmOptions {
  /** Options of the `sms` simulator (clock is injected). */
  readonly sim?: SimulatorOptions;
  /** Extra engine options; `channels` replaces the simulator. */
  readonly crm?: MiniCrmOptions;
  /** Worker options. */
  readonly worker?: WorkerOptions;
  /** Wraps the memory queue (made on the manual clock) before the engine gets it, e.g. to inject faults. */
  readonly wrapQueue?: (queue: JobQueue) => JobQueue;
  /** Customers to upsert. @default 10 */
  readonly customers?: number | readonly Record<string, unknown>[];
}

/** An engine on a {@link ManualClock}: drive it with {@link drain} (no background loops). */
export interface ManualCrm {
  readonly crm: MiniCrm;
  readonly clock: ManualClock;
  readonly sms: SimulatorChannel;
  readonly worker: Worker;
  readonly storage: Storage;
  /** The memory queue itself (not the wrapped one). */
  readonly queue: JobQueue;
}

/** Builds an engine on memory adapters, a manual clock, sequential ids and an `sms` simulator. */
export async function manualCrm(options: ManualCrmOptions = {}): Promise<ManualCrm> {
  const clock = new ManualClock(T0);
  const sms = createSimulatorChannel({ name: 'sms', successRate: 1, ...options.sim, clock });
  const storage = options.crm?.storage ?? createMemoryStorage();
  const queue = createMemoryJobQueue({ clock });
  const crm = createMiniCrm({
    clock,
    ids: sequentialIds(),
    random: () => 0.5,
    channels: [sms],
    ...options.crm,
    storage,
    queue: options.wrapQueue?.(queue) ?? queue,
  });
  const customers = options.customers ?? 10;
  await crm.customers.upsert(typeof customers === 'number' ? people(customers) : customers);
  return { crm, clock, sms, worker: crm.createWorker(options.worker), storage, queue };
}

/** Creates a campaign to everyone on `sms` with the given extra input. */
export function smsCampaign(crm: MiniCrm, input: Record<string, unknown> = {}): Promise<Campaign> {
  return crm.campaigns.create({
    name: 'Test campaign',
    channel: 'sms',
    template: 'Hi {{ customer.name }}',
    rules: EVERYONE,
    ...input,
  });
}

/** True for `completed`, `cancelled` and `failed`. */
export function isFinished(campaign: Campaign | null): boolean {
  return campaign !== null && ['completed', 'cancelled', 'failed'].includes(campaign.state);
}

/**
 * Drives a manual-clock engine: processes every ready job, lets receipts apply, and advances the
 * clock by `stepMs`, until `until` holds (default: the campaign is finished). Returns the campaign.
 */
export async function drain(
  h: Pick<ManualCrm, 'crm' | 'clock'> & { readonly worker: Worker },
  campaignId: string,
  options: { stepMs?: number; maxSteps?: number; until?: (c: Campaign) => boolean } = {},
): Promise<Campaign> {
  const stepMs = options.stepMs ?? 50;
  const maxSteps = options.maxSteps ?? 5000;
  const until = options.until ?? ((c: Campaign) => isFinished(c));
  for (let step = 0; step < maxSteps; step++) {
    await settle(h);
    const campaign = await h.crm.campaigns.get(campaignId);
    if (campaign !== null && until(campaign)) return campaign;
    h.clock.advance(stepMs);
  }
  const last = await h.crm.campaigns.get(campaignId);
  throw new Error(`campaign ${campaignId} still ${last?.state} after ${maxSteps} steps`);
}

/** Processes every job ready now and applies every receipt waiting now. */
export async function settle(h: Pick<ManualCrm, 'crm'> & { readonly worker: Worker }): Promise<void> {
  for (let round = 0; round < 100; round++) {
    const n = await h.worker.processBatch(0);
    await tick();
    await h.crm.receipts.flush();
    await tick();
    if (n === 0) return;
  }
}

/** Every delivery of a campaign, ascending id. */
export async function allDeliveries(crm: MiniCrm, campaignId: string): Promise<Delivery[]> {
  const out: Delivery[] = [];
  let cursor: string | undefined;
  do {
    const page = await crm.campaigns.deliveries(campaignId, { limit: 1000, cursor });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

/** Sum of the per-status counts. */
export function statusSum(counts: Pick<DeliveryCounts, 'byStatus'>): number {
  return DELIVERY_STATUSES.reduce((sum, s) => sum + counts.byStatus[s], 0);
}

/**
 * Checks the stats against the delivery log itself: the status counts sum to the total, each status
 * count matches the log, and `attempts` is the sum of every delivery's `totalAttempts`.
 */
export async function expectStatsMatchLog(crm: MiniCrm, campaignId: string): Promise<CampaignStats> {
  const [stats, deliveries] = await Promise.all([
    crm.campaigns.stats(campaignId),
    allDeliveries(crm, campaignId),
  ]);
  expect(statusSum(stats)).toBe(stats.total);
  expect(stats.total).toBe(deliveries.length);
  for (const status of DELIVERY_STATUSES) {
    expect(stats.byStatus[status], status).toBe(deliveries.filter((d) => d.status === status).length);
  }
  expect(stats.attempts).toBe(deliveries.reduce((n, d) => n + d.totalAttempts, 0));
  expect(stats.opened).toBe(deliveries.filter((d) => d.openedAt !== undefined).length);
  expect(stats.clicked).toBe(deliveries.filter((d) => d.clickedAt !== undefined).length);
  return stats;
}

/** Records every event of `type` published on the engine's bus. */
export async function record<K extends MiniCrmEventType>(crm: MiniCrm, type: K): Promise<MiniCrmEvents[K][]> {
  const events: MiniCrmEvents[K][] = [];
  await crm.subscribe(type, (payload) => {
    events.push(payload);
  });
  return events;
}
