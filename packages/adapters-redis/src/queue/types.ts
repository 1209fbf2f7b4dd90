import type { JobQueue, SendJob } from '@minicrm/core';
import type { RedisConnectionOptions } from '../connection.js';
import type { RedisQueueKeys } from './keys.js';

/** Options of {@link createRedisJobQueue}. */
export interface RedisJobQueueOptions extends RedisConnectionOptions {
  /**
   * Queue name; part of every key (`${prefix}:q:{name}:...`, the braces being the Redis Cluster hash
   * tag). Queues with different names are independent.
   * @default 'send'
   */
  readonly name?: string;
  /**
   * Hand-outs a job may have without being acked or released. When the visibility timeout of the
   * last of them expires, the next `reserve` moves the job to the dead-letter stream. Releases do
   * not count.
   * @default 5
   */
  readonly maxDeliveries?: number;
  /**
   * Consumer group name. Every process consuming the queue must use the same one (a second group
   * on the same stream would see every job again).
   * @default 'workers'
   */
  readonly group?: string;
  /**
   * Longest single server-side block of a blocking `reserve`, in ms. Between blocks the queue moves
   * due delayed jobs and reclaims expired ones, so this bounds how late a reclaimed job is picked
   * up by an idle consumer (a due delayed job wakes it on time regardless).
   * @default 500
   */
  readonly blockChunkMs?: number;
  /**
   * Consumer name used when `reserve` is called without `consumer`.
   * @default `${hostname}:${pid}:${random}`
   */
  readonly consumer?: string;
  /**
   * Dead letters kept; older ones are trimmed (`XADD MAXLEN =`). 0 keeps them all.
   * @default 0
   */
  readonly maxDeadLetters?: number;
}

/** A {@link JobQueue} on Redis Streams, with the keys it uses and a `close`. */
export interface RedisJobQueue<P = SendJob> extends JobQueue<P> {
  /** The Redis keys of this queue (for inspection, tests and operations). */
  readonly keys: RedisQueueKeys;
  /** The consumer group name. */
  readonly group: string;
  /**
   * Stops blocked `reserve` calls (they resolve with no jobs), closes the connections the queue
   * opened (its blocking-read connections, and its client if it created it) and removes this
   * queue's consumers that hold no jobs from the group. Never closes a client it was given. Jobs in
   * flight stay in flight: ack or release them before closing, or they come back after their
   * visibility timeout. Idempotent.
   */
  close(): Promise<void>;
}
