/**
 * `POST /send`: the vendor simulator over HTTP. Registered by the app under the `/vendor` prefix.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { vendorSendRequestSchema, vendorSendResponseSchema } from './vendor-schemas.js';
import type { VendorSimulator } from './vendor-simulator.js';

/** Options of {@link vendorRoutes}. */
export interface VendorRoutesOptions {
  /** The simulator that takes the messages and posts their receipt callbacks. */
  readonly simulator: VendorSimulator;
}

/**
 * Fastify plugin of the vendor simulator's HTTP API. It needs the zod validator and serializer
 * compilers of `fastify-type-provider-zod` on the app.
 *
 * The simulator signs a receipt for whatever `deliveryId` it is sent, so anyone who can reach this
 * route can settle any delivery: serve it only in demo and test setups, or behind authentication.
 *
 * @example
 * app.register(vendorRoutes, { prefix: '/vendor', simulator });
 */
export const vendorRoutes: FastifyPluginAsyncZod<VendorRoutesOptions> = async (app, options) => {
  const { simulator } = options;
  app.post(
    '/send',
    {
      schema: {
        tags: ['vendor'],
        summary: 'Send a message through the simulated vendor',
        description:
          'Takes a message and answers 202 at once; the outcome arrives later as a signed receipt ' +
          'callback (`DELIVERED`, or `FAILED` at the configured failure rate) to the receipt webhook. ' +
          'A repeated `idempotencyKey` returns the first answer and schedules no second callback.',
        body: vendorSendRequestSchema,
        response: { 202: vendorSendResponseSchema },
      },
    },
    async (request, reply) => {
      const result = simulator.accept(request.body);
      return reply.code(202).send(result);
    },
  );
};
