import type { EngineContext } from '../engine/context.js';
import type { TimerHandle } from '../ports/clock.js';
import { readCampaignStats } from './campaign-stats.js';

/**
 * Publishes `campaign.stats` events, throttled per campaign: however many changes happen, at most one
 * event per `intervalMs` per campaign, and always one after the last change.
 */
export class StatsPublisher {
  private readonly timers = new Map<string, TimerHandle>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly intervalMs: number,
  ) {}

  /** Marks a campaign's stats as changed; an event follows within `intervalMs`. */
  notify(campaignId: string): void {
    if (this.closed || this.timers.has(campaignId)) return;
    const handle = this.ctx.clock.setTimeout(() => {
      this.timers.delete(campaignId);
      this.track(this.publish(campaignId));
    }, this.intervalMs);
    this.timers.set(campaignId, handle);
  }

  /** Publishes a campaign's stats now (e.g. on completion). */
  async publish(campaignId: string): Promise<void> {
    try {
      const stats = await readCampaignStats(this.ctx, campaignId);
      await this.ctx.bus.publish('campaign.stats', stats);
    } catch (error) {
      this.ctx.logger.warn({ err: error, campaignId }, 'could not publish campaign stats');
    }
  }

  /** Publishes what is pending now and stops. */
  async close(): Promise<void> {
    this.closed = true;
    const pending = [...this.timers.keys()];
    for (const handle of this.timers.values()) this.ctx.clock.clearTimeout(handle);
    this.timers.clear();
    await Promise.all([...this.inFlight, ...pending.map((id) => this.publish(id))]);
  }

  private track(promise: Promise<void>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }
}
