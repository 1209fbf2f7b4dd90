import type { Clock } from '../ports/clock.js';
import type { EventBus } from '../ports/event-bus.js';
import type { JobQueue, SendJob } from '../ports/job-queue.js';
import type { Storage } from '../ports/storage.js';

/**
 * Raw reads of what an adapter stored, bypassing the adapter's own read methods (a raw `HGETALL` for
 * Redis, a raw `findOne` for MongoDB, the internal map for memory), so a broken write cannot hide
 * behind a matching broken read.
 *
 * Each method returns `null` when nothing is stored under the id, otherwise a plain object with at
 * least the fields listed below, named as in the domain types. Return numbers as `number` and times
 * as `Date` (the suite also tolerates numeric strings, epoch milliseconds and ISO strings, so a thin
 * decoding of the raw record is enough; it ignores every field it does not list).
 */
export interface StorageBackdoor {
  /** Fields checked: `id`, `name`, `totalSpendMinor`, `orderCount`, `visits`, `lastVisitAt`, `createdAt`. */
  customer(id: string): Promise<unknown | null>;
  /** Fields checked: `id`, `campaignId`, `status`, `round`, `attempts`, `totalAttempts`, `message`. */
  delivery(id: string): Promise<unknown | null>;
  /** Fields checked: `id`, `name`, `state`, `version`. */
  campaign(id: string): Promise<unknown | null>;
}

/** Groups or checks of the storage suite an adapter may legitimately leave out. */
export interface StorageConformanceSkip {
  readonly customers?: boolean;
  readonly activity?: boolean;
  readonly segments?: boolean;
  readonly campaigns?: boolean;
  readonly deliveries?: boolean;
  readonly receipts?: boolean;
  /**
   * `customers.query` / `count` checks. They run only when the adapter implements them; set this to
   * skip them anyway.
   */
  readonly query?: boolean;
  /** The check that two transitions of one delivery in one `transitionMany` call apply in order. */
  readonly sequentialTransitions?: boolean;
}

/** Options of the storage suite and of each of its groups. */
export interface StorageConformanceOptions {
  /** Suite name shown by the test runner. @default 'storage' */
  readonly name?: string;
  /** Makes a fresh, empty storage. Called before every test. */
  readonly createStorage: () => Promise<Storage> | Storage;
  /** Called after every test (close clients, drop the database). */
  readonly teardown?: () => Promise<void> | void;
  /**
   * Raw reads of stored records, or a function from the storage under test to them. Without it the
   * suite checks writes through the adapter's own reads only.
   */
  readonly backdoor?: StorageBackdoor | ((storage: Storage) => StorageBackdoor);
  /** Legitimate differences. */
  readonly skip?: StorageConformanceSkip;
  /** Orders in the float-drift check (amounts like 0.10 and 0.07 must sum exactly). @default 4000 */
  readonly driftOrders?: number;
}

/** What the queue suite hands to {@link JobQueueConformanceOptions.createQueue}. */
export interface QueueFactoryOptions {
  /**
   * The clock to measure delays and visibility timeouts with: a `ManualClock` the suite advances, or
   * the system clock when `realTimers` is set (adapters that cannot use an injected clock may ignore it
   * then).
   */
  readonly clock: Clock;
  /** Hand-outs (that time out) before a job is dead-lettered. */
  readonly maxDeliveries: number;
}

/** Options of {@link jobQueueConformance}. */
export interface JobQueueConformanceOptions {
  /** Suite name. @default 'job queue' */
  readonly name?: string;
  /** Makes a fresh, empty queue for one test. */
  readonly createQueue: (options: QueueFactoryOptions) => Promise<JobQueue<SendJob>> | JobQueue<SendJob>;
  /** Called after every test. */
  readonly teardown?: () => Promise<void> | void;
  /**
   * Use the system clock and real waits (of a few `unitMs`) instead of a manual clock, for queues
   * whose time comes from a server (Redis). @default false
   */
  readonly realTimers?: boolean;
  /** With `realTimers`: the time unit delays and timeouts are multiples of, in ms. @default 50 */
  readonly unitMs?: number;
  /** Legitimate differences. */
  readonly skip?: {
    /** Checks that a blocking `reserve` wakes early (on enqueue, on a due delay). */
    readonly blockingWake?: boolean;
  };
}

/** Options of {@link eventBusConformance}. */
export interface EventBusConformanceOptions {
  /** Suite name. @default 'event bus' */
  readonly name?: string;
  /** Makes a fresh bus for one test (for a shared bus: on a fresh channel prefix). */
  readonly createBus: () => Promise<EventBus> | EventBus;
  /** Called after every test. */
  readonly teardown?: () => Promise<void> | void;
  /** How long to wait before concluding an event was not delivered, in ms. @default 30 */
  readonly settleMs?: number;
}
