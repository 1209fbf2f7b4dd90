/** `POST /api/customers`, `GET /api/customers`, `GET /api/customers/:id`. */
import { NotFoundError } from '@minicrm/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bearerAuth, errorResponses, idParams, pageOf, pageQuery } from '../schemas/common.js';
import { customerInputSchema, customerSchema, oneOrBatch, rejectedItemSchema } from '../schemas/customer.js';
import { itemsOf, refuseIfNothingWritten, rejectedInBody } from './batch.js';
import { searchCustomers } from './customer-search.js';

const upsertResultSchema = z.object({
  created: z.array(z.string()).describe('Ids inserted'),
  updated: z.array(z.string()).describe('Ids that existed and were updated'),
  rejected: z.array(rejectedItemSchema).describe('Items refused, each with its problems'),
});

/** Customer routes. */
export const customerRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/customers',
    {
      schema: {
        tags: ['customers'],
        summary: 'Insert or update customers: one object, or { customers: [...] }',
        description:
          'Each item is validated on its own: the valid ones are written and the invalid ones reported in `rejected` with each problem and its path. When every item is invalid, the answer is 400 and nothing is written.',
        security: bearerAuth,
        body: oneOrBatch('customers', customerInputSchema),
        response: { 200: upsertResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { items, isBatch } = itemsOf(request.body, 'customers');
      const result = await app.crm.customers.upsert(items, { partial: true });
      const total = result.created.length + result.updated.length + result.rejected.length;
      refuseIfNothingWritten('customers', 'customers', isBatch, total, result.rejected);
      return { ...result, rejected: rejectedInBody('customers', isBatch, result.rejected) };
    },
  );

  app.get(
    '/customers',
    {
      schema: {
        tags: ['customers'],
        summary:
          'List customers by id, or search them with q (name, email, phone contain it; id starts with it)',
        security: bearerAuth,
        querystring: pageQuery.extend({ q: z.string().trim().min(1).max(200).optional() }),
        response: { 200: pageOf(customerSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { q, limit, cursor } = request.query;
      if (q !== undefined) return searchCustomers(app.crm, q, { limit, cursor });
      return app.crm.customers.list({ limit, ...(cursor === undefined ? {} : { cursor }) });
    },
  );

  app.get(
    '/customers/:id',
    {
      schema: {
        tags: ['customers'],
        summary: 'One customer with its aggregates',
        security: bearerAuth,
        params: idParams,
        response: { 200: customerSchema, ...errorResponses },
      },
    },
    async (request) => {
      const customer = await app.crm.customers.get(request.params.id);
      if (customer === null) throw new NotFoundError('customer', request.params.id);
      return customer;
    },
  );
};
