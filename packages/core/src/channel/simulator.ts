import type { Customer } from '../domain/customer.js';
import { type Problem, ValidationError } from '../errors.js';
import type { Channel, OutboundMessage, ReceiptInput, SendContext, SendResult } from '../ports/channel.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import { parseReceipts } from '../receipt/schema.js';
import { systemClock } from '../time/system-clock.js';
import { fnv1a32, unitFromHash } from '../util/random.js';

/** Default seed of the simulator: outcomes are the same on every run unless you pick another seed. */
export const DEFAULT_SIMULATOR_SEED = 0x5eed;

/** Error code carried by simulated failures. */
export const SIMULATED_FAILURE = 'SIMULATED_FAILURE';

/** Options of {@link createSimulatorChannel}. */
export interface SimulatorOptions {
  /** Channel name campaigns refer to. @default 'sms' */
  readonly name?: string;
  /** Share of sends that succeed, from 0 to 1. @default 0.9 */
  readonly successRate?: number;
  /**
   * Seed of the outcomes. Each send's outcome is drawn from the seed and its idempotency key only,
   * never from call order, so concurrent workers see the same outcomes in any order.
   * @default DEFAULT_SIMULATOR_SEED
   */
  readonly seed?: number | string;
  /**
   * Simulated vendor latency in ms: a fixed number, or `[min, max]` for a per-key draw in that range.
   * `0` resolves without any timer.
   * @default 0
   */
  readonly latencyMs?: number | readonly [number, number];
  /** Clock for latency and receipt timers and receipt times. @default systemClock */
  readonly clock?: Clock;
  /**
   * `'sync'`: the send result is the outcome (accepted, or rejected with `SIMULATED_FAILURE`).
   * `'async'`: every send is accepted with a `vendorMessageId`, and the outcome (`DELIVERED` or
   * `FAILED`) arrives later as a receipt, handed in batches to the sink given to `connect`; the
   * channel then `reportsOutcomes`, so campaigns wait for every outcome before completing.
   * @default 'sync'
   */
  readonly receipts?: 'sync' | 'async';
  /**
   * In async mode, how long after a send its receipt is emitted (ms). Receipts that fall due together
   * go to the sink as one batch. `0` means the next macrotask (`setImmediate`, independent of `clock`);
   * larger delays use `clock`.
   * @default 0
   */
  readonly receiptDelayMs?: number;
  /** Whether simulated failures may be retried. @default true */
  readonly failureRetryable?: boolean;
  /** The customer's address on this channel. @default the `sms` → phone, `email` → email defaults */
  readonly address?: (customer: Customer) => string | null;
}

/** Counters of a {@link SimulatorChannel}. */
export interface SimulatorStats {
  /** Calls to `send`, duplicates included. */
  readonly calls: number;
  /** Distinct idempotency keys seen (= messages "sent"). */
  readonly uniqueKeys: number;
  /** Calls with a key already seen: answered with the first result, nothing sent. */
  readonly duplicateCalls: number;
  /** Distinct sends answered `accepted` (in async mode: all of them). */
  readonly accepted: number;
  /** Distinct sends answered `rejected` (in async mode: none). */
  readonly rejected: number;
  /** Async mode: receipts emitted (or waiting to be) with status `DELIVERED`. */
  readonly delivered: number;
  /** Async mode: receipts emitted (or waiting to be) with status `FAILED`. */
  readonly failed: number;
}

/** One receipt of the simulator's webhook format. */
export interface SimulatorWebhookReceipt {
  readonly id: string;
  readonly deliveryId?: string;
  readonly vendorMessageId?: string;
  /** `SENT`, `DELIVERED`, `FAILED`, … (any case). */
  readonly status: string;
  /** ISO 8601 time or epoch ms. */
  readonly at: string | number;
  readonly attempt?: number;
  readonly errorCode?: string;
  readonly retryable?: boolean;
}

/** The simulator's webhook body: `{ receipts: [...] }`. */
export interface SimulatorWebhookBody {
  readonly receipts: readonly SimulatorWebhookReceipt[];
}

/** A channel that pretends to send, deterministically, for demos, tests and benchmarks. */
export interface SimulatorChannel extends Channel {
  /** Counters since creation. */
  stats(): SimulatorStats;
  /** Every distinct idempotency key sent with (accepted or not); a snapshot. */
  sentKeys(): ReadonlySet<string>;
  /** The message of each distinct idempotency key; a snapshot. */
  sentBodies(): ReadonlyMap<string, OutboundMessage>;
  /** Parses the simulator's webhook format ({@link SimulatorWebhookBody}); throws `ValidationError`. */
  parseReceipt(body: unknown): ReceiptInput[];
  /** Registers the sink that async-mode receipts go to; receipts emitted before it are held until then. */
  connect(sink: (receipts: ReceiptInput[]) => Promise<void>): void;
  /** Hands every waiting async-mode receipt to the sink now and waits for it. */
  flushReceipts(): Promise<void>;
  /** The outcome the simulator draws for an idempotency key (without sending). */
  outcomeFor(idempotencyKey: string): 'success' | 'failure';
}

/** Wait before handing a batch to the sink again after the sink rejected it (ms). */
const SINK_RETRY_MS = 100;

interface Settings {
  readonly successRate: number;
  readonly latency: readonly [number, number];
  readonly receiptDelayMs: number;
}

function checkOptions(options: SimulatorOptions): Settings {
  const problems: Problem[] = [];
  const successRate = options.successRate ?? 0.9;
  if (!(successRate >= 0 && successRate <= 1)) {
    problems.push({ path: ['successRate'], code: 'out_of_range', message: 'must be a number from 0 to 1' });
  }
  const raw = options.latencyMs ?? 0;
  const latency: readonly [number, number] = typeof raw === 'number' ? [raw, raw] : raw;
  const [min, max] = latency;
  if (!(Number.isFinite(min) && Number.isFinite(max) && min >= 0 && max >= min)) {
    problems.push({
      path: ['latencyMs'],
      code: 'out_of_range',
      message: 'must be a finite number ≥ 0, or [min, max] with 0 ≤ min ≤ max',
    });
  }
  const receiptDelayMs = options.receiptDelayMs ?? 0;
  if (!(Number.isFinite(receiptDelayMs) && receiptDelayMs >= 0)) {
    problems.push({ path: ['receiptDelayMs'], code: 'out_of_range', message: 'must be a finite number ≥ 0' });
  }
  if (options.name !== undefined && options.name.trim() === '') {
    problems.push({ path: ['name'], code: 'too_small', message: 'must not be empty' });
  }
  if (problems.length > 0) throw new ValidationError('invalid simulator options', problems);
  return { successRate, latency, receiptDelayMs };
}

/**
 * Creates a simulated channel: no network, deterministic outcomes, cheap enough for benchmarks (no
 * timer when latency is 0, one FNV-1a hash per send).
 *
 * Each send's outcome comes from `seed` and the idempotency key alone. A repeated key is not sent
 * again: the first call's result is returned (and in async mode no second receipt is emitted).
 *
 * Memory: the channel keeps every distinct key with its message and result (for idempotency and
 * {@link SimulatorChannel.sentBodies}), so it grows with the number of sends; create a fresh channel
 * per test or benchmark run.
 *
 * @throws ValidationError for out-of-range options.
 * @example
 * const sms = createSimulatorChannel({ successRate: 0.9, seed: 7 });
 * const crm = createMiniCrm({ channels: [sms] });
 * // later: sms.stats().duplicateCalls === 0
 */
export function createSimulatorChannel(options: SimulatorOptions = {}): SimulatorChannel {
  const { successRate, latency, receiptDelayMs } = checkOptions(options);
  const name = options.name ?? 'sms';
  const clock = options.clock ?? systemClock;
  const mode = options.receipts ?? 'sync';
  const retryable = options.failureRetryable ?? true;
  const seed = options.seed ?? DEFAULT_SIMULATOR_SEED;
  const basis = ((typeof seed === 'string' ? fnv1a32(seed) : Math.trunc(seed) >>> 0) ^ 0x811c9dc5) >>> 0;
  const [minLatency, maxLatency] = latency;

  // Settled results are kept as values (cheaper than promises); pending ones as promises.
  const sent = new Map<
    string,
    { readonly message: OutboundMessage; result: SendResult | Promise<SendResult> }
  >();
  let calls = 0;
  let accepted = 0;
  let rejected = 0;
  let delivered = 0;
  let failed = 0;

  let sink: ((receipts: ReceiptInput[]) => Promise<void>) | undefined;
  let pending: ReceiptInput[] = [];
  let timer: { readonly kind: 'immediate' | 'clock'; readonly handle: unknown } | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const rejectedResult: SendResult = Object.freeze({
    status: 'rejected',
    retryable,
    errorCode: SIMULATED_FAILURE,
    error: 'simulated failure',
  });

  function cancelTimer(): void {
    if (timer === undefined) return;
    if (timer.kind === 'immediate') clearImmediate(timer.handle as ReturnType<typeof setImmediate>);
    else clock.clearTimeout(timer.handle as TimerHandle);
    timer = undefined;
  }

  function schedule(ms: number): void {
    if (timer !== undefined || sink === undefined) return;
    if (ms <= 0) {
      const handle = setImmediate(() => {
        timer = undefined;
        void deliver();
      });
      handle.unref?.();
      timer = { kind: 'immediate', handle };
    } else {
      timer = {
        kind: 'clock',
        handle: clock.setTimeout(() => {
          timer = undefined;
          void deliver();
        }, ms),
      };
    }
  }

  function deliver(): Promise<void> {
    cancelTimer();
    const target = sink;
    if (target === undefined || pending.length === 0) return inFlight;
    const batch = pending;
    pending = [];
    const run = inFlight.then(() =>
      target(batch).catch(() => {
        // At-least-once: hand the batch over again later (receipts carry ids, duplicates are ignored).
        pending = batch.concat(pending);
        schedule(Math.max(receiptDelayMs, SINK_RETRY_MS));
      }),
    );
    inFlight = run;
    return run;
  }

  function emit(receipt: ReceiptInput): void {
    pending.push(receipt);
    schedule(receiptDelayMs);
  }

  function draw(key: string): number {
    return fnv1a32(key, basis);
  }

  function send(message: OutboundMessage, context: SendContext): Promise<SendResult> {
    calls++;
    const key = context.idempotencyKey;
    const previous = sent.get(key);
    if (previous !== undefined) return Promise.resolve(previous.result);
    const hash = draw(key);
    const success = unitFromHash(hash) < successRate;
    const vendorMessageId = `sim-${name}-${key}`;
    let result: SendResult;
    if (mode === 'async') {
      accepted++;
      if (success) delivered++;
      else failed++;
      result = { status: 'accepted', vendorMessageId };
    } else if (success) {
      accepted++;
      result = { status: 'accepted', vendorMessageId };
    } else {
      rejected++;
      result = rejectedResult;
    }
    const wait =
      minLatency === maxLatency
        ? minLatency
        : minLatency + Math.floor(unitFromHash(hash ^ 0x9e3779b9) * (maxLatency - minLatency + 1));
    const settle = (): SendResult => {
      if (mode === 'async') {
        emit({
          id: `sim-rcpt-${name}-${key}`,
          deliveryId: message.deliveryId,
          vendorMessageId,
          status: success ? 'DELIVERED' : 'FAILED',
          at: new Date(clock.now()),
          attempt: context.attempt,
          ...(success ? {} : { errorCode: SIMULATED_FAILURE, error: 'simulated failure', retryable }),
        });
      }
      return result;
    };
    if (wait <= 0) {
      const value = settle();
      sent.set(key, { message, result: value });
      return Promise.resolve(value);
    }
    const entry: { readonly message: OutboundMessage; result: SendResult | Promise<SendResult> } = {
      message,
      result: new Promise<SendResult>((resolve) => {
        clock.setTimeout(() => {
          const value = settle();
          entry.result = value;
          resolve(value);
        }, wait);
      }),
    };
    sent.set(key, entry);
    return entry.result as Promise<SendResult>;
  }

  return {
    name,
    ...(options.address === undefined ? {} : { address: options.address }),
    reportsOutcomes: mode === 'async',
    send,
    parseReceipt: (body: unknown) => parseReceipts(body),
    connect(newSink) {
      sink = newSink;
      if (pending.length > 0) schedule(receiptDelayMs);
    },
    flushReceipts: () => deliver(),
    outcomeFor: (key: string) => (unitFromHash(draw(key)) < successRate ? 'success' : 'failure'),
    stats: () => ({
      calls,
      uniqueKeys: sent.size,
      duplicateCalls: calls - sent.size,
      accepted,
      rejected,
      delivered,
      failed,
    }),
    sentKeys: () => new Set(sent.keys()),
    sentBodies: () => new Map(Array.from(sent, ([key, entry]) => [key, entry.message])),
  };
}
