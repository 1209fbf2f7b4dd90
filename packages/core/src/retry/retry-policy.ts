import type { RetrySettings } from '../domain/campaign.js';
import { type Problem, ValidationError } from '../errors.js';

/** Retry settings with every field filled in and validated. */
export type ResolvedRetrySettings = Required<RetrySettings>;

/** The engine's default retry settings: 3 attempts in all, 1 s base delay, 60 s cap. */
export const DEFAULT_RETRY_SETTINGS: ResolvedRetrySettings = Object.freeze({
  maxAttempts: 3,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
});

/** Largest `maxAttempts` a setting may ask for. */
export const MAX_RETRY_ATTEMPTS = 100;

/**
 * Absolute bound on a vendor's `retryAfterMs` (one day). A vendor's wait is honoured even past
 * `maxDelayMs`, but an absurd value (a week, a year) is cut to this so a delivery never hangs forever.
 */
export const RETRY_AFTER_LIMIT_MS = 24 * 60 * 60 * 1000;

/** What a retry decision is based on. */
export interface RetryContext {
  /** The attempt that just failed, 1-based. */
  readonly attempt: number;
  /** Why it failed. */
  readonly error: {
    /** False for permanent failures (invalid address, unsubscribed): these are never retried. */
    readonly retryable: boolean;
    readonly code?: string | undefined;
    readonly message?: string | undefined;
    /** The vendor asks to wait this long before the next attempt. */
    readonly retryAfterMs?: number | undefined;
  };
  readonly deliveryId: string;
  readonly campaignId: string;
}

/** Whether, and after how long, to try again. */
export type RetryDecision = { readonly retry: false } | { readonly retry: true; readonly delayMs: number };

/**
 * The function form of a retry policy (like TanStack Query's `retry` + `retryDelay` in one). It is
 * called only for retryable errors; its decision is used as given, after validation.
 *
 * @example
 * const policy: RetryFunction = ({ attempt, error }) =>
 *   attempt < 5 && error.code !== 'QUOTA' ? { retry: true, delayMs: 2000 * attempt } : { retry: false };
 */
export type RetryFunction = (context: RetryContext) => RetryDecision;

/** A retry policy: settings (exponential backoff with full jitter) or a function. */
export type RetryPolicy = RetrySettings | RetryFunction;

/**
 * Thrown by a channel's `send` to mean "this message can never be sent, do not retry" (like BullMQ's
 * `UnrecoverableError`). Any other error thrown by `send` counts as a retryable failure.
 *
 * @example
 * if (!isValidPhone(message.to)) throw new PermanentSendError(`invalid phone number ${message.to}`);
 */
export class PermanentSendError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentSendError';
  }
}

function checkSettings(settings: ResolvedRetrySettings): Problem[] {
  const problems: Problem[] = [];
  const { maxAttempts, baseDelayMs, maxDelayMs } = settings;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > MAX_RETRY_ATTEMPTS) {
    problems.push({
      path: ['maxAttempts'],
      code: 'out_of_range',
      message: `must be an integer from 1 to ${MAX_RETRY_ATTEMPTS}, got ${String(maxAttempts)}`,
    });
  }
  for (const key of ['baseDelayMs', 'maxDelayMs'] as const) {
    const value = settings[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problems.push({
        path: [key],
        code: 'out_of_range',
        message: `must be a finite number ≥ 0, got ${String(value)}`,
      });
    }
  }
  if (problems.length === 0 && baseDelayMs > maxDelayMs) {
    problems.push({
      path: ['baseDelayMs'],
      code: 'too_big',
      message: `must not exceed maxDelayMs (${maxDelayMs}), got ${baseDelayMs}`,
    });
  }
  return problems;
}

/**
 * Merges retry settings over {@link DEFAULT_RETRY_SETTINGS}, later layers winning (e.g. engine
 * settings, then a campaign's override); `undefined` fields and layers change nothing. The result is
 * validated: `maxAttempts` an integer in 1..100, delays finite and ≥ 0, `baseDelayMs ≤ maxDelayMs`.
 *
 * @throws ValidationError listing every bad field with its path.
 * @example
 * resolveRetrySettings(engineSettings, campaign.retry); // { maxAttempts, baseDelayMs, maxDelayMs }
 */
export function resolveRetrySettings(
  ...layers: readonly (RetrySettings | undefined)[]
): ResolvedRetrySettings {
  let maxAttempts = DEFAULT_RETRY_SETTINGS.maxAttempts;
  let baseDelayMs = DEFAULT_RETRY_SETTINGS.baseDelayMs;
  let maxDelayMs = DEFAULT_RETRY_SETTINGS.maxDelayMs;
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (layer.maxAttempts !== undefined) maxAttempts = layer.maxAttempts;
    if (layer.baseDelayMs !== undefined) baseDelayMs = layer.baseDelayMs;
    if (layer.maxDelayMs !== undefined) maxDelayMs = layer.maxDelayMs;
  }
  const resolved = { maxAttempts, baseDelayMs, maxDelayMs };
  const problems = checkSettings(resolved);
  if (problems.length > 0) throw new ValidationError('invalid retry settings', problems);
  return resolved;
}

/**
 * The largest delay full jitter may pick before the attempt after `attempt`:
 * `min(maxDelayMs, baseDelayMs * 2^(attempt - 1))`.
 */
export function backoffCeiling(settings: ResolvedRetrySettings, attempt: number): number {
  return Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (Math.max(1, attempt) - 1));
}

function checkDecision(decision: unknown): RetryDecision {
  if (typeof decision === 'object' && decision !== null) {
    const { retry, delayMs } = decision as { retry?: unknown; delayMs?: unknown };
    if (retry === false) return { retry: false };
    if (retry === true) {
      if (typeof delayMs === 'number' && Number.isFinite(delayMs) && delayMs >= 0) {
        return { retry: true, delayMs };
      }
      throw new ValidationError('invalid retry decision', [
        {
          path: ['delayMs'],
          code: 'out_of_range',
          message: `must be a finite number ≥ 0, got ${String(delayMs)}`,
        },
      ]);
    }
  }
  throw new ValidationError('invalid retry decision', [
    {
      path: ['retry'],
      code: 'invalid_type',
      message: 'expected { retry: false } or { retry: true, delayMs }',
    },
  ]);
}

/**
 * Decides whether a failed attempt is tried again, and when.
 *
 * - A non-retryable error (`error.retryable === false`: invalid address, unsubscribed, a
 *   {@link PermanentSendError}) is never retried, whatever the policy.
 * - A function policy decides everything else; its decision is validated (a negative, infinite or
 *   NaN delay throws `ValidationError`).
 * - A settings policy allows `maxAttempts` attempts in all (`attempt >= maxAttempts` → no retry) and
 *   waits with exponential backoff and full jitter: `floor(random() * min(maxDelayMs, baseDelayMs *
 *   2^(attempt-1)))`. A vendor's `retryAfterMs` is a floor on that wait and is honoured even past
 *   `maxDelayMs`, bounded by {@link RETRY_AFTER_LIMIT_MS}.
 *
 * @param random - Source of jitter in `[0, 1)` (e.g. `Math.random` or `createRandom(seed)`).
 * @throws ValidationError for invalid settings or an invalid function decision.
 */
export function decideRetry(policy: RetryPolicy, context: RetryContext, random: () => number): RetryDecision {
  if (!context.error.retryable) return { retry: false };
  if (typeof policy === 'function') return checkDecision(policy(context));
  const settings = resolveRetrySettings(policy);
  if (context.attempt >= settings.maxAttempts) return { retry: false };
  const draw = random();
  const unit = draw >= 0 && draw < 1 ? draw : 0;
  let delayMs = Math.floor(unit * backoffCeiling(settings, context.attempt));
  const retryAfter = context.error.retryAfterMs;
  if (retryAfter !== undefined && Number.isFinite(retryAfter) && retryAfter > 0) {
    delayMs = Math.max(delayMs, Math.min(Math.ceil(retryAfter), RETRY_AFTER_LIMIT_MS));
  }
  return { retry: true, delayMs };
}
