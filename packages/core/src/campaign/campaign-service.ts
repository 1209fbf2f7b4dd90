import type { Campaign, CampaignState } from '../domain/campaign.js';
import type { Delivery, DeliveryStatus } from '../domain/delivery.js';
import type { EngineContext } from '../engine/context.js';
import { ConflictError, IllegalTransitionError, NotFoundError, ValidationError } from '../errors.js';
import type { CampaignStats } from '../ports/event-bus.js';
import type { Page } from '../ports/storage.js';
import { readCampaignStats } from '../stats/campaign-stats.js';
import type { StatsPublisher } from '../stats/stats-publisher.js';
import { checkPage, type PageInput } from '../util/page-options.js';
import { completeIfDone } from './completion.js';
import { buildCampaignDraft } from './create.js';
import type { Launcher } from './launch.js';
import { isSnapshotting } from './launch.js';
import { type TestSendResult, testSendCampaign } from './test-send.js';
import { transitionCampaign } from './update.js';

/** Options of {@link CampaignService.launch}. */
export interface LaunchOptions {
  /**
   * Wait for the audience snapshot to finish before resolving. With `false` the snapshot runs in the
   * background (errors are logged) and the running campaign is returned at once. @default true
   */
  readonly wait?: boolean;
}

/** Options of {@link CampaignService.list}. */
export interface CampaignListOptions extends PageInput {
  readonly states?: readonly CampaignState[];
}

/** Options of {@link CampaignService.deliveries}. */
export interface DeliveryListOptions extends PageInput {
  readonly statuses?: readonly DeliveryStatus[];
}

/** Campaigns: create, launch, pause, resume, cancel, retry failed, stats and the delivery log. */
export class CampaignService {
  constructor(
    private readonly ctx: EngineContext,
    private readonly launcher: Launcher,
    private readonly publisher: StatsPublisher,
  ) {}

  /** Validates and stores a draft campaign. Throws `ValidationError` listing every problem. */
  async create(input: unknown): Promise<Campaign> {
    const draft = await buildCampaignDraft(this.ctx, input);
    await this.ctx.storage.campaigns.create(draft);
    return draft;
  }

  /** The campaign, or `null`. */
  get(id: string): Promise<Campaign | null> {
    return this.ctx.storage.campaigns.get(id);
  }

  /** Campaigns, newest first. */
  async list(options: CampaignListOptions = {}): Promise<Page<Campaign>> {
    return this.ctx.storage.campaigns.list({
      ...checkPage(options, 'campaign list'),
      ...(options.states === undefined ? {} : { states: options.states }),
    });
  }

  /**
   * Launches a draft: with a future `sendAt` it becomes `scheduled` (a worker launches it when due);
   * otherwise it starts `running`: the audience is snapshotted in batches and one send job is
   * enqueued per reachable customer. Launching a running campaign whose snapshot was interrupted
   * resumes it. A scheduled campaign whose `sendAt` has come launches now. Illegal from any other
   * state (`IllegalTransitionError`): a running, paused or finished campaign is not launched again.
   */
  async launch(id: string, options: LaunchOptions = {}): Promise<Campaign> {
    const campaign = await this.require(id);
    if (isSnapshotting(campaign)) return this.snapshot(id, options);
    const sendAt = campaign.sendAt?.getTime();
    const due = sendAt === undefined || sendAt <= this.ctx.clock.now();
    if (campaign.state === 'draft' && !due) return transitionCampaign(this.ctx, id, 'scheduled');
    // Only a draft, or a scheduled campaign whose time has come, can be launched. The state machine
    // alone would let `launch` restart a completed campaign or resume a paused one.
    if (campaign.state !== 'draft' && !(campaign.state === 'scheduled' && due)) {
      throw new IllegalTransitionError(
        'campaign',
        id,
        campaign.state,
        campaign.state === 'scheduled' ? 'scheduled' : 'running',
      );
    }
    await this.start(campaign);
    return this.snapshot(id, options);
  }

  /**
   * Launches every scheduled campaign whose `sendAt` has come. Returns their ids. A campaign that
   * cannot start (e.g. its segment was deleted) is logged and left scheduled; the others go on.
   */
  async launchDue(): Promise<string[]> {
    const now = this.ctx.clock.now();
    const due = (await this.ctx.storage.campaigns.listByState(['scheduled'], 100)).filter(
      (c) => (c.sendAt?.getTime() ?? 0) <= now,
    );
    const launched: string[] = [];
    for (const campaign of due) {
      try {
        await this.start(campaign);
        launched.push(campaign.id);
        await this.snapshot(campaign.id, { wait: true });
      } catch (error) {
        if (error instanceof ConflictError || isIllegal(error)) continue; // another process won
        // One campaign that cannot launch (e.g. its segment was deleted) must not hold up the rest.
        this.ctx.logger.error({ err: error, campaignId: campaign.id }, 'could not launch scheduled campaign');
      }
    }
    return launched;
  }

  /** Resumes snapshots whose launcher stopped holding the lease (e.g. its process died). */
  async resumeStalledLaunches(): Promise<void> {
    const now = this.ctx.clock.now();
    const open = await this.ctx.storage.campaigns.listByState(['running', 'paused'], 100);
    for (const campaign of open) {
      if (isSnapshotting(campaign) && (campaign.launch?.leaseUntil ?? 0) <= now) {
        await this.launcher.run(campaign.id);
      } else if (campaign.state === 'running') {
        await this.completeIfDone(campaign.id);
      }
    }
  }

  /** Holds sending: workers defer the campaign's jobs until `resume`. */
  pause(id: string): Promise<Campaign> {
    return this.changeState(id, 'paused');
  }

  /** Sends again after `pause`. `IllegalTransitionError` unless the campaign is paused. */
  async resume(id: string): Promise<Campaign> {
    const current = await this.require(id);
    // `draft`/`scheduled` → `running` is a launch, not a resume: it must snapshot the audience.
    if (current.state !== 'paused') {
      throw new IllegalTransitionError('campaign', id, current.state, 'running');
    }
    const campaign = await this.changeState(id, 'running', 'paused');
    await this.completeIfDone(id);
    return (await this.get(id)) ?? campaign;
  }

  /** Cancels: nothing more is sent; waiting deliveries become `cancelled`. Final. */
  async cancel(id: string): Promise<Campaign> {
    const campaign = await this.changeState(id, 'cancelled');
    const at = new Date(this.ctx.clock.now());
    let cursor: string | undefined;
    do {
      const page = await this.ctx.storage.deliveries.list(id, {
        statuses: ['pending', 'queued', 'retrying'],
        limit: 500,
        cursor,
      });
      await this.ctx.storage.deliveries.transitionMany(
        page.items.map((d) => ({
          id: d.id,
          from: ['pending', 'queued', 'retrying'],
          round: d.round,
          to: 'cancelled',
          at,
        })),
      );
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    await this.publisher.publish(id);
    return campaign;
  }

  /**
   * Starts a new round for the permanently failed deliveries of a completed (or failed) campaign:
   * each gets a fresh set of attempts. Returns the campaign unchanged when nothing failed.
   * `IllegalTransitionError` from any other state.
   */
  async retryFailed(id: string, options: LaunchOptions = {}): Promise<Campaign> {
    const campaign = await this.require(id);
    // Only a finished campaign starts a new round (a draft or paused one must not jump to `running`).
    if (campaign.state !== 'completed' && campaign.state !== 'failed') {
      throw new IllegalTransitionError('campaign', id, campaign.state, 'running');
    }
    const counts = await this.ctx.storage.deliveries.counts(id);
    if (counts.byStatus.failed === 0) return campaign;
    await transitionCampaign(
      this.ctx,
      id,
      'running',
      (current) => ({
        completedAt: undefined,
        launch: {
          round: (current.launch?.round ?? 1) + 1,
          cursor: null,
          processed: 0,
          scheduled: 0,
          startedAt: this.ctx.clock.now(),
          done: false,
          leaseUntil: 0,
          owner: '',
        },
      }),
      campaign.state,
    );
    return this.snapshot(id, options);
  }

  /**
   * Renders the campaign's message for one customer (`{ customerId, to? }`) and sends it once
   * through its channel, to check wording and wiring before launch. Stores nothing: no delivery,
   * no stats. Works in any state.
   */
  async testSend(id: string, input: unknown): Promise<TestSendResult> {
    return testSendCampaign(this.ctx, await this.require(id), input);
  }

  /** Live statistics: counts per delivery status, attempts, retries, engagement. */
  stats(id: string): Promise<CampaignStats> {
    return readCampaignStats(this.ctx, id);
  }

  /** The campaign's delivery log, ascending id, optionally only some statuses. */
  async deliveries(id: string, options: DeliveryListOptions = {}): Promise<Page<Delivery>> {
    const page = checkPage(options, 'delivery list');
    await this.require(id);
    return this.ctx.storage.deliveries.list(id, {
      ...page,
      ...(options.statuses === undefined ? {} : { statuses: options.statuses }),
    });
  }

  private async start(campaign: Campaign): Promise<void> {
    let rules = campaign.rules;
    if (campaign.segmentId !== undefined) {
      const segment = await this.ctx.storage.segments.get(campaign.segmentId);
      if (segment === null) {
        throw new ValidationError('cannot launch campaign', [
          {
            path: ['segmentId'],
            code: 'not_found',
            message: `segment "${campaign.segmentId}" no longer exists`,
          },
        ]);
      }
      rules = segment.rules;
    }
    const now = this.ctx.clock.now();
    await transitionCampaign(this.ctx, campaign.id, 'running', () => ({
      rules,
      launchedAt: new Date(now),
      audienceSize: 0,
      launch: {
        round: 1,
        cursor: null,
        processed: 0,
        scheduled: 0,
        startedAt: now,
        done: false,
        leaseUntil: 0,
        owner: '',
      },
    }));
  }

  private async snapshot(id: string, options: LaunchOptions): Promise<Campaign> {
    const run = this.launcher.run(id);
    if (options.wait ?? true) return run;
    run.catch((error: unknown) => this.ctx.logger.error({ err: error, campaignId: id }, 'launch failed'));
    return this.require(id);
  }

  /** Completes the campaign if it is done, then publishes its final stats (`campaign.stats` ends completed). */
  private async completeIfDone(id: string): Promise<void> {
    if ((await completeIfDone(this.ctx, id)) !== null) await this.publisher.publish(id);
  }

  private async changeState(id: string, to: CampaignState, from?: CampaignState): Promise<Campaign> {
    const campaign = await transitionCampaign(this.ctx, id, to, () => ({}), from);
    await this.publisher.publish(id);
    return campaign;
  }

  private async require(id: string): Promise<Campaign> {
    const campaign = await this.ctx.storage.campaigns.get(id);
    if (campaign === null) throw new NotFoundError('campaign', id);
    return campaign;
  }
}

function isIllegal(error: unknown): boolean {
  return error instanceof Error && (error as { code?: string }).code === 'ILLEGAL_TRANSITION';
}
