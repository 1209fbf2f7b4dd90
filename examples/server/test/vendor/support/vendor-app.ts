import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { vendorRoutes } from '../../../src/vendor/vendor-routes.js';
import type { VendorSimulator } from '../../../src/vendor/vendor-simulator.js';

/** A Fastify app serving the vendor routes under `/vendor`, listening on loopback. */
export interface VendorApp {
  readonly app: FastifyInstance;
  /** `http://127.0.0.1:<port>/vendor/send` */
  readonly sendUrl: string;
}

/** Starts the vendor routes on 127.0.0.1 and a free port. */
export async function startVendorApp(simulator: VendorSimulator): Promise<VendorApp> {
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(vendorRoutes, { prefix: '/vendor', simulator });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, sendUrl: `${address}/vendor/send` };
}

/** A valid send request; `overrides` replace fields. */
export function sendRequest(index: number, overrides: Record<string, unknown> = {}) {
  return {
    to: `+1555010${String(index).padStart(4, '0')}`,
    body: `Hello customer ${index}`,
    deliveryId: `dlv_${index}`,
    campaignId: 'cmp_1',
    customerId: `c${index}`,
    attempt: 1,
    idempotencyKey: `dlv_${index}:r1:a1`,
    ...overrides,
  };
}
