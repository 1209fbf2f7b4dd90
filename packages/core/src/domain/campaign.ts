import type { RuleGroup } from '../segment/types.js';

/** Campaign states. See `campaign/state-machine.ts` for the allowed transitions. */
export type CampaignState =
  | 'draft'
  | 'scheduled'
  | 'running'
  | 'paused'
  | 'completed'
  | 'cancelled'
  | 'failed';

/** Retry policy settings that can be stored with a campaign (the value form of a retry policy). */
export interface RetrySettings {
  /** Attempts in all, the first included. @default 3 */
  readonly maxAttempts?: number;
  /** Base delay of the exponential backoff, in ms. @default 1000 */
  readonly baseDelayMs?: number;
  /** Largest delay between attempts, in ms. @default 60000 */
  readonly maxDelayMs?: number;
}

/** Where a campaign's launch (audience snapshot) has got to; lets a crashed launch resume. */
export interface LaunchProgress {
  /** Snapshot round: 1 for the launch, +1 for every "retry failed". */
  readonly round: number;
  /** Cursor of the last audience batch fully written, `null` before the first. */
  readonly cursor: string | null;
  /** Deliveries written so far in this round. */
  readonly processed: number;
  /** Sending slots handed out so far (for throttle spacing). */
  readonly scheduled: number;
  /**
   * When the round started (epoch ms): the throttle spaces the round's first attempts from here.
   * Absent on records written before it existed; `launchedAt` is used then.
   */
  readonly startedAt?: number | undefined;
  /** True once every batch of the round is written and enqueued. */
  readonly done: boolean;
  /** Time (epoch ms) until which the current launcher holds the launch. */
  readonly leaseUntil: number;
  /** Id of the launcher holding the lease. */
  readonly owner: string;
}

/** A messaging campaign. */
export interface Campaign {
  readonly id: string;
  readonly name: string;
  /** The saved segment the audience came from, if any. */
  readonly segmentId?: string | undefined;
  /** The audience rule tree; for a segment audience, copied from the segment at launch. */
  readonly rules: RuleGroup;
  /** Channel name, e.g. `sms`, `email` or a custom channel. */
  readonly channel: string;
  /** Liquid template source. */
  readonly template: string;
  /** When to start; absent for "launch now". */
  readonly sendAt?: Date | undefined;
  /** Messages per second across all workers; absent for no limit. */
  readonly throttlePerSecond?: number | undefined;
  /** Overrides of the engine's retry policy. */
  readonly retry?: RetrySettings | undefined;
  readonly state: CampaignState;
  /** Incremented on every update; used for optimistic concurrency. */
  readonly version: number;
  /** Customers matched by the audience at launch (summed over batches); absent before launch. */
  readonly audienceSize?: number | undefined;
  /** Snapshot progress; absent before launch. */
  readonly launch?: LaunchProgress | undefined;
  /** Why the campaign failed, when `state` is `failed`. */
  readonly error?: string | undefined;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly launchedAt?: Date | undefined;
  readonly completedAt?: Date | undefined;
}
