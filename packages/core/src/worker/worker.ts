import { completeIfDone } from '../campaign/completion.js';
import { type FailedAttempt, settleFailedAttempts } from '../campaign/failure.js';
import type { DeliveryTransition } from '../delivery/transition.js';
import type { Campaign } from '../domain/campaign.js';
import type { Delivery } from '../domain/delivery.js';
import type { EngineContext } from '../engine/context.js';
import { type Problem, ValidationError } from '../errors.js';
import type { SendResult } from '../ports/channel.js';
import type { ReservedJob } from '../ports/job-queue.js';
import type { StatsPublisher } from '../stats/stats-publisher.js';
import { checkInteger } from '../util/check-integer.js';
import { publishDeliveryUpdates } from './delivery-events.js';
import { RateLimiter } from './rate-limiter.js';
import { sendAttempt } from './send-attempt.js';

/** Options of a {@link Worker}. */
export interface WorkerOptions {
  /** Jobs reserved and processed together. @default 256 */
  readonly batchSize?: number;
  /**
   * Batches in progress at once, each reserved on its own. With 2 or more, one batch's round trips
   * to the store and queue overlap another's work: worth it when they are remote (a network hop
   * away) or busy. Exactly-once effects hold as with several worker processes. @default 1
   */
  readonly concurrency?: number;
  /** A job not acked within this time is handed to another worker. @default 30000 */
  readonly visibilityTimeoutMs?: number;
  /** How long one reserve waits for jobs. @default 250 */
  readonly blockMs?: number;
  /** How long a job of a paused campaign waits before it is looked at again. @default 1000 */
  readonly pausedRecheckMs?: number;
  /**
   * Longest a job waits when the previous attempt of its delivery is still in flight. A job seen
   * just after its delivery changed waits about as long as the delivery has been in that state
   * (at least 10 ms): a retry handed out a moment before its delivery moved to `retrying` is taken
   * again almost at once. @default 1000
   */
  readonly inFlightRecheckMs?: number;
  /** How often to launch due scheduled campaigns, resume stalled launches, and complete finished campaigns. @default 1000 */
  readonly maintenanceIntervalMs?: number;
  /** Consumer name, for queues that track consumers. */
  readonly name?: string;
}

/** What a worker needs besides the context. */
export interface WorkerDeps {
  readonly stats: StatsPublisher;
  /** Periodic upkeep: due schedules, stalled launches, completion sweep. */
  readonly maintenance: () => Promise<void>;
}

interface Claim {
  readonly job: ReservedJob;
  readonly delivery: Delivery;
  readonly campaign: Campaign;
}

/**
 * Consumes send jobs: claims each delivery's attempt (conditional `→ sending`), calls the channel
 * with the attempt's idempotency key, records the outcome, and schedules retries. At-least-once job
 * execution with exactly-once effects: a redelivered job never sends a second message for the same
 * attempt (the channel dedupes by key) and never moves a counter twice (transitions are conditional).
 */
export class Worker {
  private readonly limiter = new RateLimiter();
  private readonly opts: Required<Omit<WorkerOptions, 'name'>> & { name: string };
  private running = false;
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private maintenanceTimer: unknown = null;
  private maintenanceRun: Promise<void> | null = null;

  constructor(
    private readonly ctx: EngineContext,
    private readonly deps: WorkerDeps,
    options: WorkerOptions = {},
  ) {
    const problems: Problem[] = [];
    checkInteger(problems, ['batchSize'], options.batchSize, 1, 100_000);
    checkInteger(problems, ['concurrency'], options.concurrency, 1, 64);
    if (problems.length > 0) throw new ValidationError('invalid worker options', problems);
    this.opts = {
      batchSize: options.batchSize ?? 256,
      concurrency: options.concurrency ?? 1,
      visibilityTimeoutMs: options.visibilityTimeoutMs ?? 30_000,
      blockMs: options.blockMs ?? 250,
      pausedRecheckMs: options.pausedRecheckMs ?? 1000,
      inFlightRecheckMs: options.inFlightRecheckMs ?? 1000,
      maintenanceIntervalMs: options.maintenanceIntervalMs ?? 1000,
      name: options.name ?? ctx.ids.next('wrk_'),
    };
  }

  /** True between `start()` and `stop()`. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Starts consuming jobs and running upkeep in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    const loops = Array.from({ length: this.opts.concurrency }, () => this.consume());
    this.loop = Promise.all(loops).then(() => undefined);
    this.scheduleMaintenance(0);
  }

  /** Stops taking jobs and waits for the batches in hand to finish. Jobs not taken stay queued. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort?.abort();
    if (this.maintenanceTimer !== null) this.ctx.clock.clearTimeout(this.maintenanceTimer);
    this.maintenanceTimer = null;
    await this.loop;
    await this.maintenanceRun;
    this.loop = null;
  }

  /** Reserves one batch (waiting up to `blockMs`) and processes it. Returns the number of jobs. */
  async processBatch(blockMs = 0): Promise<number> {
    const jobs = await this.ctx.queue.reserve({
      max: this.opts.batchSize,
      visibilityTimeoutMs: this.opts.visibilityTimeoutMs,
      blockMs,
      consumer: this.opts.name,
      ...(this.abort === null ? {} : { signal: this.abort.signal }),
    });
    if (jobs.length > 0) await this.handle(jobs);
    return jobs.length;
  }

  private async consume(): Promise<void> {
    while (this.running) {
      try {
        await this.processBatch(this.opts.blockMs);
      } catch (error) {
        this.ctx.logger.error({ err: error, worker: this.opts.name }, 'worker batch failed');
        await new Promise<void>((resolve) => this.ctx.clock.setTimeout(resolve, 500));
      }
    }
  }

  private scheduleMaintenance(delayMs: number): void {
    if (!this.running) return;
    this.maintenanceTimer = this.ctx.clock.setTimeout(() => {
      this.maintenanceRun = this.deps
        .maintenance()
        .catch((error: unknown) => this.ctx.logger.error({ err: error }, 'worker upkeep failed'))
        .finally(() => this.scheduleMaintenance(this.opts.maintenanceIntervalMs));
    }, delayMs);
  }

  private async handle(jobs: readonly ReservedJob[]): Promise<void> {
    const now = this.ctx.clock.now();
    const at = new Date(now);
    const deliveries = await this.ctx.storage.deliveries.getMany(jobs.map((j) => j.payload.deliveryId));
    const campaigns = await this.loadCampaigns(deliveries);
    const ack: ReservedJob[] = [];
    const release: [ReservedJob, number][] = [];
    const claims: Claim[] = [];
    const resends: Claim[] = [];
    const stops: DeliveryTransition[] = [];

    jobs.forEach((job, i) => {
      const delivery = deliveries[i] ?? null;
      const campaign = delivery === null ? undefined : campaigns.get(delivery.campaignId);
      const p = job.payload;
      if (delivery === null || campaign === undefined || delivery.round !== p.round) {
        ack.push(job);
        return;
      }
      if (delivery.status === 'sending' && delivery.attempts === p.attempt) {
        // The worker that claimed this attempt died: finish it with the same idempotency key.
        resends.push({ job, delivery, campaign });
        return;
      }
      const awaiting =
        (delivery.status === 'pending' || delivery.status === 'queued' || delivery.status === 'retrying') &&
        delivery.attempts === p.attempt - 1;
      if (!awaiting) {
        if (
          (delivery.status === 'sending' || delivery.status === 'sent') &&
          delivery.attempts === p.attempt - 1
        ) {
          // The previous attempt has not settled yet.
          release.push([job, inFlightRecheckDelay(delivery, now, this.opts.inFlightRecheckMs)]);
        } else {
          ack.push(job); // stale: this attempt was already handled
        }
        return;
      }
      switch (campaign.state) {
        case 'running':
          claims.push({ job, delivery, campaign });
          return;
        case 'paused':
        case 'scheduled':
        case 'draft':
          release.push([job, this.opts.pausedRecheckMs]);
          return;
        default: {
          // cancelled, completed or failed: this attempt will not be made.
          const to =
            campaign.state === 'cancelled' || delivery.status !== 'retrying' ? 'cancelled' : 'failed';
          stops.push({
            id: delivery.id,
            from: [delivery.status],
            round: delivery.round,
            attempts: delivery.attempts,
            to,
            at,
          });
          ack.push(job);
        }
      }
    });

    const allowed = this.throttle(claims, release, now);
    const claimed = await this.ctx.storage.deliveries.transitionMany(
      allowed.map(({ delivery: d, job }) => ({
        id: d.id,
        from: ['pending', 'queued', 'retrying'],
        round: d.round,
        attempts: job.payload.attempt - 1,
        to: 'sending',
        at,
        set: { attempts: job.payload.attempt },
      })),
    );
    const toSend: Claim[] = [...resends];
    const unclaimed: Claim[] = [];
    allowed.forEach((claim, i) => {
      const d = claimed[i] ?? null;
      if (d === null) unclaimed.push(claim);
      else toSend.push({ ...claim, delivery: d });
    });
    if (unclaimed.length > 0) {
      // The claim did not apply: usually another change won (ack: the job is stale). But a claim
      // whose reply was lost (a connection dropped after the write, the client re-sent it) comes
      // back as not applied while the delivery *is* sending this attempt: finish it, same key.
      const current = await this.ctx.storage.deliveries.getMany(unclaimed.map((c) => c.delivery.id));
      unclaimed.forEach((claim, i) => {
        const d = current[i] ?? null;
        const p = claim.job.payload;
        if (d !== null && d.status === 'sending' && d.round === p.round && d.attempts === p.attempt) {
          toSend.push({ ...claim, delivery: d });
        } else {
          ack.push(claim.job);
        }
      });
    }

    const results = await Promise.all(
      toSend.map(({ delivery }) => {
        const channel = this.ctx.channels.get(delivery.channel);
        return channel === undefined
          ? Promise.resolve<SendResult>({
              status: 'rejected',
              retryable: false,
              errorCode: 'UNKNOWN_CHANNEL',
              error: `channel "${delivery.channel}" is not registered`,
            })
          : sendAttempt(channel, delivery);
      }),
    );

    const settled: DeliveryTransition[] = [];
    const failures: FailedAttempt[] = [];
    const doneAt = new Date(this.ctx.clock.now());
    toSend.forEach(({ delivery: d, campaign }, i) => {
      const result = results[i] as SendResult;
      if (result.status === 'accepted') {
        settled.push({
          id: d.id,
          from: ['sending'],
          round: d.round,
          attempts: d.attempts,
          to: result.delivered === true ? 'delivered' : 'sent',
          at: doneAt,
          set: { vendorMessageId: result.vendorMessageId ?? null, lastError: null },
        });
      } else {
        failures.push({
          delivery: d,
          campaign,
          error: {
            message: result.error ?? 'rejected by the channel',
            code: result.errorCode,
            retryable: result.retryable,
            retryAfterMs: result.retryAfterMs,
          },
        });
      }
      ack.push(toSend[i]!.job);
    });

    const [stopped, sent, failed] = await Promise.all([
      stops.length > 0 ? this.ctx.storage.deliveries.transitionMany(stops) : [],
      settled.length > 0 ? this.ctx.storage.deliveries.transitionMany(settled) : [],
      settleFailedAttempts(this.ctx, failures),
    ]);
    await Promise.all([
      ack.length > 0 ? this.ctx.queue.ack(ack) : undefined,
      ...release.map(([job, delay]) => this.ctx.queue.release(job, delay)),
    ]);
    if (this.ctx.deliveryEvents) {
      await publishDeliveryUpdates(this.ctx, [...claimed, ...stopped, ...sent, ...failed]);
    }
    for (const campaignId of campaigns.keys()) {
      this.deps.stats.notify(campaignId);
      await completeIfDone(this.ctx, campaignId);
    }
  }

  /** Keeps each throttled campaign under its rate; jobs over it are released until a token frees up. */
  private throttle(claims: Claim[], release: [ReservedJob, number][], now: number): Claim[] {
    const byCampaign = new Map<string, Claim[]>();
    for (const claim of claims) {
      const list = byCampaign.get(claim.campaign.id);
      if (list === undefined) byCampaign.set(claim.campaign.id, [claim]);
      else list.push(claim);
    }
    const allowed: Claim[] = [];
    for (const [campaignId, list] of byCampaign) {
      const rate = list[0]!.campaign.throttlePerSecond;
      if (rate === undefined) {
        allowed.push(...list);
        continue;
      }
      const granted = this.limiter.take(campaignId, rate, list.length, now);
      allowed.push(...list.slice(0, granted));
      const wait = Math.max(1, this.limiter.waitMs(campaignId, rate));
      for (const claim of list.slice(granted)) release.push([claim.job, wait]);
    }
    return allowed;
  }

  private async loadCampaigns(deliveries: readonly (Delivery | null)[]): Promise<Map<string, Campaign>> {
    const ids = new Set<string>();
    for (const d of deliveries) if (d !== null) ids.add(d.campaignId);
    const map = new Map<string, Campaign>();
    await Promise.all(
      [...ids].map(async (id) => {
        const campaign = await this.ctx.storage.campaigns.get(id);
        if (campaign !== null) map.set(id, campaign);
      }),
    );
    return map;
  }
}

/** Shortest wait of a job whose delivery's previous attempt is still in flight. */
const MIN_IN_FLIGHT_RECHECK_MS = 10;

/**
 * How long a job waits when its delivery's previous attempt is still in flight (`sending` or
 * `sent`). A retry's job is enqueued just before its delivery moves to `retrying` (see
 * `settleFailedAttempts`), so another worker, or another batch of this one, can be handed the job a
 * moment early; the transition then lands within milliseconds. So the job waits about as long as
 * the delivery has been in its current state: a few milliseconds for that race, growing (each look
 * doubles the age) to `maxMs` for an attempt long in flight, whose settling process died between
 * the enqueue and the transition (its own job comes back after the visibility timeout).
 */
export function inFlightRecheckDelay(delivery: Delivery, now: number, maxMs: number): number {
  const age = now - delivery.updatedAt.getTime();
  return Math.min(maxMs, Math.max(MIN_IN_FLIGHT_RECHECK_MS, age));
}
