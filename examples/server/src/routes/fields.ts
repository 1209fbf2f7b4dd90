/** `GET /api/fields`: the field catalog rule builders render. */

import { OPERATORS, type Operator } from '@minicrm/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bearerAuth, errorResponses } from '../schemas/common.js';

const fieldSchema = z
  .object({
    name: z.string().describe('`totalSpend`, `attributes.city`, …'),
    label: z.string(),
    type: z.enum(['string', 'number', 'boolean', 'date', 'enum', 'tags']),
    operators: z.array(z.enum(OPERATORS as [Operator, ...Operator[]])).readonly(),
    options: z
      .array(z.object({ value: z.string(), label: z.string() }))
      .readonly()
      .optional(),
    description: z.string().optional(),
    builtIn: z.boolean(),
  })
  .meta({ id: 'Field' });

/** The field catalog. */
export const fieldRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/fields',
    {
      schema: {
        tags: ['segments'],
        summary: 'Every field a segment rule may use, with its type and allowed operators',
        security: bearerAuth,
        response: { 200: z.object({ fields: z.array(fieldSchema) }), ...errorResponses },
      },
    },
    async () => ({ fields: [...app.crm.catalog.fields] }),
  );
};
