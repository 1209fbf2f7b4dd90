import type { Channel } from '../ports/channel.js';
import type { Clock } from '../ports/clock.js';
import type { EventBus } from '../ports/event-bus.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { Storage } from '../ports/storage.js';
import type { RetryPolicy } from '../retry/retry-policy.js';
import type { FieldCatalog } from '../segment/catalog.js';

/** A minimal structured logger (pino-compatible). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Everything the engine's services share. Built once by `createMiniCrm`. */
export interface EngineContext {
  readonly storage: Storage;
  readonly queue: JobQueue;
  readonly bus: EventBus;
  readonly channels: ReadonlyMap<string, Channel>;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly catalog: FieldCatalog;
  readonly currency: { readonly code: string; readonly exponent: number };
  /** The engine-wide retry policy; a campaign's own settings override it. */
  readonly retry: RetryPolicy;
  /** Random source for backoff jitter. */
  readonly random: () => number;
  readonly logger: Logger;
  /** Audience batch size of a launch. */
  readonly launchBatchSize: number;
  /** How long a launcher holds a launch before another process may resume it (ms). */
  readonly launchLeaseMs: number;
  /** Publish one `delivery.updated` event per delivery change. */
  readonly deliveryEvents: boolean;
}
