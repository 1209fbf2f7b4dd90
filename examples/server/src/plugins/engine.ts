/**
 * The MiniCRM engine as the `crm` decorator (and `engine`, with its adapters), created from the
 * configuration, seeded with demo data when asked, and closed with the app.
 */
import type { Channel, MiniCrm } from '@minicrm/core';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { createChannels } from '../engine/channels.js';
import { createEngine, type Engine } from '../engine/create-engine.js';
import { seedDemoData } from '../engine/seed.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The MiniCRM engine: customers, segments, campaigns, receipts. */
    crm: MiniCrm;
    /** The engine with its adapters: readiness checks, queue, close. */
    engine: Engine;
  }
}

/** Options of {@link enginePlugin}. */
export interface EnginePluginOptions {
  readonly config: Config;
  /** Channels to use instead of the configured ones (tests, custom vendors). */
  readonly channels?: readonly Channel[];
}

/** Creates the engine, decorates `crm` and `engine`, and closes them on `onClose`. */
export const enginePlugin = fp<EnginePluginOptions>(
  async (app, { config, channels }) => {
    const engine = await createEngine({
      config,
      channels: channels ?? createChannels(config),
      logger: app.log.child({ component: 'minicrm' }),
    });
    app.decorate('engine', engine);
    app.decorate('crm', engine.crm);
    app.addHook('onClose', async () => {
      await engine.close();
    });
    app.log.info({ adapters: engine.description }, 'engine ready');
    if (config.seedDemoData) {
      const seeded = await seedDemoData(engine.crm, config.demoCustomers);
      app.log.info(seeded, 'demo data seeded');
    }
  },
  { name: 'engine', fastify: '5.x' },
);
