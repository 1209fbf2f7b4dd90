/**
 * An adapter's end-to-end run compared with the memory engine's, for the adapter e2e tests (Redis;
 * MongoDB with the Redis queue): the same campaign on a saved segment runs on both engines, and the
 * adapter's run must reconcile on its own and equal the memory run delivery by delivery.
 */
import {
  type Campaign,
  type CampaignStats,
  type Clock,
  createMiniCrm,
  createSimulatorChannel,
  DELIVERY_STATUSES,
  DEMO_ATTRIBUTES,
  type Delivery,
  type MiniCrm,
  type RuleGroup,
  SETTLED_DELIVERY_STATUSES,
  type SimulatorChannel,
  sequentialIds,
} from '@minicrm/core';
import { expect } from 'vitest';
import { listAllDeliveries } from './vendor-ledger.js';

/** The time every compared engine sees: `now` never moves (relative-date rules resolve alike). */
export const E2E_NOW = Date.parse('2025-03-31T12:00:00.000Z');

/** A clock frozen at {@link E2E_NOW}, with real timers. */
export const frozenClock: Clock = {
  now: () => E2E_NOW,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** An engine under comparison and its simulator. */
export interface Engine {
  readonly crm: MiniCrm;
  readonly sms: SimulatorChannel;
}

/**
 * An engine on `adapters` (memory by default) set up identically to every other one compared: the
 * frozen clock, sequential ids (campaigns get the same id, so the seeded simulator draws the same
 * outcome for every attempt), demo attributes, 3 attempts without backoff delay.
 */
export function comparedEngine(
  adapters: Parameters<typeof createMiniCrm>[0] = {},
  launchBatchSize = 500,
): Engine {
  const sms = createSimulatorChannel({ name: 'sms', successRate: 0.9, seed: 11, clock: frozenClock });
  const crm = createMiniCrm({
    ...adapters,
    channels: [sms],
    attributes: DEMO_ATTRIBUTES,
    clock: frozenClock,
    ids: sequentialIds(),
    retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
    launchBatchSize,
  });
  return { crm, sms };
}

/** What one engine's campaign run ended with. */
export interface CampaignRun {
  readonly done: Campaign;
  readonly stats: CampaignStats;
  readonly deliveries: Delivery[];
}

/**
 * Saves `rules` as a segment, runs an SMS campaign on it with a worker of its own to a finished
 * state, and returns the outcome.
 */
export async function runSegmentCampaign(
  crm: MiniCrm,
  rules: RuleGroup,
  template: string,
  timeoutMs: number,
): Promise<CampaignRun> {
  const segment = await crm.segments.create({ name: 'Lapsed', description: 'No visit in 3 months', rules });
  const campaign = await crm.campaigns.create({
    name: 'Come back',
    channel: 'sms',
    template,
    segmentId: segment.id,
  });
  const worker = crm.createWorker({ batchSize: 200, blockMs: 20, maintenanceIntervalMs: 50 });
  worker.start();
  await crm.campaigns.launch(campaign.id);
  const done = await crm.waitForCampaign(campaign.id, { timeoutMs });
  await worker.stop();
  return {
    done,
    stats: await crm.campaigns.stats(campaign.id),
    deliveries: await listAllDeliveries(crm, campaign.id),
  };
}

/**
 * Checks the adapter's run `r` on its own (completed, every delivery settled, stats equal to the
 * delivery log, one simulator call per attempt and none twice), then against the memory run `m`:
 * equal stats, equal deliveries.
 */
export function expectRunsAgree(
  r: CampaignRun,
  m: CampaignRun,
  audience: number,
  sms: SimulatorChannel,
): void {
  expect(r.done.id).toBe(m.done.id);
  expect(r.done.state).toBe('completed');
  expect(m.done.state).toBe('completed');
  const { stats, deliveries } = r;
  expect(stats.audienceSize).toBe(audience);
  expect(stats.total).toBe(audience);
  expect(DELIVERY_STATUSES.reduce((n, s) => n + stats.byStatus[s], 0)).toBe(stats.total);
  expect(deliveries).toHaveLength(audience);
  for (const s of DELIVERY_STATUSES) {
    expect(stats.byStatus[s], s).toBe(deliveries.filter((d) => d.status === s).length);
  }
  for (const d of deliveries) {
    expect(SETTLED_DELIVERY_STATUSES).toContain(d.status);
    if (d.status === 'failed') expect(d.attempts).toBe(3);
  }
  expect(stats.attempts).toBe(deliveries.reduce((n, d) => n + d.totalAttempts, 0));
  expect(stats.byStatus.failed).toBeGreaterThan(0);
  expect(stats.byStatus.skipped).toBeGreaterThan(0);
  expect(stats.retries).toBe(stats.attempts - (audience - stats.byStatus.skipped));
  const sim = sms.stats();
  expect(sim.duplicateCalls).toBe(0);
  expect(sim.calls).toBe(stats.attempts);

  const { at: _r, ...adapterStats } = stats;
  const { at: _m, ...memoryStats } = m.stats;
  expect(adapterStats).toEqual(memoryStats);
  const view = (d: Delivery) => [d.id, d.status, d.attempts, d.totalAttempts, d.message, d.skipReason];
  expect(deliveries.map(view)).toEqual(m.deliveries.map(view));
}
