/**
 * The vendor simulator as an HTTP service at `/vendor/send`: it accepts messages and later posts a
 * signed receipt callback (`DELIVERED`, or `FAILED` at `1 − SIMULATOR_SUCCESS_RATE`) to this
 * server's `/api/receipts`. With `CHANNEL=http-vendor` the `sms` and `email` channels send to it.
 */
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { vendorRoutes } from '../vendor/vendor-routes.js';
import { createVendorSimulator, type VendorSimulator } from '../vendor/vendor-simulator.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The vendor simulator behind `/vendor/send`. */
    vendor: VendorSimulator;
  }
}

/** Options of {@link vendorPlugin}. */
export interface VendorPluginOptions {
  readonly config: Config;
}

/** Creates the simulator, registers `POST /vendor/send`, and closes it on `onClose`. */
export const vendorPlugin = fp<VendorPluginOptions>(
  async (app, { config }) => {
    const simulator = createVendorSimulator({
      receiptUrl: `${config.publicUrl}/api/receipts`,
      receiptSecret: config.receiptSecret.value,
      successRate: config.channel.successRate,
      callbackDelayMs: config.vendorCallbackDelayMs,
      logger: app.log.child({ component: 'vendor-simulator' }),
    });
    app.decorate('vendor', simulator);
    // onClose hooks run in reverse registration order: the worker (registered later) stops first.
    app.addHook('onClose', async () => {
      await simulator.close();
    });
    await app.register(vendorRoutes, { prefix: '/vendor', simulator });
  },
  { name: 'vendor-simulator', fastify: '5.x' },
);
