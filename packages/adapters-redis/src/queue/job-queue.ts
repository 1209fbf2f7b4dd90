import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type {
  DeadLetter,
  EnqueueRequest,
  QueueCounts,
  ReservedJob,
  ReserveOptions,
  SendJob,
} from '@minicrm/core';
import { decodeJson, encodeJson } from '../bus/codec.js';
import { releaseClient, resolveClient } from '../connection.js';
import { queueKeys } from './keys.js';
import {
  ackScript,
  countsScript,
  dropIdleConsumersScript,
  enqueueScript,
  ensureGroupScript,
  releaseScript,
  reserveScript,
} from './lua.js';
import { isAborted, StreamWaiter } from './stream-waiter.js';
import { formatToken, parseToken } from './token.js';
import type { RedisJobQueue, RedisJobQueueOptions } from './types.js';

/** Jobs per enqueue / ack script call; bigger batches are split and pipelined. */
const BATCH = 1000;
/** Due delayed jobs moved to the stream per reserve. */
const MOVE_LIMIT = 1000;
/**
 * PEL idle time at which a hand-out is reclaimed. Each hand-out's idle time is set to this minus its
 * visibility timeout (see `reserveScript`), so it is due exactly when its own timeout expires.
 */
const RECLAIM_AFTER_MS = 1_000_000_000_000;

/** A stream entry as Redis returns it: `[entryId, [field, value, ...]]`. */
type RawEntry = [id: string, fields: string[]];

/**
 * A durable {@link JobQueue} on Redis Streams with a consumer group: several processes on any
 * number of machines share one queue and each job goes to one consumer at a time.
 *
 * - `enqueue` is idempotent by job id while the job exists (ready, delayed or in flight), in one Lua
 *   call per 1000 jobs; delayed jobs wait in a sorted set and move to the stream atomically when due.
 * - `reserve` moves due jobs, reclaims (`XAUTOCLAIM`) jobs whose hand-out is older than this call's
 *   `visibilityTimeoutMs` (dead-lettering those handed out `maxDeliveries` times), then reads new
 *   ones: one round trip. When there is nothing, it blocks (`XREADGROUP BLOCK`, on a connection of
 *   its own) in chunks of at most `blockChunkMs`, until `blockMs` passes or `signal` aborts.
 * - `ack` (one round trip per batch) and `release` ignore stale tokens; a release re-adds the job
 *   with its delivery count restarting, so releases never lead to the dead letters.
 *
 * Time (delays, visibility) is Redis server time, so consumers' clocks need not agree. Every consumer
 * should reserve with the same `visibilityTimeoutMs`: a job is reclaimed by whoever finds it idle
 * longer than their own timeout.
 *
 * @example
 * const queue = createRedisJobQueue({ client: new Redis(process.env.REDIS_URL), prefix: 'crm' });
 * await queue.enqueue([{ id: 'job-1', payload: { kind: 'send', deliveryId: 'd1', round: 1, attempt: 1 } }]);
 * const jobs = await queue.reserve({ max: 100, visibilityTimeoutMs: 30_000, blockMs: 1000 });
 * await queue.ack(jobs);
 * await queue.close();
 */
export function createRedisJobQueue<P = SendJob>(options: RedisJobQueueOptions = {}): RedisJobQueue<P> {
  const owned = resolveClient(options);
  const { client } = owned;
  const keys = queueKeys(owned.prefix, options.name ?? 'send');
  const group = options.group ?? 'workers';
  const maxDeliveries = Math.max(1, Math.floor(options.maxDeliveries ?? 5));
  const blockChunkMs = Math.max(1, options.blockChunkMs ?? 500);
  const maxDeadLetters = Math.max(0, Math.floor(options.maxDeadLetters ?? 0));
  const defaultConsumer =
    options.consumer ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const waiter = new StreamWaiter(client);
  const consumers = new Set<string>();
  let closing: Promise<void> | null = null;

  function assertOpen(): void {
    if (closing !== null) throw new Error(`the Redis job queue "${keys.stream}" is closed`);
  }

  /** Runs `op`; if the group vanished (keys deleted), recreates it and runs `op` once more. */
  async function withGroup<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOGROUP')) throw error;
      await ensureGroupScript.run(client, [keys.stream], [group]);
      return op();
    }
  }

  /** Runs `op`, ignoring a missing group: no hand-out of a vanished group can be current. */
  async function unlessNoGroup(op: () => Promise<unknown>): Promise<void> {
    try {
      await op();
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOGROUP')) throw error;
    }
  }

  function toJob(entryId: string, jobId: string, payload: string, deliveries: number): ReservedJob<P> {
    return Object.freeze({
      id: jobId,
      payload: decodeJson<P>(payload),
      deliveryCount: deliveries,
      token: formatToken(entryId, deliveries),
    });
  }

  /** One reserve script call: the jobs handed out, and how long until a delayed job falls due. */
  async function takeNow(
    consumer: string,
    max: number,
    visibilityTimeoutMs: number,
  ): Promise<{ jobs: ReservedJob<P>[]; waitHintMs: number; lastId: string }> {
    const reply = (await withGroup(() =>
      reserveScript.run(
        client,
        [keys.stream, keys.delayed, keys.jobs, keys.dead, keys.claimCursor],
        [
          group,
          consumer,
          max,
          Math.max(0, Math.floor(visibilityTimeoutMs)),
          maxDeliveries,
          MOVE_LIMIT,
          maxDeadLetters,
          RECLAIM_AFTER_MS,
        ],
      ),
    )) as (string | number)[];
    const jobs: ReservedJob<P>[] = [];
    for (let i = 2; i + 3 < reply.length; i += 4) {
      jobs.push(toJob(String(reply[i]), String(reply[i + 1]), String(reply[i + 2]), Number(reply[i + 3])));
    }
    return { jobs, waitHintMs: Number(reply[0]), lastId: String(reply[1]) };
  }

  return {
    keys,
    group,

    async enqueue(requests: readonly EnqueueRequest<P>[]): Promise<number> {
      assertOpen();
      const calls: Promise<unknown>[] = [];
      for (let start = 0; start < requests.length; start += BATCH) {
        const args: (string | number)[] = [group];
        for (const request of requests.slice(start, start + BATCH)) {
          args.push(request.id, encodeJson(request.payload), Math.max(0, Math.ceil(request.delayMs ?? 0)));
        }
        calls.push(enqueueScript.run(client, [keys.stream, keys.delayed, keys.jobs], args));
      }
      const added = await Promise.all(calls);
      return added.reduce<number>((sum, n) => sum + Number(n), 0);
    },

    async reserve(opts: ReserveOptions): Promise<ReservedJob<P>[]> {
      assertOpen();
      const max = Math.floor(opts.max);
      if (!(max > 0)) return [];
      const consumer = opts.consumer ?? defaultConsumer;
      consumers.add(consumer);
      const deadline = Date.now() + Math.max(0, opts.blockMs ?? 0);
      for (;;) {
        const { jobs, waitHintMs, lastId } = await takeNow(consumer, max, opts.visibilityTimeoutMs);
        if (jobs.length > 0) return jobs;
        const left = deadline - Date.now();
        if (left <= 0 || opts.signal?.aborted === true || closing !== null) return [];
        const chunk = Math.min(
          left,
          blockChunkMs,
          waitHintMs >= 0 ? waitHintMs + 1 : Number.POSITIVE_INFINITY,
        );
        await waiter.wait({ stream: keys.stream, afterId: lastId, blockMs: chunk, signal: opts.signal });
        if (isAborted(opts.signal) || closing !== null) return [];
      }
    },

    async ack(jobs: readonly ReservedJob<P>[]): Promise<void> {
      assertOpen();
      const calls: Promise<unknown>[] = [];
      for (let start = 0; start < jobs.length; start += BATCH) {
        const args: (string | number)[] = [group];
        for (const job of jobs.slice(start, start + BATCH)) {
          const token = parseToken(job.token);
          if (token !== null) args.push(token.entryId, token.deliveries, job.id);
        }
        if (args.length > 1) {
          calls.push(unlessNoGroup(() => ackScript.run(client, [keys.stream, keys.jobs], args)));
        }
      }
      await Promise.all(calls);
    },

    async release(job: ReservedJob<P>, delayMs: number): Promise<void> {
      assertOpen();
      const token = parseToken(job.token);
      if (token === null) return;
      await unlessNoGroup(() =>
        releaseScript.run(
          client,
          [keys.stream, keys.delayed, keys.jobs],
          [group, token.entryId, token.deliveries, job.id, Math.max(0, Math.ceil(delayMs))],
        ),
      );
    },

    async counts(): Promise<QueueCounts> {
      assertOpen();
      const [ready, delayed, inFlight, dead] = (await countsScript.run(
        client,
        [keys.stream, keys.delayed, keys.dead],
        [group],
      )) as number[];
      return {
        ready: Number(ready),
        delayed: Number(delayed),
        inFlight: Number(inFlight),
        dead: Number(dead),
      };
    },

    async deadLetters(limit: number): Promise<readonly DeadLetter<P>[]> {
      assertOpen();
      const count = Math.floor(limit);
      if (!(count > 0)) return [];
      const entries = (await client.xrange(keys.dead, '-', '+', 'COUNT', count)) as RawEntry[];
      return entries.map(([, fields]) => {
        const record: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i] as string] = fields[i + 1] as string;
        return Object.freeze({
          id: record.j ?? '',
          payload: decodeJson<P>(record.p ?? 'null'),
          deliveryCount: Number(record.n),
          at: Number(record.at),
        });
      });
    },

    close(): Promise<void> {
      closing ??= (async () => {
        await waiter.close();
        try {
          if (consumers.size > 0)
            await dropIdleConsumersScript.run(client, [keys.stream], [group, ...consumers]);
        } catch {
          // best effort: an unreachable Redis must not stop the shutdown
        }
        await releaseClient(owned);
      })();
      return closing;
    },
  };
}
