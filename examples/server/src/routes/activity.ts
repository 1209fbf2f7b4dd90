/** `POST /api/orders` and `POST /api/events`: idempotent by id, per-item errors reported. */
import type { ActivityIngestResult } from '@minicrm/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bearerAuth, errorResponses } from '../schemas/common.js';
import { eventInputSchema, oneOrBatch, orderInputSchema, rejectedItemSchema } from '../schemas/customer.js';
import { itemsOf, refuseIfNothingWritten, rejectedInBody } from './batch.js';

const ingestResultSchema = z.object({
  applied: z.array(z.string()).describe('Ids recorded now'),
  duplicates: z.array(z.string()).describe('Ids recorded before: nothing changed'),
  rejected: z.array(rejectedItemSchema),
});

function answer(key: string, isBatch: boolean, result: ActivityIngestResult) {
  const total = result.applied.length + result.duplicates.length + result.rejected.length;
  refuseIfNothingWritten(key, key, isBatch, total, result.rejected);
  return { ...result, rejected: rejectedInBody(key, isBatch, result.rejected) };
}

/** Order and event ingestion. */
export const activityRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/orders',
    {
      schema: {
        tags: ['customers'],
        summary: 'Record orders: one object, or { orders: [...] }. Idempotent by order id',
        description:
          "Moves the customer's spend aggregates exactly once per order id. Invalid items (or orders for unknown customers) are reported in `rejected`; when every item is invalid the answer is 400.",
        security: bearerAuth,
        body: oneOrBatch('orders', orderInputSchema),
        response: { 200: ingestResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { items, isBatch } = itemsOf(request.body, 'orders');
      return answer('orders', isBatch, await app.crm.customers.addOrders(items, { partial: true }));
    },
  );

  app.post(
    '/events',
    {
      schema: {
        tags: ['customers'],
        summary: 'Record events such as visits: one object, or { events: [...] }. Idempotent by event id',
        security: bearerAuth,
        body: oneOrBatch('events', eventInputSchema),
        response: { 200: ingestResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { items, isBatch } = itemsOf(request.body, 'events');
      return answer('events', isBatch, await app.crm.customers.addEvents(items, { partial: true }));
    },
  );
};
