/**
 * The vendor simulator as a service: it takes messages (`accept`) and reports each one's outcome
 * later to MiniCRM's receipt webhook over HTTP, signed like a real vendor's callback.
 *
 * Outcomes follow MiniCRM's receipt model for channels that report outcomes
 * (`reportsOutcomes: true`): the vendor accepting a send already moves the delivery to `sent`, so
 * the success callback is `DELIVERED` (never `SENT`), and a failure is `FAILED` with
 * `retryable: true` and error code {@link VENDOR_FAILED}, which hands the delivery to the retry
 * policy. Every receipt carries `deliveryId`, `attempt` and `vendorMessageId` (so a callback that
 * overtakes the worker's own `sent` write still finds its delivery), a receipt `id` unique per
 * message (so a re-posted callback is deduplicated) and `at`.
 */
import { createHash } from 'node:crypto';
import {
  DEFAULT_SIMULATOR_SEED,
  fnv1a32,
  type Logger,
  type Problem,
  silentLogger,
  unitFromHash,
  ValidationError,
} from '@minicrm/core';
import { type CallbackPoster, createCallbackPoster, type VendorCallbackReceipt } from './callback-poster.js';
import { createKeyMemory } from './key-memory.js';
import type { VendorSendRequest, VendorSendResponse } from './vendor-schemas.js';

export type { VendorCallbackReceipt } from './callback-poster.js';

/** Error code of the vendor's simulated failures. */
export const VENDOR_FAILED = 'VENDOR_FAILED';

/** Options of {@link createVendorSimulator}. */
export interface VendorSimulatorOptions {
  /** Where receipt callbacks are posted (MiniCRM's receipt webhook). */
  readonly receiptUrl: string | URL;
  /** Shared secret the callbacks are signed with (`RECEIPT_SECRET`). */
  readonly receiptSecret: string;
  /** Share of messages delivered, from 0 to 1 (`SIMULATOR_SUCCESS_RATE`). @default 0.9 */
  readonly successRate?: number;
  /**
   * Seed of the outcomes: a message's outcome and callback delay depend only on the seed and its
   * idempotency key, never on arrival order. @default DEFAULT_SIMULATOR_SEED (core's simulator seed)
   */
  readonly seed?: number | string;
  /** Delay between accepting a message and its callback falling due, drawn per key. @default { min: 5, max: 50 } */
  readonly callbackDelayMs?: { readonly min: number; readonly max: number };
  /** Most receipts per callback post. @default 50 */
  readonly batchSize?: number;
  /** How long a partial batch waits for more receipts before it is posted (ms). @default 10 */
  readonly flushIntervalMs?: number;
  /** Posts under way at once; more due receipts wait. @default 4 */
  readonly maxConcurrentPosts?: number;
  /** Time limit of one callback post (ms). @default 5000 */
  readonly postTimeoutMs?: number;
  /** Posts of one batch in all before it is dropped (and logged). @default 5 */
  readonly maxPostAttempts?: number;
  /** First retry delay of a failed post (ms); it doubles per retry. @default 100 */
  readonly retryBaseMs?: number;
  /** Greatest retry delay (ms), also the cap of a webhook's `Retry-After`. @default 5000 */
  readonly retryMaxMs?: number;
  /** How long an idempotency key is remembered (ms). @default 86400000 (24 h) */
  readonly keyTtlMs?: number;
  /** Most idempotency keys remembered; the oldest are forgotten first. @default 100000 */
  readonly maxKeys?: number;
  /** HTTP client of the callbacks. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Where callback failures are logged (pino-compatible). @default silent */
  readonly logger?: Logger;
  /** Clock (epoch ms) for receipt times, signatures and key expiry. @default Date.now */
  readonly now?: () => number;
}

/** Counters of a {@link VendorSimulator}. */
export interface VendorSimulatorStats {
  /** Distinct messages accepted (each schedules one callback). */
  readonly accepted: number;
  /** Sends with an idempotency key still remembered: answered as before, nothing scheduled. */
  readonly duplicates: number;
  /** Outcomes drawn as `DELIVERED`. */
  readonly delivered: number;
  /** Outcomes drawn as `FAILED`. */
  readonly failed: number;
  /** Callbacks waiting for their delay. */
  readonly scheduled: number;
  /** Receipts due, waiting for a post or a retry. */
  readonly waiting: number;
  /** Callback posts under way. */
  readonly inFlight: number;
  /** Callback posts made, retries included. */
  readonly posts: number;
  /** Posts that retried an earlier failed post. */
  readonly postRetries: number;
  /** Receipts the webhook acknowledged. */
  readonly receiptsPosted: number;
  /** Receipts given up on (refused, attempts exhausted, or dropped by `close`). */
  readonly receiptsDropped: number;
  /** Idempotency keys remembered now. */
  readonly rememberedKeys: number;
}

/** A simulated messaging vendor that reports outcomes by HTTP callback. */
export interface VendorSimulator {
  /**
   * Takes a message. A new idempotency key draws the outcome and schedules its callback; a key
   * still remembered returns the same `vendorMessageId` and schedules nothing.
   * @throws Error once the simulator is closed.
   */
  accept(request: VendorSendRequest): VendorSendResponse;
  /**
   * Makes every scheduled callback due now, posts them (and any retry waiting for its backoff)
   * and resolves when every post has settled: acknowledged, or given up after its attempts.
   */
  flush(): Promise<void>;
  /**
   * Stops every timer and waits for the posts under way. Callbacks not posted yet are dropped,
   * unless `flush: true`, which first runs {@link VendorSimulator.flush}.
   */
  close(options?: { readonly flush?: boolean }): Promise<void>;
  /** Counters since creation. */
  stats(): VendorSimulatorStats;
}

interface Settings {
  readonly successRate: number;
  readonly delay: { readonly min: number; readonly max: number };
  readonly url: string;
}

function checkOptions(options: VendorSimulatorOptions): Settings {
  const problems: Problem[] = [];
  const add = (path: string, message: string) =>
    problems.push({ path: [path], code: 'invalid_option', message });
  const successRate = options.successRate ?? 0.9;
  if (!(successRate >= 0 && successRate <= 1)) add('successRate', 'must be a number from 0 to 1');
  const delay = options.callbackDelayMs ?? { min: 5, max: 50 };
  if (
    !(Number.isFinite(delay.min) && Number.isFinite(delay.max) && delay.min >= 0 && delay.max >= delay.min)
  ) {
    add('callbackDelayMs', 'must be { min, max } with 0 ≤ min ≤ max');
  }
  let url = '';
  try {
    const parsed = new URL(String(options.receiptUrl));
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      add('receiptUrl', 'must be an http(s) URL');
    url = parsed.href;
  } catch {
    add('receiptUrl', 'must be an absolute URL');
  }
  if (typeof options.receiptSecret !== 'string' || options.receiptSecret === '') {
    add('receiptSecret', 'must be a non-empty string');
  }
  const positiveIntegers = [
    'batchSize',
    'maxConcurrentPosts',
    'maxPostAttempts',
    'maxKeys',
    'postTimeoutMs',
    'keyTtlMs',
  ] as const;
  for (const name of positiveIntegers) {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) add(name, 'must be an integer ≥ 1');
  }
  for (const name of ['flushIntervalMs', 'retryBaseMs', 'retryMaxMs'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) add(name, 'must be a number ≥ 0');
  }
  if (problems.length > 0) throw new ValidationError('invalid vendor simulator options', problems);
  return { successRate, delay, url };
}

/**
 * Creates a vendor simulator.
 *
 * Idempotency: keys are remembered for `keyTtlMs` and at most `maxKeys` of them (oldest forgotten
 * first), so memory stays bounded. Ids are derived from the seed and the key, so even a key sent
 * again after it was forgotten gets the same `vendorMessageId` and receipt id, and the webhook
 * dedupes its second callback.
 *
 * @throws ValidationError for out-of-range options.
 * @example
 * const vendor = createVendorSimulator({
 *   receiptUrl: 'http://127.0.0.1:3000/api/receipts',
 *   receiptSecret: process.env.RECEIPT_SECRET!,
 *   successRate: 0.9,
 * });
 * app.register(vendorRoutes, { prefix: '/vendor', simulator: vendor });
 * app.addHook('onClose', () => vendor.close());
 */
export function createVendorSimulator(options: VendorSimulatorOptions): VendorSimulator {
  const { successRate, delay, url } = checkOptions(options);
  const now = options.now ?? Date.now;
  const seed = options.seed ?? DEFAULT_SIMULATOR_SEED;
  const basis = ((typeof seed === 'string' ? fnv1a32(seed) : Math.trunc(seed) >>> 0) ^ 0x811c9dc5) >>> 0;
  const idSalt = `${typeof seed}:${String(seed)}`;
  const keys = createKeyMemory<string>(options.keyTtlMs ?? 86_400_000, options.maxKeys ?? 100_000, now);
  const poster: CallbackPoster = createCallbackPoster({
    url,
    secret: options.receiptSecret,
    batchSize: options.batchSize ?? 50,
    flushIntervalMs: options.flushIntervalMs ?? 10,
    postTimeoutMs: options.postTimeoutMs ?? 5000,
    maxPostAttempts: options.maxPostAttempts ?? 5,
    retryBaseMs: options.retryBaseMs ?? 100,
    retryMaxMs: options.retryMaxMs ?? 5000,
    maxConcurrentPosts: options.maxConcurrentPosts ?? 4,
    fetch: options.fetch ?? globalThis.fetch,
    logger: options.logger ?? silentLogger,
    now,
  });
  /** Callbacks waiting for their delay, by sequence number (a forgotten key sent again reuses its receipt id). */
  const scheduled = new Map<
    number,
    { readonly timer: ReturnType<typeof setTimeout>; readonly due: () => void }
  >();
  let sequence = 0;
  let closed = false;
  let accepted = 0;
  let duplicates = 0;
  let delivered = 0;
  let failed = 0;
  let droppedOnClose = 0;

  function schedule(request: VendorSendRequest, vendorMessageId: string, receiptId: string): void {
    const hash = fnv1a32(request.idempotencyKey, basis);
    const success = unitFromHash(hash) < successRate;
    if (success) delivered++;
    else failed++;
    const wait = delay.min + Math.floor(unitFromHash(hash ^ 0x9e3779b9) * (delay.max - delay.min + 1));
    const slot = sequence++;
    const due = () => {
      scheduled.delete(slot);
      const receipt: VendorCallbackReceipt = {
        id: receiptId,
        deliveryId: request.deliveryId,
        vendorMessageId,
        attempt: request.attempt,
        status: success ? 'DELIVERED' : 'FAILED',
        at: new Date(now()).toISOString(),
        ...(success
          ? {}
          : { errorCode: VENDOR_FAILED, error: 'the vendor could not deliver the message', retryable: true }),
      };
      poster.enqueue(receipt);
    };
    scheduled.set(slot, { timer: setTimeout(due, wait), due });
  }

  async function flush(): Promise<void> {
    for (const { timer, due } of [...scheduled.values()]) {
      clearTimeout(timer);
      due();
    }
    await poster.drain();
  }

  return {
    accept(request) {
      if (closed) throw new Error('vendor simulator is closed');
      const known = keys.get(request.idempotencyKey);
      if (known !== undefined) {
        duplicates++;
        return { vendorMessageId: known, status: 'accepted' };
      }
      const digest = createHash('sha256')
        .update(idSalt)
        .update('\u0000')
        .update(request.idempotencyKey)
        .digest('hex')
        .slice(0, 24);
      const vendorMessageId = `vm_${digest}`;
      keys.set(request.idempotencyKey, vendorMessageId);
      accepted++;
      schedule(request, vendorMessageId, `vr_${digest}`);
      return { vendorMessageId, status: 'accepted' };
    },
    flush,
    async close(closeOptions = {}) {
      if (closeOptions.flush === true && !closed) await flush();
      closed = true;
      for (const { timer } of scheduled.values()) clearTimeout(timer);
      const dropped = scheduled.size;
      droppedOnClose += dropped;
      scheduled.clear();
      if (dropped > 0) {
        (options.logger ?? silentLogger).warn(
          { callbacks: dropped },
          'vendor simulator closed with callbacks pending',
        );
      }
      await poster.close();
    },
    stats() {
      const posterStats = poster.stats();
      return {
        accepted,
        duplicates,
        delivered,
        failed,
        scheduled: scheduled.size,
        waiting: posterStats.waiting,
        inFlight: posterStats.inFlight,
        posts: posterStats.posts,
        postRetries: posterStats.postRetries,
        receiptsPosted: posterStats.receiptsPosted,
        receiptsDropped: posterStats.receiptsDropped + droppedOnClose,
        rememberedKeys: keys.size,
      };
    },
  };
}
