import { sendJobId } from '../delivery/id.js';
import type { DeliveryTransition } from '../delivery/transition.js';
import type { Campaign } from '../domain/campaign.js';
import type { Delivery, DeliveryError, DeliveryStatus } from '../domain/delivery.js';
import type { EngineContext } from '../engine/context.js';
import type { EnqueueRequest } from '../ports/job-queue.js';
import { decideRetry, type RetryPolicy, resolveRetrySettings } from '../retry/retry-policy.js';

/** A failed attempt to settle: the delivery as last read (status `sending` or `sent`). */
export interface FailedAttempt {
  readonly delivery: Delivery;
  readonly campaign: Campaign;
  readonly error: DeliveryError & { readonly retryAfterMs?: number | undefined };
}

const IN_FLIGHT: readonly DeliveryStatus[] = ['sending', 'sent'];

/** The retry policy of a campaign: its own settings over the engine's, or the engine's function. */
export function retryPolicyFor(ctx: EngineContext, campaign: Campaign): RetryPolicy {
  if (campaign.retry === undefined) return ctx.retry;
  if (typeof ctx.retry === 'function') return resolveRetrySettings(campaign.retry);
  return resolveRetrySettings(ctx.retry, campaign.retry);
}

/**
 * Decides, for each failed attempt, between a retry (the next attempt's job is enqueued first, then
 * the delivery moves to `retrying`) and a permanent failure (`failed`). Enqueue-before-transition
 * makes a crash in between harmless: the early job waits until the delivery settles. No retry is
 * scheduled for a campaign that is no longer running or paused.
 */
export async function settleFailedAttempts(
  ctx: EngineContext,
  failures: readonly FailedAttempt[],
): Promise<(Delivery | null)[]> {
  if (failures.length === 0) return [];
  const now = ctx.clock.now();
  const at = new Date(now);
  const jobs: EnqueueRequest[] = [];
  const transitions: DeliveryTransition[] = [];
  for (const { delivery: d, campaign, error } of failures) {
    const live = campaign.state === 'running' || campaign.state === 'paused';
    const decision = live
      ? decideRetry(
          retryPolicyFor(ctx, campaign),
          { attempt: d.attempts, error, deliveryId: d.id, campaignId: d.campaignId },
          ctx.random,
        )
      : ({ retry: false } as const);
    const lastError: DeliveryError = {
      message: error.message,
      retryable: error.retryable,
      ...(error.code === undefined ? {} : { code: error.code }),
    };
    // `sending` and `sent` are one attempt in flight: a vendor's FAILED receipt read the delivery as
    // `sending` may land after the worker recorded the vendor's acceptance (`sent`), and must still
    // apply. Round and attempts pin the attempt.
    const from: readonly DeliveryStatus[] =
      d.status === 'sending' || d.status === 'sent' ? IN_FLIGHT : [d.status];
    const condition = { id: d.id, from, round: d.round, attempts: d.attempts, at } as const;
    if (decision.retry) {
      jobs.push({
        id: sendJobId(d.id, d.round, d.attempts + 1),
        payload: { kind: 'send', deliveryId: d.id, round: d.round, attempt: d.attempts + 1 },
        delayMs: decision.delayMs,
      });
      transitions.push({
        ...condition,
        to: 'retrying',
        set: { lastError, nextAttemptAt: new Date(now + decision.delayMs) },
      });
    } else {
      transitions.push({ ...condition, to: 'failed', set: { lastError } });
    }
  }
  if (jobs.length > 0) await ctx.queue.enqueue(jobs);
  return ctx.storage.deliveries.transitionMany(transitions);
}
