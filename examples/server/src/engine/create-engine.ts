/**
 * Builds the MiniCRM engine the configuration asks for: the embedded default (memory storage,
 * queue and bus), Redis (queue, bus and storage), MongoDB storage (with the Redis queue and bus when
 * `REDIS_URL` is set too). The engine creates the Redis and MongoDB clients, so it closes them.
 */
import { createMongoStorage } from '@minicrm/adapters-mongo';
import { createRedisEventBus, createRedisJobQueue, createRedisStorage } from '@minicrm/adapters-redis';
import {
  type Channel,
  createMiniCrm,
  DEMO_ATTRIBUTES,
  type EventBus,
  type JobQueue,
  type Logger,
  type MiniCrm,
  type Storage,
} from '@minicrm/core';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import type { Config } from '../config.js';

/** A running engine with its adapters. */
export interface Engine {
  readonly crm: MiniCrm;
  /** The job queue (for queue-depth metrics). */
  readonly queue: JobQueue;
  /** Human description of the adapters, e.g. `MongoDB storage, Redis queue and bus`. */
  readonly description: string;
  /** True when the queue is shared across processes (Redis), so `--worker` processes can help. */
  readonly sharedQueue: boolean;
  /** Checks each backing service answers; resolves with `ok` or the error per service. */
  check(): Promise<Record<string, string>>;
  /** Stops the engine's workers, applies waiting receipts, closes the adapters and the clients. */
  close(): Promise<void>;
}

/** Options of {@link createEngine}. */
export interface EngineOptions {
  readonly config: Config;
  readonly channels: readonly Channel[];
  readonly logger: Logger;
}

/** A backing service could not be reached at start-up. */
export class StartupError extends Error {
  constructor(message: string, cause: unknown) {
    super(`${message}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StartupError';
  }
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

async function ping(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Creates the engine and connects its adapters (MongoDB indexes are ensured). Rejects, closing
 * what it opened, when a backing service cannot be reached.
 */
export async function createEngine({ config, channels, logger }: EngineOptions): Promise<Engine> {
  const closers: (() => Promise<void>)[] = [];
  const checks: Record<string, () => Promise<unknown>> = {};
  let storage: Storage | undefined;
  let queue: JobQueue | undefined;
  let bus: EventBus | undefined;
  const parts: string[] = [];
  try {
    if (config.redis !== null) {
      const redis = new Redis(config.redis.url, { maxRetriesPerRequest: null, lazyConnect: true });
      closers.push(async () => {
        await redis.quit().catch(() => redis.disconnect());
      });
      let lastError: unknown;
      // ioredis reconnects by itself; log its connection errors instead of crashing on them.
      redis.on('error', (error: unknown) => {
        lastError = error;
        logger.warn({ err: error }, 'Redis connection error');
      });
      await redis.connect().catch((error: unknown) => {
        throw new StartupError(
          `cannot reach Redis at ${redact(config.redis?.url ?? '')}`,
          lastError ?? error,
        );
      });
      checks.redis = () => redis.ping();
      const prefix = config.redis.prefix;
      const redisQueue = createRedisJobQueue({ client: redis, prefix });
      const redisBus = createRedisEventBus({ client: redis, prefix });
      closers.unshift(
        () => redisQueue.close(),
        () => redisBus.close(),
      );
      queue = redisQueue;
      bus = redisBus;
      if (config.storage === 'redis') {
        const redisStorage = createRedisStorage({ client: redis, prefix });
        closers.unshift(() => redisStorage.close());
        storage = redisStorage;
        parts.push('Redis storage');
      }
      parts.push('Redis queue and bus');
    }
    if (config.mongo !== null) {
      const mongo = new MongoClient(config.mongo.url, { serverSelectionTimeoutMS: 10_000 });
      closers.push(() => mongo.close());
      await mongo.connect().catch((error: unknown) => {
        throw new StartupError(`cannot reach MongoDB at ${redact(config.mongo?.url ?? '')}`, error);
      });
      const db = mongo.db(config.mongo.db);
      checks.mongo = () => db.command({ ping: 1 });
      const mongoStorage = createMongoStorage({ db });
      await mongoStorage.ensureIndexes();
      storage = mongoStorage;
      parts.unshift('MongoDB storage');
      if (config.redis === null) parts.push('memory queue and bus (single process)');
    }
  } catch (error) {
    for (const close of closers) await close().catch(() => {});
    throw error;
  }
  const crm = createMiniCrm({
    ...(storage === undefined ? {} : { storage }),
    ...(queue === undefined ? {} : { queue }),
    ...(bus === undefined ? {} : { bus }),
    channels,
    attributes: DEMO_ATTRIBUTES,
    retry: config.retry,
    logger,
  });
  if (parts.length === 0) parts.push('memory storage, queue and bus (embedded default)');
  checks.storage = () => crm.customers.size();
  return {
    crm,
    queue: crm.context.queue,
    description: parts.join(', '),
    sharedQueue: config.redis !== null,
    async check() {
      const names = Object.keys(checks);
      const results = await Promise.all(names.map((name) => ping(checks[name] as () => Promise<unknown>)));
      return Object.fromEntries(names.map((name, i) => [name, results[i] as string]));
    },
    async close() {
      await crm.close();
      for (const close of closers) await close();
    },
  };
}
