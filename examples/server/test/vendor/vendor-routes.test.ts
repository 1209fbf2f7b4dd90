import { afterEach, describe, expect, it } from 'vitest';
import { createVendorSimulator, type VendorSimulator } from '../../src/vendor/vendor-simulator.js';
import { type ReceiptSink, startReceiptSink } from './support/receipt-sink.js';
import { sendRequest, startVendorApp, type VendorApp } from './support/vendor-app.js';

const SECRET = 'test-receipt-secret';

let sink: ReceiptSink;
let simulator: VendorSimulator;
let vendor: VendorApp;

async function start() {
  sink = await startReceiptSink({ secret: SECRET });
  simulator = createVendorSimulator({
    receiptUrl: sink.url,
    receiptSecret: SECRET,
    callbackDelayMs: { min: 1, max: 5 },
  });
  vendor = await startVendorApp(simulator);
}

afterEach(async () => {
  await vendor.app.close();
  await simulator.close();
  await sink.close();
});

function post(body: string | object, headers: Record<string, string> = {}) {
  return fetch(vendor.sendUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST /vendor/send', () => {
  it('accepts a message with 202 and a vendor message id, then posts its receipt', async () => {
    await start();
    const response = await post(sendRequest(1));
    expect(response.status).toBe(202);
    const body = (await response.json()) as { vendorMessageId: string; status: string };
    expect(body).toEqual({ vendorMessageId: expect.stringMatching(/^vm_[0-9a-f]{24}$/), status: 'accepted' });
    await simulator.flush();
    expect(sink.receipts).toHaveLength(1);
    expect(sink.receipts[0]).toMatchObject({
      deliveryId: 'dlv_1',
      attempt: 1,
      vendorMessageId: body.vendorMessageId,
    });
  });

  it('answers a repeated idempotency key with the same id and posts exactly one callback', async () => {
    await start();
    const answers = await Promise.all([1, 2, 3].map(() => post(sendRequest(7)).then((r) => r.json())));
    const again = (await (await post(sendRequest(7))).json()) as { vendorMessageId: string };
    expect(
      new Set([
        ...answers.map((a) => (a as { vendorMessageId: string }).vendorMessageId),
        again.vendorMessageId,
      ]).size,
    ).toBe(1);
    await simulator.flush();
    // Wait longer than any callback delay: nothing more arrives.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sink.receipts).toHaveLength(1);
    expect(simulator.stats()).toMatchObject({ accepted: 1, duplicates: 3 });
  });

  it.each([
    [
      'a missing field',
      (() => {
        const { deliveryId: _omitted, ...rest } = sendRequest(2);
        return rest;
      })(),
    ],
    ['a wrong type', sendRequest(2, { attempt: '1' })],
    ['a non-integer attempt', sendRequest(2, { attempt: 1.5 })],
    ['an empty address', sendRequest(2, { to: '' })],
    ['an unknown key', sendRequest(2, { priority: 'high' })],
    ['an array body', [sendRequest(2)]],
    ['malformed JSON', '{"to": "+15550100", '],
  ])('refuses %s with 400 and accepts nothing', async (_name, body) => {
    await start();
    const response = await post(body as string | object);
    expect(response.status).toBe(400);
    await simulator.flush();
    expect(simulator.stats()).toMatchObject({ accepted: 0, duplicates: 0, scheduled: 0 });
    expect(sink.posts).toHaveLength(0);
  });

  it('refuses a body that is not JSON with 415', async () => {
    await start();
    const response = await post('to=%2B1555', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(415);
    expect(simulator.stats().accepted).toBe(0);
  });
});
