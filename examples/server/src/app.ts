/**
 * The Fastify app: external plugins (validation, security headers, CORS, rate limits, OpenAPI),
 * then the app's own (errors, engine, auth, metrics, worker, vendor simulator), then the routes.
 * `buildApp` returns it ready but not listening; `server.ts` listens.
 */

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Channel } from '@minicrm/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { aiRoutes } from './ai/ai-routes.js';
import { createAiProvider } from './ai/create-ai-provider.js';
import type { Config } from './config.js';
import { authPlugin } from './plugins/auth.js';
import { dashboardPlugin } from './plugins/dashboard.js';
import { enginePlugin } from './plugins/engine.js';
import { errorsPlugin } from './plugins/errors.js';
import { externalPlugins } from './plugins/external.js';
import { importJobsPlugin } from './plugins/import-jobs.js';
import { metricsPlugin } from './plugins/metrics.js';
import { vendorPlugin } from './plugins/vendor.js';
import { workerPlugin } from './plugins/worker.js';
import { activityRoutes } from './routes/activity.js';
import { authRoutes } from './routes/auth.js';
import { campaignEventRoutes } from './routes/campaign-events.js';
import { campaignRoutes } from './routes/campaigns.js';
import { customerRoutes } from './routes/customers.js';
import { fieldRoutes } from './routes/fields.js';
import { importRoutes } from './routes/imports.js';
import { opsRoutes } from './routes/ops.js';
import { receiptRoutes } from './routes/receipts.js';
import { segmentRoutes } from './routes/segments.js';
import { bearerAuth, errorResponses } from './schemas/common.js';

/** What tests and embedders may change in {@link buildApp}. */
export interface AppOverrides {
  /** A pino logger to use; `false` for none. @default a pino logger at `LOG_LEVEL` */
  readonly logger?: Logger | false;
  /** Channels instead of the configured `sms`/`email` ones. */
  readonly channels?: readonly Channel[];
  /** Run a worker in this process. @default true */
  readonly worker?: boolean;
  /** Worker tuning (batch size, poll interval, …). */
  readonly workerOptions?: Parameters<typeof workerPlugin>[1];
  /** HTTP client of the AI provider. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Called for every route as it is registered (e.g. to check the OpenAPI document lists them all). */
  readonly onRoute?: (route: RouteOptions) => void;
}

/** Where the dashboard's build is looked for when `DASHBOARD_DIR` is unset. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/dist', import.meta.url));

/** The app's instance type: Fastify with the zod type provider. */
export type App = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/**
 * Builds the app (not listening). Close it with `app.close()`: that ends live streams, stops the
 * worker, closes the engine's adapters and the Redis/MongoDB clients it created.
 *
 * @example
 * const app = await buildApp(loadConfig());
 * await app.listen({ port: 3000 });
 */
export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const app = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    ...(overrides.logger === undefined
      ? { logger: { level: config.logLevel } }
      : overrides.logger === false
        ? { logger: false }
        : { loggerInstance: overrides.logger as FastifyBaseLogger }),
    bodyLimit: config.bodyLimit,
    // Connecting to MongoDB (10 s server selection) and seeding demo data may take a while.
    pluginTimeout: 300_000,
    connectionTimeout: 60_000,
    requestTimeout: 120_000,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    trustProxy: config.trustProxy,
  }).withTypeProvider<ZodTypeProvider>();

  if (overrides.onRoute) app.addHook('onRoute', overrides.onRoute);

  // 1. External plugins.
  await app.register(externalPlugins, { config });

  // 2. The app's own plugins. On close their onClose hooks run in reverse order: the worker stops
  //    first, then the vendor simulator and import jobs, and the engine closes its adapters last.
  await app.register(errorsPlugin);
  await app.register(enginePlugin, {
    config,
    ...(overrides.channels ? { channels: overrides.channels } : {}),
  });
  await app.register(authPlugin, { config });
  await app.register(metricsPlugin);
  await app.register(importJobsPlugin);
  await app.register(vendorPlugin, { config });
  if (overrides.worker ?? true) {
    await app.register(workerPlugin, { concurrency: config.workerConcurrency, ...overrides.workerOptions });
  }

  // 3. Routes.
  await app.register(opsRoutes);
  await app.register(authRoutes, { prefix: '/api/auth', config });
  await app.register(receiptRoutes, { prefix: '/api', config });
  await app.register(
    async (api) => {
      api.addHook('onRequest', api.authenticate);
      await api.register(fieldRoutes);
      await api.register(customerRoutes);
      await api.register(importRoutes, { config });
      await api.register(activityRoutes);
      await api.register(segmentRoutes);
      await api.register(campaignRoutes);
      await api.register(campaignEventRoutes);
      await api.register(async (ai) => {
        // The AI routes declare their body and answer; this scope adds the auth and error documentation.
        ai.addHook('onRoute', (route) => {
          route.schema = {
            security: bearerAuth,
            ...route.schema,
            response: { ...errorResponses, ...(route.schema?.response as object | undefined) },
          };
        });
        await ai.register(aiRoutes, {
          prefix: '/ai',
          provider: createAiProvider({
            ...config.ai,
            catalog: app.crm.catalog,
            ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
          }),
        });
      });
    },
    { prefix: '/api' },
  );
  await app.register(dashboardPlugin, { root: config.dashboardDir ?? DEFAULT_DASHBOARD_DIR });

  await app.ready();
  return app;
}
