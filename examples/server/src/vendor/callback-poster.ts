/**
 * Posts vendor receipt callbacks to a webhook: batched, signed, retried with capped backoff.
 */
import type { Logger } from '@minicrm/core';
import { SIGNATURE_HEADER, signReceiptBody } from '../receipts/signature.js';
import { parseRetryAfter } from './retry-after.js';

/** One receipt of a vendor callback, as posted in `{ receipts: [...] }`. */
export interface VendorCallbackReceipt {
  /** Unique per message outcome: a re-posted callback carries the same id, so the receiver dedupes it. */
  readonly id: string;
  readonly deliveryId: string;
  readonly vendorMessageId: string;
  readonly attempt: number;
  /** `DELIVERED` on success, `FAILED` otherwise. */
  readonly status: 'DELIVERED' | 'FAILED';
  /** ISO 8601 time of the outcome. */
  readonly at: string;
  readonly errorCode?: string;
  readonly error?: string;
  readonly retryable?: boolean;
}

/** Settings of {@link createCallbackPoster}; every field is required here (defaults live in the simulator). */
export interface CallbackPosterSettings {
  readonly url: string;
  readonly secret: string;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly postTimeoutMs: number;
  readonly maxPostAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly maxConcurrentPosts: number;
  readonly fetch: typeof fetch;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Counters of a {@link CallbackPoster}. */
export interface CallbackPosterStats {
  /** HTTP posts made, retries included. */
  readonly posts: number;
  /** Posts that were retries of an earlier failed post. */
  readonly postRetries: number;
  /** Receipts the webhook acknowledged with a 2xx. */
  readonly receiptsPosted: number;
  /** Receipts given up on (permanent refusal, attempts exhausted, or dropped by `close`). */
  readonly receiptsDropped: number;
  /** Receipts waiting for a post or a retry. */
  readonly waiting: number;
  /** Posts under way. */
  readonly inFlight: number;
}

/** Batches receipts into signed `{ receipts: [...] }` posts. */
export interface CallbackPoster {
  /** Queues a receipt; it is posted with the next batch (full batch, or the flush timer). */
  enqueue(receipt: VendorCallbackReceipt): void;
  /** Posts everything queued now (retries waiting for their backoff included) and resolves when idle. */
  drain(): Promise<void>;
  /** Drops what is queued and every retry timer, then waits for the posts under way. */
  close(): Promise<void>;
  stats(): CallbackPosterStats;
}

type PostOutcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'permanent'; readonly reason: string }
  | { readonly kind: 'retry'; readonly reason: string; readonly retryAfterMs?: number };

/** HTTP statuses in the 4xx range that are worth another try. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

/**
 * Creates the poster. A post answered 2xx completes its batch; 408, 425, 429, 5xx, network errors
 * and timeouts are retried after `min(retryMaxMs, retryBaseMs · 2^(n−1))` (or the webhook's
 * `Retry-After`, capped the same way) up to `maxPostAttempts` posts in all, then logged and dropped;
 * any other 4xx is permanent (logged and dropped at once). Each post is signed afresh over the
 * exact body string, and a retried batch is the same body, so its receipt ids are unchanged.
 */
export function createCallbackPoster(settings: CallbackPosterSettings): CallbackPoster {
  const { batchSize, logger } = settings;
  let ready: VendorCallbackReceipt[] = [];
  let batchTimer: ReturnType<typeof setTimeout> | undefined;
  const retries = new Map<
    ReturnType<typeof setTimeout>,
    { readonly batch: readonly VendorCallbackReceipt[]; readonly fire: () => void }
  >();
  const inFlight = new Set<Promise<void>>();
  const idleWaiters: (() => void)[] = [];
  let closed = false;
  let draining = 0;
  let posts = 0;
  let postRetries = 0;
  let receiptsPosted = 0;
  let receiptsDropped = 0;

  function checkIdle(): void {
    if (ready.length > 0 || inFlight.size > 0 || retries.size > 0) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  }

  function drop(batch: readonly VendorCallbackReceipt[], reason: string): void {
    receiptsDropped += batch.length;
    logger.error(
      { receipts: batch.length, receiptIds: batch.slice(0, 5).map((r) => r.id), reason },
      'vendor callback dropped',
    );
  }

  async function postOnce(body: string): Promise<PostOutcome> {
    try {
      const response = await settings.fetch(settings.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signReceiptBody(settings.secret, body, settings.now()),
        },
        body,
        signal: AbortSignal.timeout(settings.postTimeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { kind: 'ok' };
      const reason = `webhook answered HTTP ${response.status}`;
      if (response.status >= 400 && response.status < 500 && !RETRYABLE_4XX.has(response.status)) {
        return { kind: 'permanent', reason };
      }
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
    } catch (error) {
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? `webhook did not answer within ${settings.postTimeoutMs} ms`
          : `webhook unreachable: ${error instanceof Error ? error.message : String(error)}`;
      return { kind: 'retry', reason };
    }
  }

  function scheduleRetry(batch: readonly VendorCallbackReceipt[], attempt: number, delayMs: number): void {
    const fire = () => {
      retries.delete(timer);
      startPost(batch, attempt);
    };
    const timer = setTimeout(fire, delayMs);
    retries.set(timer, { batch, fire });
  }

  function startPost(batch: readonly VendorCallbackReceipt[], attempt: number): void {
    const body = JSON.stringify({ receipts: batch });
    posts++;
    if (attempt > 1) postRetries++;
    const run = postOnce(body).then((outcome) => {
      if (outcome.kind === 'ok') {
        receiptsPosted += batch.length;
        return;
      }
      if (outcome.kind === 'permanent') return drop(batch, outcome.reason);
      if (closed || attempt >= settings.maxPostAttempts) {
        return drop(batch, `${outcome.reason} (after ${attempt} post${attempt === 1 ? '' : 's'})`);
      }
      const backoff = Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** (attempt - 1));
      const delay = Math.min(settings.retryMaxMs, Math.max(backoff, outcome.retryAfterMs ?? 0));
      logger.warn(
        { receipts: batch.length, attempt, retryInMs: delay, reason: outcome.reason },
        'vendor callback failed',
      );
      scheduleRetry(batch, attempt + 1, delay);
    });
    const tracked = run.finally(() => {
      inFlight.delete(tracked);
      pump(true);
      checkIdle();
    });
    inFlight.add(tracked);
  }

  function pump(all: boolean): void {
    if (closed) return;
    while (
      ready.length > 0 &&
      inFlight.size < settings.maxConcurrentPosts &&
      (all || draining > 0 || ready.length >= batchSize)
    ) {
      startPost(ready.splice(0, batchSize), 1);
    }
    if (ready.length > 0 && batchTimer === undefined && inFlight.size < settings.maxConcurrentPosts) {
      batchTimer = setTimeout(() => {
        batchTimer = undefined;
        pump(true);
      }, settings.flushIntervalMs);
    }
  }

  return {
    enqueue(receipt) {
      if (closed) return drop([receipt], 'callback poster is closed');
      ready.push(receipt);
      pump(false);
    },
    async drain() {
      if (closed) return;
      draining++;
      try {
        if (batchTimer !== undefined) clearTimeout(batchTimer);
        batchTimer = undefined;
        for (const [timer, retry] of [...retries]) {
          clearTimeout(timer);
          retry.fire();
        }
        pump(true);
        await new Promise<void>((resolve) => {
          idleWaiters.push(resolve);
          checkIdle();
        });
      } finally {
        draining--;
      }
    },
    async close() {
      closed = true;
      if (batchTimer !== undefined) clearTimeout(batchTimer);
      batchTimer = undefined;
      for (const [timer, retry] of retries) {
        clearTimeout(timer);
        drop(retry.batch, 'vendor simulator closed before the retry');
      }
      retries.clear();
      if (ready.length > 0) drop(ready, 'vendor simulator closed');
      ready = [];
      await Promise.allSettled([...inFlight]);
      checkIdle();
    },
    stats: () => ({
      posts,
      postRetries,
      receiptsPosted,
      receiptsDropped,
      waiting: ready.length + [...retries.values()].reduce((sum, r) => sum + r.batch.length, 0),
      inFlight: inFlight.size,
    }),
  };
}
