/**
 * Starts the server: `tsx src/server.ts` runs the API with an in-process worker; `--worker` runs
 * only a worker (several can share one Redis queue). SIGTERM and SIGINT shut down gracefully: stop
 * taking requests, let the worker finish its batch (jobs not taken stay queued), apply waiting
 * receipts, close the adapters and their clients.
 */
import { pino } from 'pino';
import { buildApp } from './app.js';
import { type Config, ConfigError, loadConfig, loopbackHost } from './config.js';
import { createChannels } from './engine/channels.js';
import { createEngine, StartupError } from './engine/create-engine.js';

/** Shuts down once on SIGTERM/SIGINT; a second signal exits at once. */
function onShutdown(logger: pino.Logger, close: () => Promise<void>): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

function warnings(config: Config, logger: pino.Logger): void {
  if (config.jwt.generated)
    logger.warn('JWT_SECRET is unset: tokens are signed with a random key for this process only');
  if (config.receiptSecret.generated) {
    logger.warn(
      'RECEIPT_SECRET is unset: receipt webhooks are verified with a random key for this process only',
    );
  }
  if (config.storage === 'mongo' && config.redis === null) {
    logger.warn('MONGO_URL without REDIS_URL: the queue and bus are in memory, so run a single process');
  }
}

async function runWorker(config: Config, logger: pino.Logger): Promise<void> {
  if (config.redis === null) {
    throw new ConfigError([
      { variable: 'REDIS_URL', message: 'is required with --worker: workers share the queue through Redis' },
    ]);
  }
  const engine = await createEngine({ config, channels: createChannels(config), logger });
  const worker = engine.crm.createWorker({ concurrency: config.workerConcurrency });
  worker.start();
  logger.info({ adapters: engine.description }, 'worker started');
  onShutdown(logger, () => engine.close());
}

function banner(config: Config, devLogin: boolean): string {
  const base = `http://${loopbackHost(config.host)}:${config.port}`;
  const lines = [
    '',
    `  MiniCRM server   ${base}`,
    `  API docs         ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
  ];
  if (devLogin) {
    lines.push(
      '  Dev login        (paste into a shell)',
      `    TOKEN=$(curl -s -X POST ${base}/api/auth/dev-login -H 'content-type: application/json' -d '{"email":"you@example.com"}' | sed -E 's/.*"token":"([^"]+)".*/\\1/')`,
      `    curl -s ${base}/api/segments -H "authorization: Bearer $TOKEN"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel });
  warnings(config, logger);
  if (process.argv.includes('--worker')) return runWorker(config, logger);

  const app = await buildApp(config, { logger });
  onShutdown(logger, () => app.close());
  await app.listen({ port: config.port, host: config.host });
  process.stdout.write(banner(config, config.devLogin));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartupError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
