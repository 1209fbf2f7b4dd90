import { resolveRecipient } from '../channel/address.js';
import { newDelivery } from '../delivery/create.js';
import { deliveryId, sendJobId } from '../delivery/id.js';
import type { DeliveryTransition } from '../delivery/transition.js';
import type { Campaign, LaunchProgress } from '../domain/campaign.js';
import type { Customer } from '../domain/customer.js';
import type { Delivery } from '../domain/delivery.js';
import type { EngineContext } from '../engine/context.js';
import { NotFoundError, TemplateError } from '../errors.js';
import type { Channel } from '../ports/channel.js';
import type { EnqueueRequest } from '../ports/job-queue.js';
import { querySegmentPage } from '../segment/query.js';
import type { StatsPublisher } from '../stats/stats-publisher.js';
import { type CompiledTemplate, compileTemplate } from '../template/compile.js';
import { completeIfDone } from './completion.js';
import { assertCampaignTransition } from './state-machine.js';
import { publishStateChange, updateCampaign } from './update.js';

/**
 * Runs (or resumes) the snapshot of a running campaign's current round, batch by batch:
 * round 1 streams the audience, later rounds ("retry failed") stream the failed deliveries. Each
 * batch writes its deliveries as `queued` (insert-if-absent by deterministic id; unreachable
 * customers as `skipped`), enqueues one send job per queued delivery (idempotent by job id), and
 * checkpoints the cursor in the campaign. A crash anywhere resumes from the last checkpoint without
 * duplicates: the batch is written again, existing deliveries are left alone, and those still
 * waiting for their first attempt get their job enqueued again.
 *
 * The next audience page is read (and rendered) while the current one is written; checkpoints stay
 * in order, so a crash still resumes from the last page fully written.
 *
 * Returns when the round is fully snapshotted, when the campaign is cancelled or fails, or when
 * another launcher holds the lease. A paused campaign keeps snapshotting; its workers hold the sends.
 */
export class Launcher {
  private readonly id: string;

  constructor(
    private readonly ctx: EngineContext,
    private readonly stats: StatsPublisher,
  ) {
    this.id = ctx.ids.next('lnch_');
  }

  /** Takes the lease on the campaign's launch and runs it to the end. Returns the campaign. */
  async run(campaignId: string): Promise<Campaign> {
    const acquired = await this.acquire(campaignId);
    if (acquired === null) {
      const current = await this.ctx.storage.campaigns.get(campaignId);
      if (current === null) throw new NotFoundError('campaign', campaignId);
      return current;
    }
    let campaign: Campaign = acquired;
    // What can never succeed on retry (the channel was unregistered, the catalog lost a variable the
    // template uses) fails the campaign instead of leaving a launch to be resumed forever.
    const channel = this.ctx.channels.get(campaign.channel);
    if (channel === undefined)
      return this.fail(campaign.id, `channel "${campaign.channel}" is not registered`);
    let template: CompiledTemplate;
    try {
      template = compileTemplate(campaign.template, { catalog: this.ctx.catalog });
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      return this.fail(campaign.id, error.message);
    }
    const about = { id: campaign.id, name: campaign.name };
    const render = (customer: Customer) => template.render({ customer, campaign: about });
    try {
      campaign = await this.snapshot(campaign, channel, render);
    } catch (error) {
      // A message that cannot be rendered (customer data past a template limit, a filter failing on
      // a value) will not render on a retry either: fail the campaign once, with the reason.
      if (!(error instanceof RenderFailure)) throw error;
      return this.fail(campaign.id, error.message);
    }
    if (campaign.launch?.done === true) await completeIfDone(this.ctx, campaign.id);
    this.stats.notify(campaign.id);
    return (await this.ctx.storage.campaigns.get(campaign.id)) ?? campaign;
  }

  /** Snapshots batch after batch while the round lasts and the lease is ours. Returns the campaign as last written. */
  private async snapshot(
    start: Campaign,
    channel: Channel,
    render: (customer: Customer) => string,
  ): Promise<Campaign> {
    let campaign = start;
    // Round 1 reads (and renders) the next audience page while the current one is written, so the
    // store's work on one batch overlaps this process's work on the next.
    let ahead: Promise<AudiencePage> | null = null;
    while (isSnapshotting(campaign)) {
      const launch = campaign.launch as LaunchProgress;
      let batch: BatchOutcome;
      if (launch.round === 1) {
        const cursor = launch.cursor;
        let page = ahead === null ? null : await ahead;
        ahead = null;
        if (page === null || page.fromCursor !== cursor) {
          page = await this.readAudience(campaign, cursor, channel, render);
        }
        if (page.nextCursor !== null) {
          ahead = this.readAudience(campaign, page.nextCursor, channel, render);
          // Handled now, so a failure is never an unhandled rejection: it is thrown when the page is
          // awaited, and dropped with the page if the launch stops first.
          ahead.catch(() => undefined);
        }
        batch = await this.writeAudience(campaign, launch, page);
      } else {
        batch = await this.failedBatch(campaign, launch);
      }
      const next = await this.checkpoint(campaign.id, batch);
      if (next === null) break;
      campaign = next;
      this.stats.notify(campaign.id);
    }
    return campaign;
  }

  /**
   * Fails the campaign with `reason`, once: only while its launch is still held by this launcher
   * (a campaign cancelled or failed meanwhile is left as it is). Returns the campaign.
   */
  private async fail(campaignId: string, reason: string): Promise<Campaign> {
    const { campaign, changed, before } = await updateCampaign(this.ctx, campaignId, (current) => {
      if (!isSnapshotting(current) || current.launch?.owner !== this.id) return null;
      assertCampaignTransition(current, 'failed');
      return { ...current, state: 'failed', error: reason };
    });
    if (!changed) return campaign;
    this.ctx.logger.error({ campaignId, reason }, 'campaign failed');
    await publishStateChange(this.ctx, campaignId, before.state, 'failed');
    this.stats.notify(campaignId);
    return campaign;
  }

  /** Takes the lease if it is free, expired or ours; `null` if the launch is held or finished. */
  private async acquire(campaignId: string): Promise<Campaign | null> {
    const now = this.ctx.clock.now();
    const { campaign, changed } = await updateCampaign(this.ctx, campaignId, (current) => {
      const launch = current.launch;
      if (!isSnapshotting(current) || launch === undefined) return null;
      if (launch.owner !== this.id && launch.leaseUntil > now) return null;
      return { ...current, launch: { ...launch, owner: this.id, leaseUntil: now + this.ctx.launchLeaseMs } };
    });
    return changed ? campaign : null;
  }

  /** Reads the audience page at `cursor` and builds its deliveries (not written yet). */
  private async readAudience(
    campaign: Campaign,
    cursor: string | null,
    channel: Channel,
    render: (customer: Customer) => string,
  ): Promise<AudiencePage> {
    const at = new Date(this.ctx.clock.now());
    const page = await querySegmentPage(
      this.ctx.storage.customers,
      { rules: campaign.rules, now: campaign.launchedAt ?? at, catalog: this.ctx.catalog },
      { limit: this.ctx.launchBatchSize, cursor: cursor ?? undefined },
    );
    const deliveries: Delivery[] = [];
    let slice = performance.now();
    for (const customer of page.items) {
      const recipient = resolveRecipient(channel, customer);
      let message = '';
      if (recipient.ok) {
        message = renderFor(render, customer);
        // Costly templates (each render is bounded, a page of them is not) let other work run.
        if (performance.now() - slice > RENDER_SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          slice = performance.now();
        }
      }
      deliveries.push(
        newDelivery({
          id: deliveryId(campaign.id, customer.id),
          campaignId: campaign.id,
          customerId: customer.id,
          channel: campaign.channel,
          round: 1,
          at,
          status: recipient.ok ? 'queued' : 'skipped',
          address: recipient.ok ? recipient.address : undefined,
          message,
          skipReason: recipient.ok ? undefined : recipient.reason,
        }),
      );
    }
    return { fromCursor: cursor, deliveries, nextCursor: page.nextCursor };
  }

  /** Writes an audience page's deliveries and enqueues the first attempt of each new queued one. */
  private async writeAudience(
    campaign: Campaign,
    launch: LaunchProgress,
    page: AudiencePage,
  ): Promise<BatchOutcome> {
    const { deliveries } = page;
    const created = new Set(await this.ctx.storage.deliveries.createMany(deliveries));
    const toEnqueue = deliveries.filter((d) => d.status === 'queued' && created.has(d.id));
    // Deliveries a crashed launcher wrote before its checkpoint may lack their job: enqueue again
    // (idempotent by job id; a delivery already past its first attempt is no longer `queued`).
    const earlier = deliveries.filter((d) => !created.has(d.id)).map((d) => d.id);
    if (earlier.length > 0) {
      for (const d of await this.ctx.storage.deliveries.getMany(earlier)) {
        if (d !== null && isAwaitingFirstAttempt(d, 1)) toEnqueue.push(d);
      }
    }
    await this.enqueue(campaign, launch, toEnqueue);
    return {
      fromCursor: launch.cursor,
      matched: deliveries.length,
      scheduled: toEnqueue.length,
      nextCursor: page.nextCursor,
    };
  }

  private async failedBatch(campaign: Campaign, launch: LaunchProgress): Promise<BatchOutcome> {
    const at = new Date(this.ctx.clock.now());
    const page = await this.ctx.storage.deliveries.list(campaign.id, {
      statuses: ['failed', 'queued'],
      limit: this.ctx.launchBatchSize,
      cursor: launch.cursor ?? undefined,
    });
    const requeue: DeliveryTransition[] = page.items
      .filter((d) => d.status === 'failed')
      .map((d) => ({
        id: d.id,
        from: ['failed'],
        round: d.round,
        to: 'queued',
        at,
        set: { round: launch.round, attempts: 0, lastError: null, vendorMessageId: null },
      }));
    const results = await this.ctx.storage.deliveries.transitionMany(requeue);
    const toEnqueue = page.items.filter((d) => isAwaitingFirstAttempt(d, launch.round));
    for (const d of results) if (d !== null) toEnqueue.push(d);
    await this.enqueue(campaign, launch, toEnqueue);
    return {
      fromCursor: launch.cursor,
      matched: 0,
      scheduled: toEnqueue.length,
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Enqueues the first attempt of each delivery, spaced out by the campaign's throttle from the
   * start of the round (a "retry failed" round is spaced from its own start, not the launch's).
   */
  private async enqueue(
    campaign: Campaign,
    launch: LaunchProgress,
    deliveries: readonly Delivery[],
  ): Promise<void> {
    if (deliveries.length === 0) return;
    const now = this.ctx.clock.now();
    const start = launch.startedAt ?? campaign.launchedAt?.getTime() ?? now;
    const spacing = campaign.throttlePerSecond === undefined ? 0 : 1000 / campaign.throttlePerSecond;
    const jobs: EnqueueRequest[] = deliveries.map((d, i) => {
      const slotAt = start + (launch.scheduled + i) * spacing;
      return {
        id: sendJobId(d.id, launch.round, 1),
        payload: { kind: 'send', deliveryId: d.id, round: launch.round, attempt: 1 },
        delayMs: spacing === 0 ? 0 : Math.max(0, Math.round(slotAt - now)),
      };
    });
    await this.ctx.queue.enqueue(jobs);
  }

  /** Saves the batch's progress; `null` when the lease was lost to another launcher. */
  private async checkpoint(campaignId: string, batch: BatchOutcome): Promise<Campaign | null> {
    const now = this.ctx.clock.now();
    let lost = false;
    const { campaign } = await updateCampaign(this.ctx, campaignId, (current) => {
      const launch = current.launch;
      if (launch === undefined || launch.owner !== this.id) {
        lost = true;
        return null;
      }
      // Already saved: a write whose reply was lost is retried after a conflict; never count twice.
      if (launch.cursor !== batch.fromCursor) return null;
      return {
        ...current,
        audienceSize: (current.audienceSize ?? 0) + batch.matched,
        launch: {
          ...launch,
          cursor: batch.nextCursor,
          processed: launch.processed + batch.matched + (launch.round === 1 ? 0 : batch.scheduled),
          scheduled: launch.scheduled + batch.scheduled,
          done: batch.nextCursor === null,
          leaseUntil: now + this.ctx.launchLeaseMs,
        },
      };
    });
    return lost ? null : campaign;
  }
}

/** Longest stretch of rendering (ms) a launch does before letting the event loop run other work. */
const RENDER_SLICE_MS = 10;

/** A customer's message could not be rendered; the message says for whom and why. */
class RenderFailure extends Error {
  constructor(customerId: string, error: TemplateError) {
    const why = error.problems.map((p) => p.message).join('; ');
    super(`the template cannot be rendered for customer "${customerId}": ${why}`);
    this.name = 'RenderFailure';
  }
}

/** Renders one customer's message; a template failure becomes a {@link RenderFailure}. */
function renderFor(render: (customer: Customer) => string, customer: Customer): string {
  try {
    return render(customer);
  } catch (error) {
    if (error instanceof TemplateError) throw new RenderFailure(customer.id, error);
    throw error;
  }
}

/** An audience page read and turned into deliveries, not written yet. */
interface AudiencePage {
  /** The cursor the page was read from. */
  readonly fromCursor: string | null;
  readonly deliveries: readonly Delivery[];
  readonly nextCursor: string | null;
}

interface BatchOutcome {
  /** The cursor the batch started from. */
  readonly fromCursor: string | null;
  /** Audience members in the batch (round 1 only). */
  readonly matched: number;
  /** Deliveries given a send job. */
  readonly scheduled: number;
  readonly nextCursor: string | null;
}

/** True while a campaign's current round still has audience to snapshot. */
export function isSnapshotting(campaign: Campaign): boolean {
  return (
    (campaign.state === 'running' || campaign.state === 'paused') &&
    campaign.launch !== undefined &&
    !campaign.launch.done
  );
}

/** A queued delivery of this round whose first attempt has not been claimed yet. */
function isAwaitingFirstAttempt(d: Delivery, round: number): boolean {
  return d.status === 'queued' && d.round === round && d.attempts === 0;
}
