import { completeIfDone } from '../campaign/completion.js';
import { type FailedAttempt, settleFailedAttempts } from '../campaign/failure.js';
import type { DeliveryTransition } from '../delivery/transition.js';
import type { Campaign } from '../domain/campaign.js';
import type { Delivery } from '../domain/delivery.js';
import type { Receipt } from '../domain/receipt.js';
import type { EngineContext } from '../engine/context.js';
import type { TimerHandle } from '../ports/clock.js';
import type { StatsPublisher } from '../stats/stats-publisher.js';
import { receiptEffect } from './receipt-effect.js';

/** What became of one receipt. */
export type ReceiptOutcome =
  /** It moved its delivery. */
  | 'applied'
  /** Its id was seen before: ignored. */
  | 'duplicate'
  /** Valid, but the delivery is already past it (late or out-of-order): no change. */
  | 'stale'
  /** No delivery matches its `deliveryId` / `vendorMessageId`: not recorded, so a redelivery can still apply. */
  | 'unmatched';

/** Options of the receipt batching. */
export interface ReceiptBatchOptions {
  /** Apply as soon as this many receipts wait. @default 500 */
  readonly batchSize?: number;
  /**
   * While a batch is being applied, receipts that arrive wait for it to finish (they then go
   * together as the next batch), but at most this long (ms). An idle processor applies a receipt at
   * once. @default 20
   */
  readonly maxWaitMs?: number;
}

interface Waiting {
  readonly receipt: Receipt;
  readonly resolve: (outcome: ReceiptOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Applies receipts in batches, group-commit style: an idle processor applies what arrives at once;
 * while a batch is being applied, newcomers gather into the next one, which goes when the batch in
 * progress is done, when `batchSize` are waiting, or after `maxWaitMs`, whichever comes first. So a
 * lone receipt waits for nothing, and a flood is applied in a few large batches. Receipts are
 * deduplicated by receipt id and written with bulk conditional transitions, so counters move exactly
 * once per real transition.
 * `submit` resolves once its receipt's batch is stored: a caller that acknowledges a webhook after
 * awaiting it never loses a receipt to a crash.
 */
export class ReceiptProcessor {
  private buffer: Waiting[] = [];
  private timer: TimerHandle | null = null;
  private readonly flushing = new Set<Promise<void>>();
  private readonly batchSize: number;
  private readonly maxWaitMs: number;

  constructor(
    private readonly ctx: EngineContext,
    private readonly stats: StatsPublisher,
    options: ReceiptBatchOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.maxWaitMs = options.maxWaitMs ?? 20;
  }

  /** Queues receipts for the next batch; resolves with each one's outcome once stored. */
  submit(receipts: readonly Receipt[]): Promise<ReceiptOutcome[]> {
    const outcomes = receipts.map(
      (receipt) =>
        new Promise<ReceiptOutcome>((resolve, reject) => {
          this.buffer.push({ receipt, resolve, reject });
        }),
    );
    if (this.buffer.length >= this.batchSize || this.flushing.size === 0) this.flushNow();
    else if (this.timer === null && this.buffer.length > 0) {
      this.timer = this.ctx.clock.setTimeout(() => this.flushNow(), this.maxWaitMs);
    }
    return Promise.all(outcomes);
  }

  /** Applies everything waiting now and waits for batches in progress. */
  async flush(): Promise<void> {
    this.flushNow();
    await Promise.all([...this.flushing]);
  }

  private flushNow(): void {
    if (this.timer !== null) this.ctx.clock.clearTimeout(this.timer);
    this.timer = null;
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.batchSize);
      const run = this.apply(batch).then(
        (outcomes) => {
          batch.forEach((w, i) => {
            w.resolve(outcomes[i] ?? 'stale');
          });
        },
        (error: unknown) => {
          for (const w of batch) w.reject(error);
        },
      );
      this.flushing.add(run);
      void run.finally(() => {
        this.flushing.delete(run);
        // Group commit: what gathered while this batch was applied goes now.
        if (this.flushing.size === 0 && this.buffer.length > 0) this.flushNow();
      });
    }
  }

  private async apply(batch: readonly Waiting[]): Promise<ReceiptOutcome[]> {
    const storage = this.ctx.storage;
    const outcomes: ReceiptOutcome[] = new Array(batch.length).fill('stale');
    const ids = batch.map((w) => w.receipt.id);
    const seen = await storage.receipts.seen(ids);
    const firstIndex = new Map<string, number>();
    batch.forEach((w, i) => {
      if (seen.has(w.receipt.id) || firstIndex.has(w.receipt.id)) outcomes[i] = 'duplicate';
      else firstIndex.set(w.receipt.id, i);
    });

    // Resolve each receipt to a delivery id.
    const vendorIds = [...firstIndex.values()]
      .map((i) => batch[i]!.receipt)
      .filter((r) => r.deliveryId === undefined && r.vendorMessageId !== undefined)
      .map((r) => r.vendorMessageId as string);
    const byVendor =
      vendorIds.length > 0 ? await storage.deliveries.findByVendorMessageIds(vendorIds) : new Map();
    const target = new Map<number, string>();
    for (const i of firstIndex.values()) {
      const r = batch[i]!.receipt;
      const id =
        r.deliveryId ?? (r.vendorMessageId === undefined ? undefined : byVendor.get(r.vendorMessageId));
      if (id === undefined) outcomes[i] = 'unmatched';
      else target.set(i, id);
    }
    const deliveryIds = [...new Set(target.values())];
    const loaded = await storage.deliveries.getMany(deliveryIds);
    const current = new Map<string, Delivery>();
    loaded.forEach((d) => {
      if (d !== null) current.set(d.id, d);
    });
    for (const [i, id] of target) {
      if (!current.has(id)) {
        outcomes[i] = 'unmatched';
        target.delete(i);
      }
    }
    const campaigns = await this.loadCampaigns(current);

    // Waves: the k-th receipt of every delivery goes in wave k, in arrival order, so several receipts
    // for one delivery in one batch apply one after another against its latest state.
    const waves: number[][] = [];
    const perDelivery = new Map<string, number>();
    for (const [i, id] of [...target].sort((a, b) => a[0] - b[0])) {
      const k = perDelivery.get(id) ?? 0;
      perDelivery.set(id, k + 1);
      const wave = waves[k] ?? [];
      wave.push(i);
      waves[k] = wave;
    }
    for (const wave of waves) {
      const transitions: DeliveryTransition[] = [];
      const transitionOwners: number[] = [];
      const failures: FailedAttempt[] = [];
      const failureOwners: number[] = [];
      for (const i of wave) {
        const d = current.get(target.get(i)!)!;
        const campaign = campaigns.get(d.campaignId);
        const effect = receiptEffect(batch[i]!.receipt, d);
        if (effect.kind === 'transition') {
          transitions.push(effect.transition);
          transitionOwners.push(i);
        } else if (effect.kind === 'failure' && campaign !== undefined) {
          failures.push({ delivery: d, campaign, error: effect.error });
          failureOwners.push(i);
        }
      }
      const [moved, failed] = await Promise.all([
        transitions.length > 0 ? storage.deliveries.transitionMany(transitions) : [],
        settleFailedAttempts(this.ctx, failures),
      ]);
      const record = (owners: number[], results: readonly (Delivery | null)[]) =>
        owners.forEach((i, k) => {
          const after = results[k] ?? null;
          if (after !== null) {
            outcomes[i] = 'applied';
            current.set(after.id, after);
          }
        });
      record(transitionOwners, moved);
      record(failureOwners, failed);
    }

    // Record ids only after their effects are stored: a crash before this line replays harmlessly.
    const recordable = [...firstIndex.values()]
      .filter((i) => outcomes[i] !== 'unmatched')
      .map((i) => ids[i]!);
    if (recordable.length > 0) await storage.receipts.recordMany(recordable);
    for (const campaignId of campaigns.keys()) {
      this.stats.notify(campaignId);
      await completeIfDone(this.ctx, campaignId);
    }
    return outcomes;
  }

  private async loadCampaigns(deliveries: ReadonlyMap<string, Delivery>): Promise<Map<string, Campaign>> {
    const ids = new Set<string>();
    for (const d of deliveries.values()) ids.add(d.campaignId);
    const map = new Map<string, Campaign>();
    await Promise.all(
      [...ids].map(async (id) => {
        const c = await this.ctx.storage.campaigns.get(id);
        if (c !== null) map.set(id, c);
      }),
    );
    return map;
  }
}
