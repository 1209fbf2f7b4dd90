import { afterEach, describe, expect, it } from 'vitest';
import type { EventBus, MiniCrmEvents } from '../ports/event-bus.js';
import { eventually, sleep } from './harness.js';
import type { EventBusConformanceOptions } from './options.js';

type Created = MiniCrmEvents['customer.created'];

/**
 * Event bus checks: an event reaches every subscriber of its type and no other, unsubscribe stops
 * delivery, and a throwing handler breaks neither `publish` nor the other handlers. Delivery may be
 * asynchronous (a shared bus): positive checks poll, negative ones wait `settleMs`.
 */
export function eventBusConformance(options: EventBusConformanceOptions): void {
  describe(options.name ?? 'event bus', () => {
    const settle = () => sleep(options.settleMs ?? 30);
    let bus: EventBus;
    afterEach(async () => {
      await options.teardown?.();
    });
    const fresh = async () => {
      bus = await options.createBus();
      return bus;
    };

    it('publish reaches every subscriber of that type, and only those', async () => {
      const b = await fresh();
      const created1: Created[] = [];
      const created2: Created[] = [];
      const states: unknown[] = [];
      await b.subscribe('customer.created', (e) => created1.push(e));
      await b.subscribe('customer.created', (e) => created2.push(e));
      await b.subscribe('campaign.state', (e) => states.push(e));
      await b.publish('customer.created', { customerId: 'c1', at: 1 });
      await b.publish('customer.created', { customerId: 'c2', at: 2 });
      await eventually(() => {
        expect(created1).toEqual([
          { customerId: 'c1', at: 1 },
          { customerId: 'c2', at: 2 },
        ]);
        expect(created2).toHaveLength(2);
      });
      await settle();
      expect(states).toEqual([]);
    });

    it('unsubscribe stops delivery to that handler only', async () => {
      const b = await fresh();
      const kept: Created[] = [];
      const dropped: Created[] = [];
      await b.subscribe('customer.created', (e) => kept.push(e));
      const off = await b.subscribe('customer.created', (e) => dropped.push(e));
      await b.publish('customer.created', { customerId: 'c1', at: 1 });
      await eventually(() => expect(dropped).toHaveLength(1));
      await off();
      await off();
      await b.publish('customer.created', { customerId: 'c2', at: 2 });
      await eventually(() => expect(kept).toHaveLength(2));
      await settle();
      expect(dropped).toHaveLength(1);
    });

    it('a throwing handler breaks neither publish nor the other handlers', async () => {
      const b = await fresh();
      const got: Created[] = [];
      await b.subscribe('customer.created', () => {
        throw new Error('handler failure (expected by the conformance suite)');
      });
      await b.subscribe('customer.created', (e) => got.push(e));
      await expect(b.publish('customer.created', { customerId: 'c1', at: 1 })).resolves.toBeUndefined();
      await expect(b.publish('customer.created', { customerId: 'c2', at: 2 })).resolves.toBeUndefined();
      await eventually(() => expect(got.map((e) => e.customerId)).toEqual(['c1', 'c2']));
    });

    it('carries structured payloads intact', async () => {
      const b = await fresh();
      const got: MiniCrmEvents['campaign.stats'][] = [];
      await b.subscribe('campaign.stats', (e) => got.push(e));
      const stats: MiniCrmEvents['campaign.stats'] = {
        campaignId: 'k1',
        state: 'running',
        audienceSize: 3,
        at: 42,
        total: 3,
        byStatus: {
          pending: 0,
          queued: 1,
          sending: 0,
          sent: 1,
          delivered: 1,
          retrying: 0,
          failed: 0,
          skipped: 0,
          cancelled: 0,
        },
        attempts: 2,
        retries: 0,
        opened: 1,
        clicked: 0,
      };
      await b.publish('campaign.stats', stats);
      await eventually(() => expect(got).toEqual([stats]));
    });
  });
}
