/**
 * Prometheus metrics on a registry of the app's own: request latency by route, queue depth by
 * state, and deliveries by status over the most recent campaigns, read at scrape time.
 */
import { DELIVERY_STATUSES } from '@minicrm/core';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's Prometheus registry (served at `/metrics`). */
    metrics: Registry;
  }
}

/** Campaigns whose deliveries the `minicrm_deliveries` gauge sums. */
export const METRICS_CAMPAIGNS = 100;

/** Registers the metrics and the latency hook. */
export const metricsPlugin = fp(
  async (app) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const latency = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, route and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    const queue = app.engine.queue;
    new Gauge({
      name: 'minicrm_queue_jobs',
      help: 'Send jobs in the queue by state (ready, delayed, in_flight, dead)',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const counts = await queue.counts();
        this.set({ state: 'ready' }, counts.ready);
        this.set({ state: 'delayed' }, counts.delayed);
        this.set({ state: 'in_flight' }, counts.inFlight);
        this.set({ state: 'dead' }, counts.dead);
      },
    });
    const crm = app.crm;
    new Gauge({
      name: 'minicrm_deliveries',
      help: `Deliveries by status, over the ${METRICS_CAMPAIGNS} most recent campaigns`,
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const page = await crm.campaigns.list({ limit: METRICS_CAMPAIGNS });
        const totals = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<string, number>;
        for (const campaign of page.items) {
          const stats = await crm.campaigns.stats(campaign.id);
          for (const s of DELIVERY_STATUSES) totals[s] = (totals[s] ?? 0) + stats.byStatus[s];
        }
        for (const s of DELIVERY_STATUSES) this.set({ status: s }, totals[s] ?? 0);
      },
    });
    app.decorate('metrics', registry);
    app.addHook('onResponse', async (request, reply) => {
      latency.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status_code: reply.statusCode,
        },
        reply.elapsedTime / 1000,
      );
    });
  },
  { name: 'metrics', fastify: '5.x', dependencies: ['engine'] },
);
