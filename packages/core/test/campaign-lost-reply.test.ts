/**
 * A write whose reply is lost (the connection dropped after the store applied it, and the client
 * re-sent it, which then "conflicted") must not strand a delivery: the worker sees a claim that did
 * not apply, finds the delivery already sending this attempt, and finishes it with the same key.
 */
import { describe, expect, it } from 'vitest';
import {
  createMemoryStorage,
  createMiniCrm,
  createSimulatorChannel,
  DELIVERY_STATUSES,
  type DeliveryTransition,
  SETTLED_DELIVERY_STATUSES,
  type Storage,
} from '../src/index.js';
import { EVERYONE, people } from './support/campaign-harness.js';

/** Storage whose `transitionMany` applies every claim but reports the first `lose` of them as not applied. */
function losingClaimReplies(lose: number): { storage: Storage; lost: () => number } {
  const inner = createMemoryStorage();
  let lost = 0;
  const deliveries = {
    ...inner.deliveries,
    async transitionMany(transitions: readonly DeliveryTransition[]) {
      const results = await inner.deliveries.transitionMany(transitions);
      return results.map((d, i) => {
        if (d !== null && transitions[i]?.to === 'sending' && lost < lose) {
          lost++;
          return null;
        }
        return d;
      });
    },
  };
  return { storage: { ...inner, deliveries }, lost: () => lost };
}

describe('a lost write reply', () => {
  it('never strands a delivery in sending, and never sends an attempt twice as a new message', async () => {
    const { storage, lost } = losingClaimReplies(25);
    const sms = createSimulatorChannel({ name: 'sms', seed: 3 });
    const crm = createMiniCrm({ storage, channels: [sms], retry: { baseDelayMs: 0, maxDelayMs: 0 } });
    await crm.customers.upsert(people(60));
    const worker = crm.createWorker({ batchSize: 10, blockMs: 5, maintenanceIntervalMs: 20 });
    worker.start();
    const campaign = await crm.campaigns.create({
      name: 'Lost replies',
      rules: EVERYONE,
      channel: 'sms',
      template: 'Hi',
    });
    await crm.campaigns.launch(campaign.id);
    const done = await crm.waitForCampaign(campaign.id, { timeoutMs: 20_000 });
    await crm.close();

    expect(lost()).toBe(25);
    expect(done.state).toBe('completed');
    const stats = await crm.campaigns.stats(campaign.id);
    expect(DELIVERY_STATUSES.reduce((n, s) => n + stats.byStatus[s], 0)).toBe(60);
    const log = await crm.campaigns.deliveries(campaign.id, { limit: 100 });
    for (const d of log.items) expect(SETTLED_DELIVERY_STATUSES).toContain(d.status);
    expect(sms.stats().uniqueKeys).toBe(stats.attempts);
  });
});
