/**
 * Delivery statuses.
 * - `pending`: created, not scheduled yet (for custom flows; the built-in launcher writes `queued`
 *   and enqueues the send job in the same batch).
 * - `queued`: a send job is waiting (or, for a moment after a crash, about to be re-enqueued by the
 *   resumed launch).
 * - `sending`: a worker is calling the channel for attempt `attempts`.
 * - `sent`: the vendor accepted the message.
 * - `delivered`: the vendor confirmed delivery (or the customer engaged).
 * - `retrying`: the last attempt failed; the next one is scheduled at `nextAttemptAt`.
 * - `failed`: permanently failed.
 * - `skipped`: never sent (no address, unsubscribed); see `skipReason`.
 * - `cancelled`: the campaign was cancelled before it was sent.
 */
export type DeliveryStatus =
  | 'pending'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'retrying'
  | 'failed'
  | 'skipped'
  | 'cancelled';

/** Every delivery status, in a stable order. */
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'pending',
  'queued',
  'sending',
  'sent',
  'delivered',
  'retrying',
  'failed',
  'skipped',
  'cancelled',
];

/** Why a delivery was skipped. */
export type SkipReason = 'no_address' | 'unsubscribed';

/** The last error a delivery attempt met. */
export interface DeliveryError {
  readonly message: string;
  readonly code?: string | undefined;
  readonly retryable: boolean;
}

/** One campaign message to one customer: the communications log entry. */
export interface Delivery {
  /** Deterministic: derived from campaign id and customer id (`deliveryId()`). */
  readonly id: string;
  readonly campaignId: string;
  readonly customerId: string;
  readonly channel: string;
  /** Phone, email or channel-specific address; absent when skipped for `no_address`. */
  readonly address?: string | undefined;
  /** The rendered message. */
  readonly message: string;
  readonly status: DeliveryStatus;
  /** Round of the campaign this delivery is in (1, then +1 per "retry failed"). */
  readonly round: number;
  /** Attempts made in the current round. */
  readonly attempts: number;
  /** Attempts made over all rounds. */
  readonly totalAttempts: number;
  /** Vendor's id for the latest accepted attempt. */
  readonly vendorMessageId?: string | undefined;
  readonly lastError?: DeliveryError | undefined;
  readonly skipReason?: SkipReason | undefined;
  /** When the next attempt is due, while `retrying`. */
  readonly nextAttemptAt?: Date | undefined;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly queuedAt?: Date | undefined;
  readonly sendingAt?: Date | undefined;
  readonly sentAt?: Date | undefined;
  readonly deliveredAt?: Date | undefined;
  readonly retryingAt?: Date | undefined;
  readonly failedAt?: Date | undefined;
  readonly skippedAt?: Date | undefined;
  readonly cancelledAt?: Date | undefined;
  /** First time the customer opened it, for channels that report it. */
  readonly openedAt?: Date | undefined;
  /** First time the customer clicked it, for channels that report it. */
  readonly clickedAt?: Date | undefined;
}

/** Counts of a campaign's deliveries. Invariant: the `byStatus` values sum to `total`. */
export interface DeliveryCounts {
  /** Number of deliveries. */
  readonly total: number;
  /** Deliveries per status. */
  readonly byStatus: Readonly<Record<DeliveryStatus, number>>;
  /** Send attempts made (all rounds). */
  readonly attempts: number;
  /** Attempts scheduled as retries. */
  readonly retries: number;
  /** Deliveries opened (engagement). */
  readonly opened: number;
  /** Deliveries clicked (engagement; a click also counts as opened and delivered). */
  readonly clicked: number;
}
