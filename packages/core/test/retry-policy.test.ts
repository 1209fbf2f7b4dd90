import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors.js';
import {
  backoffCeiling,
  DEFAULT_RETRY_SETTINGS,
  decideRetry,
  PermanentSendError,
  RETRY_AFTER_LIMIT_MS,
  type RetryContext,
  type RetryFunction,
  resolveRetrySettings,
} from '../src/retry/index.js';
import { createRandom } from '../src/util/random.js';

const ctx = (attempt: number, error: Partial<RetryContext['error']> = {}): RetryContext => ({
  attempt,
  error: { retryable: true, ...error },
  deliveryId: 'dlv_1',
  campaignId: 'cmp_1',
});

describe('resolveRetrySettings', () => {
  it('defaults to 3 attempts, 1 s base, 60 s cap', () => {
    expect(resolveRetrySettings()).toEqual({ maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 });
    expect(resolveRetrySettings({})).toEqual(DEFAULT_RETRY_SETTINGS);
  });

  it('merges layers, later ones winning, undefined changing nothing', () => {
    expect(
      resolveRetrySettings({ maxAttempts: 5, baseDelayMs: 10 }, undefined, {
        maxAttempts: undefined,
        maxDelayMs: 500,
      }),
    ).toEqual({ maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 500 });
  });

  it('lists every bad field with its path', () => {
    try {
      resolveRetrySettings({ maxAttempts: 0, baseDelayMs: -1, maxDelayMs: Number.NaN });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems.map((p) => p.path)).toEqual([
        ['maxAttempts'],
        ['baseDelayMs'],
        ['maxDelayMs'],
      ]);
    }
    expect(() => resolveRetrySettings({ maxAttempts: 2.5 })).toThrow(ValidationError);
    expect(() => resolveRetrySettings({ maxAttempts: 101 })).toThrow(ValidationError);
    expect(() => resolveRetrySettings({ baseDelayMs: 10, maxDelayMs: 5 })).toThrow(/baseDelayMs/);
  });
});

describe('decideRetry (settings)', () => {
  const half = () => 0.5;

  it('never retries non-retryable errors', () => {
    expect(decideRetry({}, ctx(1, { retryable: false }), half)).toEqual({ retry: false });
  });

  it('stops at maxAttempts attempts in all', () => {
    expect(decideRetry({}, ctx(1), half).retry).toBe(true);
    expect(decideRetry({}, ctx(2), half).retry).toBe(true);
    expect(decideRetry({}, ctx(3), half)).toEqual({ retry: false });
    expect(decideRetry({ maxAttempts: 1 }, ctx(1), half)).toEqual({ retry: false });
  });

  it('backs off exponentially with full jitter, capped', () => {
    const settings = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(decideRetry(settings, ctx(1), half)).toEqual({ retry: true, delayMs: 50 });
    expect(decideRetry(settings, ctx(3), half)).toEqual({ retry: true, delayMs: 200 });
    expect(decideRetry(settings, ctx(9), half)).toEqual({ retry: true, delayMs: 500 });
    expect(decideRetry(settings, ctx(2), () => 0)).toEqual({ retry: true, delayMs: 0 });
  });

  it('honours retryAfterMs past the cap, up to the safety limit', () => {
    const settings = { maxDelayMs: 1000 };
    expect(decideRetry(settings, ctx(1, { retryAfterMs: 5000 }), half)).toEqual({
      retry: true,
      delayMs: 5000,
    });
    expect(decideRetry(settings, ctx(1, { retryAfterMs: 10 }), () => 0.9)).toEqual({
      retry: true,
      delayMs: 900,
    });
    expect(decideRetry(settings, ctx(1, { retryAfterMs: 1e12 }), half)).toEqual({
      retry: true,
      delayMs: RETRY_AFTER_LIMIT_MS,
    });
  });

  it('rejects invalid settings', () => {
    expect(() => decideRetry({ maxAttempts: -1 }, ctx(1), half)).toThrow(ValidationError);
  });
});

describe('decideRetry (function)', () => {
  it('uses the decision as given and passes the context', () => {
    const seen: RetryContext[] = [];
    const policy: RetryFunction = (c) => {
      seen.push(c);
      return c.attempt < 7 ? { retry: true, delayMs: 123 } : { retry: false };
    };
    expect(decideRetry(policy, ctx(6, { code: 'X' }), Math.random)).toEqual({ retry: true, delayMs: 123 });
    expect(decideRetry(policy, ctx(7), Math.random)).toEqual({ retry: false });
    expect(seen[0]).toEqual(ctx(6, { code: 'X' }));
  });

  it('is not asked about non-retryable errors', () => {
    let called = false;
    const policy: RetryFunction = () => {
      called = true;
      return { retry: true, delayMs: 1 };
    };
    expect(decideRetry(policy, ctx(1, { retryable: false }), Math.random)).toEqual({ retry: false });
    expect(called).toBe(false);
  });

  it('validates the decision', () => {
    for (const delayMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => decideRetry(() => ({ retry: true, delayMs }), ctx(1), Math.random)).toThrow(
        ValidationError,
      );
    }
    expect(() => decideRetry((() => null) as unknown as RetryFunction, ctx(1), Math.random)).toThrow(
      ValidationError,
    );
  });
});

describe('PermanentSendError', () => {
  it('is a plain Error with a name and cause', () => {
    const error = new PermanentSendError('bad number', { cause: 'x' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('PermanentSendError');
    expect(error.cause).toBe('x');
  });
});

describe('decideRetry properties', () => {
  const settingsArb = fc
    .record({
      maxAttempts: fc.integer({ min: 1, max: 100 }),
      baseDelayMs: fc.integer({ min: 0, max: 100_000 }),
      extra: fc.integer({ min: 0, max: 1_000_000 }),
    })
    .map(({ maxAttempts, baseDelayMs, extra }) => ({
      maxAttempts,
      baseDelayMs,
      maxDelayMs: baseDelayMs + extra,
    }));

  it('keeps delays in [0, min(cap, base * 2^(n-1))] and stops where it must', () => {
    fc.assert(
      fc.property(
        settingsArb,
        fc.integer({ min: 1, max: 200 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 2 * RETRY_AFTER_LIMIT_MS }), { nil: undefined }),
        fc.integer(),
        (settings, attempt, retryable, retryAfterMs, seed) => {
          const random = createRandom(seed);
          const decision = decideRetry(settings, ctx(attempt, { retryable, retryAfterMs }), random);
          if (!retryable || attempt >= settings.maxAttempts) {
            expect(decision).toEqual({ retry: false });
            return;
          }
          expect(decision.retry).toBe(true);
          if (!decision.retry) return;
          const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
          expect(ceiling).toBe(backoffCeiling(resolveRetrySettings(settings), attempt));
          const jitter = Math.floor(createRandom(seed)() * ceiling);
          expect(jitter).toBeGreaterThanOrEqual(0);
          expect(jitter).toBeLessThanOrEqual(ceiling);
          if (retryAfterMs === undefined || retryAfterMs === 0) {
            expect(decision.delayMs).toBe(jitter);
          } else {
            expect(decision.delayMs).toBe(Math.max(jitter, Math.min(retryAfterMs, RETRY_AFTER_LIMIT_MS)));
          }
        },
      ),
    );
  });

  it('uses a function policy as given for retryable errors', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.option(fc.integer({ min: 0, max: 1e9 }), { nil: undefined }),
        (attempt, delayMs) => {
          const decision =
            delayMs === undefined ? ({ retry: false } as const) : { retry: true as const, delayMs };
          expect(decideRetry(() => decision, ctx(attempt), Math.random)).toEqual(decision);
        },
      ),
    );
  });
});
