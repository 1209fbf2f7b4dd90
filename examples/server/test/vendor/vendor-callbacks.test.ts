import { ValidationError } from '@minicrm/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createVendorSimulator,
  VENDOR_FAILED,
  type VendorSimulator,
} from '../../src/vendor/vendor-simulator.js';
import { type ReceiptSink, startReceiptSink } from './support/receipt-sink.js';
import { sendRequest } from './support/vendor-app.js';

const SECRET = 'callback-secret';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sinkFor(options: { failFirst?: number; failStatus?: number } = {}): Promise<ReceiptSink> {
  const sink = await startReceiptSink({ secret: SECRET, ...options });
  cleanups.push(() => sink.close());
  return sink;
}

function simulatorFor(
  sink: ReceiptSink,
  options: Partial<Parameters<typeof createVendorSimulator>[0]> = {},
): VendorSimulator {
  const simulator = createVendorSimulator({
    receiptUrl: sink.url,
    receiptSecret: SECRET,
    callbackDelayMs: { min: 0, max: 3 },
    retryBaseMs: 5,
    retryMaxMs: 20,
    ...options,
  });
  cleanups.push(() => simulator.close());
  return simulator;
}

async function runKeys(seed: number, keys: number) {
  const sink = await sinkFor();
  const simulator = simulatorFor(sink, { seed, successRate: 0.9, batchSize: 100 });
  for (let i = 0; i < keys; i++) simulator.accept(sendRequest(i));
  await simulator.flush();
  return { sink, simulator };
}

describe('vendor receipt callbacks', () => {
  it('fail at the configured rate, deterministically per seed, with every field a receipt needs', async () => {
    const { sink, simulator } = await runKeys(42, 1000);
    expect(sink.receipts).toHaveLength(1000);
    const failed = sink.receipts.filter((r) => r.status === 'FAILED');
    expect(failed.length / 1000).toBeGreaterThan(0.07);
    expect(failed.length / 1000).toBeLessThan(0.13);
    expect(sink.receipts.filter((r) => r.status === 'DELIVERED')).toHaveLength(1000 - failed.length);
    expect(simulator.stats()).toMatchObject({
      accepted: 1000,
      failed: failed.length,
      delivered: 1000 - failed.length,
      receiptsPosted: 1000,
      receiptsDropped: 0,
      scheduled: 0,
      waiting: 0,
      inFlight: 0,
    });
    expect(new Set(sink.receipts.map((r) => r.id)).size).toBe(1000);
    expect(new Set(sink.receipts.map((r) => r.deliveryId)).size).toBe(1000);
    for (const receipt of sink.receipts) {
      expect(receipt.id).toMatch(/^vr_[0-9a-f]{24}$/);
      expect(receipt.vendorMessageId).toMatch(/^vm_[0-9a-f]{24}$/);
      expect(receipt.deliveryId).toMatch(/^dlv_\d+$/);
      expect(receipt.attempt).toBe(1);
      expect(Number.isNaN(Date.parse(receipt.at))).toBe(false);
      if (receipt.status === 'FAILED') {
        expect(receipt).toMatchObject({ errorCode: VENDOR_FAILED, retryable: true });
      }
    }
    // Batched: at most 100 receipts per post, every post signed and accepted.
    expect(sink.posts.every((p) => p.status === 202 && p.signature === null)).toBe(true);
    expect(sink.posts.length).toBeGreaterThanOrEqual(10);
    for (const post of sink.posts) {
      expect((JSON.parse(post.body) as { receipts: unknown[] }).receipts.length).toBeLessThanOrEqual(100);
    }

    const failedIds = (receipts: typeof sink.receipts) =>
      receipts
        .filter((r) => r.status === 'FAILED')
        .map((r) => r.deliveryId)
        .sort();
    const same = await runKeys(42, 1000);
    expect(failedIds(same.sink.receipts)).toEqual(failedIds(sink.receipts));
    const other = await runKeys(43, 1000);
    expect(failedIds(other.sink.receipts)).not.toEqual(failedIds(sink.receipts));
  });

  it('honours successRate 0 and 1', async () => {
    const sink = await sinkFor();
    const never = simulatorFor(sink, { successRate: 0 });
    const always = simulatorFor(sink, { successRate: 1 });
    for (let i = 0; i < 20; i++) {
      never.accept(sendRequest(i, { idempotencyKey: `never-${i}` }));
      always.accept(sendRequest(i, { idempotencyKey: `always-${i}` }));
    }
    await Promise.all([never.flush(), always.flush()]);
    expect(never.stats()).toMatchObject({ failed: 20, delivered: 0 });
    expect(always.stats()).toMatchObject({ failed: 0, delivered: 20 });
    expect(sink.receipts.filter((r) => r.status === 'FAILED')).toHaveLength(20);
  });

  it('posts on its own after the callback delay, without flush', async () => {
    const sink = await sinkFor();
    const simulator = simulatorFor(sink, { callbackDelayMs: { min: 5, max: 10 }, flushIntervalMs: 5 });
    simulator.accept(sendRequest(1));
    simulator.accept(sendRequest(2));
    expect(simulator.stats().scheduled).toBe(2);
    await expect.poll(() => sink.receipts.length, { timeout: 2000, interval: 5 }).toBe(2);
    expect(simulator.stats()).toMatchObject({ scheduled: 0, receiptsPosted: 2 });
  });

  it('retries a post the webhook answers 500 and delivers each receipt once, with the same ids', async () => {
    const sink = await sinkFor({ failFirst: 3 });
    const simulator = simulatorFor(sink, { batchSize: 10 });
    for (let i = 0; i < 5; i++) simulator.accept(sendRequest(i));
    await simulator.flush();
    expect(sink.posts.map((p) => p.status)).toEqual([500, 500, 500, 202]);
    // Every retry re-posts the same body: same receipts, same ids.
    expect(new Set(sink.posts.map((p) => p.body)).size).toBe(1);
    expect(sink.receipts).toHaveLength(5);
    expect(new Set(sink.receipts.map((r) => r.id)).size).toBe(5);
    expect(simulator.stats()).toMatchObject({
      posts: 4,
      postRetries: 3,
      receiptsPosted: 5,
      receiptsDropped: 0,
    });
  });

  it('gives up after maxPostAttempts and on a permanent 4xx, and counts what it dropped', async () => {
    const down = await sinkFor({ failFirst: 100, failStatus: 503 });
    const exhausted = simulatorFor(down, { maxPostAttempts: 3 });
    exhausted.accept(sendRequest(1));
    await exhausted.flush();
    expect(down.posts.map((p) => p.status)).toEqual([503, 503, 503]);
    expect(exhausted.stats()).toMatchObject({ posts: 3, receiptsPosted: 0, receiptsDropped: 1, waiting: 0 });

    const refusing = await sinkFor({ failFirst: 100, failStatus: 422 });
    const refused = simulatorFor(refusing, { maxPostAttempts: 3 });
    refused.accept(sendRequest(1));
    await refused.flush();
    expect(refusing.posts.map((p) => p.status)).toEqual([422]);
    expect(refused.stats()).toMatchObject({ posts: 1, receiptsDropped: 1 });
  });

  it('signs with the shared secret: a webhook with another secret refuses every post', async () => {
    const sink = await sinkFor();
    const simulator = createVendorSimulator({
      receiptUrl: sink.url,
      receiptSecret: 'not-the-secret',
      callbackDelayMs: { min: 0, max: 0 },
    });
    cleanups.push(() => simulator.close());
    simulator.accept(sendRequest(1));
    await simulator.flush();
    expect(sink.posts.map((p) => [p.status, p.signature])).toEqual([[401, 'mismatch']]);
    expect(sink.receipts).toHaveLength(0);
  });

  it('retries while the webhook is unreachable', async () => {
    const sink = await sinkFor();
    const url = sink.url;
    await sink.close();
    cleanups.pop();
    const simulator = createVendorSimulator({
      receiptUrl: url,
      receiptSecret: SECRET,
      callbackDelayMs: { min: 0, max: 0 },
      maxPostAttempts: 2,
      retryBaseMs: 1,
    });
    cleanups.push(() => simulator.close());
    simulator.accept(sendRequest(1));
    await simulator.flush();
    expect(simulator.stats()).toMatchObject({ posts: 2, postRetries: 1, receiptsDropped: 1 });
  });

  it('forgets idempotency keys past maxKeys and keyTtlMs, keeping the same ids for a key sent again', async () => {
    const sink = await sinkFor();
    let now = Date.now();
    const simulator = simulatorFor(sink, { maxKeys: 10, keyTtlMs: 60_000, now: () => now });
    const first = simulator.accept(sendRequest(0));
    for (let i = 1; i <= 10; i++) simulator.accept(sendRequest(i));
    expect(simulator.stats().rememberedKeys).toBeLessThanOrEqual(10);
    // Key 0 was forgotten (oldest over the bound): accepted again, same deterministic id.
    expect(simulator.accept(sendRequest(0))).toEqual(first);
    expect(simulator.stats()).toMatchObject({ accepted: 12, duplicates: 0 });
    simulator.accept(sendRequest(5));
    expect(simulator.stats().duplicates).toBe(1);
    now += 60_000;
    simulator.accept(sendRequest(5));
    expect(simulator.stats()).toMatchObject({ accepted: 13, duplicates: 1 }); // expired: not a duplicate
    expect(simulator.stats().rememberedKeys).toBeLessThanOrEqual(10);
    await simulator.flush();
    // The webhook sees the re-sent keys' receipts under the same receipt ids, so it dedupes them.
    expect(sink.receipts).toHaveLength(13);
    expect(new Set(sink.receipts.map((r) => r.id)).size).toBe(11);
  });

  it('close() stops every timer, drops unsent callbacks and refuses new messages', async () => {
    const sink = await sinkFor();
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const simulator = createVendorSimulator({
      receiptUrl: sink.url,
      receiptSecret: SECRET,
      callbackDelayMs: { min: 60_000, max: 120_000 },
    });
    for (let i = 0; i < 50; i++) simulator.accept(sendRequest(i));
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeGreaterThanOrEqual(
      timersBefore + 50,
    );
    await simulator.close();
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(
      timersBefore,
    );
    expect(simulator.stats()).toMatchObject({ scheduled: 0, inFlight: 0, receiptsDropped: 50 });
    expect(() => simulator.accept(sendRequest(99))).toThrow(/closed/);
    expect(sink.posts).toHaveLength(0);
  });

  it('close({ flush: true }) posts every pending callback first', async () => {
    const sink = await sinkFor();
    const simulator = createVendorSimulator({
      receiptUrl: sink.url,
      receiptSecret: SECRET,
      callbackDelayMs: { min: 60_000, max: 60_000 },
    });
    for (let i = 0; i < 7; i++) simulator.accept(sendRequest(i));
    await simulator.close({ flush: true });
    expect(sink.receipts).toHaveLength(7);
    expect(simulator.stats()).toMatchObject({ receiptsPosted: 7, receiptsDropped: 0, scheduled: 0 });
  });

  it('refuses bad options, naming each one', () => {
    try {
      createVendorSimulator({
        receiptUrl: 'ftp://example.test/receipts',
        receiptSecret: '',
        successRate: 1.5,
        callbackDelayMs: { min: 10, max: 5 },
        batchSize: 0,
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems.map((p) => p.path[0]).sort()).toEqual([
        'batchSize',
        'callbackDelayMs',
        'receiptSecret',
        'receiptUrl',
        'successRate',
      ]);
    }
  });
});
