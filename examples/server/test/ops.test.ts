import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import type {} from '../../../packages/adapters-redis/test/support/global-setup.js';
import { waitFinished } from './campaign-flow.js';
import { build } from './helper.js';

const redisUrl = inject('redisUrl');

describe('health, readiness and metrics', () => {
  it('answers /health and /ready without a token', async () => {
    const server = await build();
    expect((await server.request('GET', '/health', { token: null })).body).toEqual({ status: 'ok' });
    const ready = await server.request('GET', '/ready', { token: null });
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ready',
      adapters: 'memory storage, queue and bus (embedded default)',
      checks: { storage: 'ok' },
    });
  });

  it.skipIf(redisUrl === '')('checks Redis on /ready, and answers 503 once it is unreachable', async () => {
    const server = await build({ REDIS_URL: redisUrl, REDIS_PREFIX: `ops-${randomUUID().slice(0, 8)}` });
    const ready = await server.request('GET', '/ready', { token: null });
    expect(ready.body).toMatchObject({
      status: 'ready',
      adapters: 'Redis storage, Redis queue and bus',
      checks: { redis: 'ok', storage: 'ok' },
    });
    // Close the engine's Redis client under the app: the next check fails.
    await server.app.engine.close();
    const down = await server.request('GET', '/ready', { token: null });
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('unavailable');
    expect(down.body.checks.redis).not.toBe('ok');
  });

  it('serves Prometheus metrics: request latency, queue depth, deliveries by status', async () => {
    const server = await build({ SIMULATOR_SUCCESS_RATE: '1' });
    await server.request('POST', '/api/customers', {
      body: {
        customers: [
          { id: 'c1', name: 'Asha', phone: '+919800000001' },
          { id: 'c2', name: 'Ravi' },
        ],
      },
    });
    const campaign = await server.request('POST', '/api/campaigns', {
      body: {
        name: 'M',
        channel: 'sms',
        template: 'Hi',
        rules: { combinator: 'and', rules: [{ field: 'visits', operator: '>=', value: 0 }] },
      },
    });
    await server.request('POST', `/api/campaigns/${campaign.body.id}/launch`);
    await waitFinished(server, campaign.body.id);
    const metrics = await server.request<string>('GET', '/metrics', { token: null });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = metrics.body;
    expect(text).toMatch(/^minicrm_deliveries\{status="delivered"\} 1$/m);
    expect(text).toMatch(/^minicrm_deliveries\{status="skipped"\} 1$/m);
    expect(text).toMatch(/^minicrm_queue_jobs\{state="ready"\} 0$/m);
    expect(text).toMatch(/^minicrm_queue_jobs\{state="dead"\} 0$/m);
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{method="POST",route="\/api\/campaigns\/:id\/launch",status_code="200"\} 1$/m,
    );
    expect(text).toMatch(/^process_cpu_seconds_total /m);
  });
});
