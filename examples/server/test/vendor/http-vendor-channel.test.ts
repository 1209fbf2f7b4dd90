import { type OutboundMessage, ValidationError } from '@minicrm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpVendorChannel } from '../../src/vendor/http-vendor-channel.js';
import { parseRetryAfter } from '../../src/vendor/retry-after.js';
import { createVendorSimulator } from '../../src/vendor/vendor-simulator.js';
import { startReceiptSink } from './support/receipt-sink.js';
import { closedPortUrl, type ScriptedServer, startScriptedServer } from './support/scripted-server.js';
import { startVendorApp } from './support/vendor-app.js';

const message: OutboundMessage = {
  deliveryId: 'dlv_1',
  campaignId: 'cmp_1',
  customerId: 'c1',
  to: '+15550100001',
  body: 'Hi Ada, 10% off today',
};
const context = { idempotencyKey: 'dlv_1:r1:a1', attempt: 1 };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function scripted(answer: Parameters<typeof startScriptedServer>[0]): Promise<ScriptedServer> {
  const server = await startScriptedServer(answer);
  cleanups.push(() => server.close());
  return server;
}

describe('createHttpVendorChannel', () => {
  it('sends through the vendor routes and reports outcomes later', async () => {
    const sink = await startReceiptSink({ secret: 's' });
    const simulator = createVendorSimulator({ receiptUrl: sink.url, receiptSecret: 's' });
    const vendor = await startVendorApp(simulator);
    cleanups.push(
      () => sink.close(),
      () => simulator.close(),
      () => vendor.app.close(),
    );

    const channel = createHttpVendorChannel({ name: 'sms', url: vendor.sendUrl });
    expect(channel).toMatchObject({ name: 'sms', reportsOutcomes: true });
    const result = await channel.send(message, context);
    expect(result).toEqual({ status: 'accepted', vendorMessageId: expect.stringMatching(/^vm_/) });
    expect(await channel.send(message, context)).toEqual(result);
    await simulator.flush();
    expect(sink.receipts).toEqual([
      expect.objectContaining({
        deliveryId: 'dlv_1',
        attempt: 1,
        vendorMessageId: (result as { vendorMessageId: string }).vendorMessageId,
      }),
    ]);
  });

  it('posts the vendor request as JSON with an Idempotency-Key header', async () => {
    const server = await scripted((_request, response) => {
      response.writeHead(202, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ vendorMessageId: 'v-1', status: 'accepted' }));
    });
    const channel = createHttpVendorChannel({ name: 'sms', url: `${server.url}/vendor/send` });
    expect(await channel.send(message, { idempotencyKey: 'k-7', attempt: 2 })).toEqual({
      status: 'accepted',
      vendorMessageId: 'v-1',
    });
    const [seen] = server.requests;
    expect(seen).toMatchObject({ method: 'POST', url: '/vendor/send' });
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers['idempotency-key']).toBe('k-7');
    expect(JSON.parse(seen?.body ?? '')).toEqual({ ...message, attempt: 2, idempotencyKey: 'k-7' });
  });

  it('counts a 2xx with an unreadable body as accepted, without a vendor message id', async () => {
    const server = await scripted((_request, response) => response.writeHead(200).end('OK'));
    const channel = createHttpVendorChannel({ name: 'sms', url: server.url });
    expect(await channel.send(message, context)).toEqual({ status: 'accepted' });
  });

  it('maps 429 with Retry-After to a retryable rejection that waits', async () => {
    const server = await scripted((_request, response) =>
      response.writeHead(429, { 'retry-after': '7' }).end('slow down'),
    );
    const channel = createHttpVendorChannel({ name: 'sms', url: server.url });
    expect(await channel.send(message, context)).toEqual({
      status: 'rejected',
      retryable: true,
      errorCode: 'VENDOR_RATE_LIMITED',
      error: 'vendor answered HTTP 429: slow down',
      retryAfterMs: 7000,
    });
  });

  it('maps 5xx to a retryable rejection', async () => {
    const server = await scripted((_request, response) =>
      response.writeHead(500).end(`boom ${'x'.repeat(500)}`),
    );
    const channel = createHttpVendorChannel({ name: 'sms', url: server.url });
    const result = await channel.send(message, context);
    expect(result).toMatchObject({ status: 'rejected', retryable: true, errorCode: 'VENDOR_UNAVAILABLE' });
    expect(result).not.toHaveProperty('retryAfterMs');
    // The vendor's body is quoted only as a short excerpt.
    expect((result as { error: string }).error.length).toBeLessThan(260);
  });

  it('maps other 4xx to a rejection that is not retried', async () => {
    const server = await scripted((_request, response) =>
      response.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"invalid number"}'),
    );
    const channel = createHttpVendorChannel({ name: 'sms', url: server.url });
    expect(await channel.send(message, context)).toEqual({
      status: 'rejected',
      retryable: false,
      errorCode: 'VENDOR_REJECTED',
      error: 'vendor answered HTTP 400: {"message":"invalid number"}',
    });
  });

  it('times out on a vendor that never answers', async () => {
    const server = await scripted(() => {
      // never answers
    });
    const channel = createHttpVendorChannel({ name: 'sms', url: server.url, timeoutMs: 100 });
    const started = Date.now();
    expect(await channel.send(message, context)).toEqual({
      status: 'rejected',
      retryable: true,
      errorCode: 'VENDOR_TIMEOUT',
      error: 'vendor did not answer within 100 ms',
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('maps a refused connection to a retryable rejection', async () => {
    const channel = createHttpVendorChannel({ name: 'sms', url: await closedPortUrl() });
    const result = await channel.send(message, context);
    expect(result).toMatchObject({ status: 'rejected', retryable: true, errorCode: 'VENDOR_UNREACHABLE' });
    expect((result as { error: string }).error).toMatch(/ECONNREFUSED/);
  });

  it('refuses bad options at creation, naming each one', () => {
    const error = (() => {
      try {
        createHttpVendorChannel({ name: ' ', url: 'not a url', timeoutMs: 0 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((p) => p.path.join('.')).sort()).toEqual([
      'name',
      'timeoutMs',
      'url',
    ]);
    expect(() => createHttpVendorChannel({ name: 'sms', url: 'file:///etc/passwd' })).toThrow(
      /must be an http/,
    );
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
