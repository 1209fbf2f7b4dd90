import { describe, expect, it } from 'vitest';
import { createSimulatorChannel, SIMULATED_FAILURE } from '../src/channel/index.js';
import { ValidationError } from '../src/errors.js';
import type { OutboundMessage, ReceiptInput } from '../src/ports/channel.js';
import { ManualClock } from '../src/time/manual-clock.js';

const message = (i: number): OutboundMessage => ({
  deliveryId: `dlv_${i}`,
  campaignId: 'cmp_1',
  customerId: `c${i}`,
  to: '+15550100',
  body: `hello ${i}`,
});
const send = (channel: ReturnType<typeof createSimulatorChannel>, i: number, attempt = 1) =>
  channel.send(message(i), { idempotencyKey: `dlv_${i}:1:${attempt}`, attempt });

describe('createSimulatorChannel (sync receipts)', () => {
  it('defaults to an sms channel with 90% accepted, 10% rejected as retryable SIMULATED_FAILURE', async () => {
    const sms = createSimulatorChannel();
    expect(sms.name).toBe('sms');
    expect(sms.address).toBeUndefined();
    const n = 20_000;
    let rejectedSeen = 0;
    for (let i = 0; i < n; i++) {
      const result = await send(sms, i);
      if (result.status === 'rejected') {
        rejectedSeen++;
        expect(result).toMatchObject({ retryable: true, errorCode: SIMULATED_FAILURE });
      } else {
        expect(result.vendorMessageId).toBe(`sim-sms-dlv_${i}:1:1`);
      }
    }
    const stats = sms.stats();
    expect(stats).toMatchObject({ calls: n, uniqueKeys: n, duplicateCalls: 0, rejected: rejectedSeen });
    expect(stats.accepted + stats.rejected).toBe(n);
    expect(rejectedSeen / n).toBeGreaterThan(0.09);
    expect(rejectedSeen / n).toBeLessThan(0.11);
  });

  it('draws outcomes from seed and key, not call order', async () => {
    const a = createSimulatorChannel({ seed: 3 });
    const b = createSimulatorChannel({ seed: 3 });
    const c = createSimulatorChannel({ seed: 'another' });
    const ids = Array.from({ length: 500 }, (_, i) => i);
    const forward = await Promise.all(ids.map((i) => send(a, i)));
    const backward = await Promise.all([...ids].reverse().map((i) => send(b, i)));
    backward.reverse();
    expect(backward).toEqual(forward);
    const other = await Promise.all(ids.map((i) => send(c, i)));
    expect(other.map((r) => r.status)).not.toEqual(forward.map((r) => r.status));
    for (const i of ids) {
      expect(a.outcomeFor(`dlv_${i}:1:1`)).toBe(forward[i]?.status === 'accepted' ? 'success' : 'failure');
    }
  });

  it('honours successRate 0 and 1 and failureRetryable', async () => {
    const never = createSimulatorChannel({ successRate: 0, failureRetryable: false, name: 'email' });
    const always = createSimulatorChannel({ successRate: 1 });
    for (let i = 0; i < 200; i++) {
      expect(await send(never, i)).toMatchObject({ status: 'rejected', retryable: false });
      expect((await send(always, i)).status).toBe('accepted');
    }
  });

  it('does not send twice for the same idempotency key', async () => {
    const sms = createSimulatorChannel();
    const first = await send(sms, 1);
    const again = await sms.send(
      { ...message(1), body: 'changed' },
      { idempotencyKey: 'dlv_1:1:1', attempt: 1 },
    );
    expect(again).toBe(first);
    await send(sms, 1, 2);
    expect(sms.stats()).toMatchObject({ calls: 3, uniqueKeys: 2, duplicateCalls: 1 });
    expect([...sms.sentKeys()]).toEqual(['dlv_1:1:1', 'dlv_1:1:2']);
    expect(sms.sentBodies().get('dlv_1:1:1')?.body).toBe('hello 1');
  });

  it('waits for latency on the clock, and duplicates share the pending result', async () => {
    const clock = new ManualClock(0);
    const sms = createSimulatorChannel({ latencyMs: [10, 20], clock, successRate: 1 });
    let done = 0;
    const p1 = send(sms, 1).then((r) => {
      done++;
      return r;
    });
    const p2 = send(sms, 1);
    await Promise.resolve();
    expect(done).toBe(0);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(20);
    expect(await p1).toBe(await p2);
    expect(sms.stats().duplicateCalls).toBe(1);
  });

  it('uses no timer when latency is 0', async () => {
    const clock = new ManualClock(0);
    const sms = createSimulatorChannel({ clock });
    await send(sms, 1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses bad options with paths', () => {
    try {
      createSimulatorChannel({ successRate: 2, latencyMs: [5, 1], receiptDelayMs: -1, name: '' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems.map((p) => p.path[0])).toEqual([
        'successRate',
        'latencyMs',
        'receiptDelayMs',
        'name',
      ]);
    }
  });

  it('stays within 1% of its success rate over 100,000 sends and counts each key once', async () => {
    const sms = createSimulatorChannel();
    for (let i = 0; i < 100_000; i++) await send(sms, i);
    const stats = sms.stats();
    expect(stats).toMatchObject({ calls: 100_000, uniqueKeys: 100_000, duplicateCalls: 0 });
    expect(stats.accepted / stats.calls).toBeGreaterThan(0.89);
    expect(stats.accepted / stats.calls).toBeLessThan(0.91);
  });
});

describe('createSimulatorChannel (async receipts)', () => {
  it('accepts every send and reports the outcome later, in batches, once per key', async () => {
    const sms = createSimulatorChannel({ receipts: 'async', seed: 9 });
    const batches: ReceiptInput[][] = [];
    sms.connect(async (receipts) => {
      batches.push(receipts);
    });
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => send(sms, i)));
    await send(sms, 0);
    expect(results.every((r) => r.status === 'accepted' && r.vendorMessageId !== undefined)).toBe(true);
    expect(batches).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    await sms.flushReceipts();
    expect(batches).toHaveLength(1);
    const receipts = batches.flat();
    expect(receipts).toHaveLength(300);
    const stats = sms.stats();
    expect(stats).toMatchObject({ accepted: 300, rejected: 0, duplicateCalls: 1 });
    expect(receipts.filter((r) => r.status === 'FAILED')).toHaveLength(stats.failed);
    expect(receipts.filter((r) => r.status === 'DELIVERED')).toHaveLength(stats.delivered);
    const failed = receipts.find((r) => r.status === 'FAILED');
    expect(failed).toMatchObject({ errorCode: SIMULATED_FAILURE, retryable: true, attempt: 1 });
    const r0 = receipts.find((r) => r.deliveryId === 'dlv_0');
    expect(r0?.vendorMessageId).toBe(results[0]?.status === 'accepted' ? results[0].vendorMessageId : '');
    expect(new Set(receipts.map((r) => r.id)).size).toBe(300);
  });

  it('holds receipts until connected, uses the clock for a delay, and retries a failing sink', async () => {
    const clock = new ManualClock(1000);
    const sms = createSimulatorChannel({ receipts: 'async', receiptDelayMs: 50, clock, successRate: 1 });
    await send(sms, 1);
    const got: ReceiptInput[] = [];
    let fail = true;
    sms.connect(async (receipts) => {
      if (fail) {
        fail = false;
        throw new Error('sink down');
      }
      got.push(...receipts);
    });
    expect(clock.pendingTimers).toBe(1);
    clock.advance(50);
    await sms.flushReceipts();
    expect(got).toHaveLength(0);
    clock.advance(100);
    await sms.flushReceipts();
    expect(got).toEqual([
      expect.objectContaining({ deliveryId: 'dlv_1', status: 'DELIVERED', at: new Date(1000) }),
    ]);
  });

  it('parses its own webhook format', () => {
    const sms = createSimulatorChannel();
    const receipts = sms.parseReceipt({
      receipts: [
        {
          id: 'r1',
          vendorMessageId: 'sim-sms-k',
          status: 'failed',
          at: '2026-01-01T00:00:00Z',
          retryable: false,
        },
      ],
    });
    expect(receipts).toEqual([
      {
        id: 'r1',
        vendorMessageId: 'sim-sms-k',
        status: 'FAILED',
        at: new Date('2026-01-01T00:00:00Z'),
        retryable: false,
      },
    ]);
    expect(() => sms.parseReceipt({ receipts: [{ id: 'r1' }] })).toThrow(ValidationError);
  });
});
