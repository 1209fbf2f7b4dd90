import type { Delivery, DeliveryStatus, SkipReason } from '../domain/delivery.js';

/** What a new delivery is made from. */
export interface NewDelivery {
  readonly id: string;
  readonly campaignId: string;
  readonly customerId: string;
  readonly channel: string;
  readonly status: DeliveryStatus;
  readonly round: number;
  readonly message: string;
  readonly address?: string | undefined;
  readonly skipReason?: SkipReason | undefined;
  readonly at: Date;
}

/**
 * A new delivery with every field present (absent ones `undefined`) in one fixed order, so all
 * deliveries share one object shape: reading and copying them stays fast in hot loops.
 */
export function newDelivery(init: NewDelivery): Delivery {
  return {
    id: init.id,
    campaignId: init.campaignId,
    customerId: init.customerId,
    channel: init.channel,
    address: init.address,
    message: init.message,
    status: init.status,
    round: init.round,
    attempts: 0,
    totalAttempts: 0,
    vendorMessageId: undefined,
    lastError: undefined,
    skipReason: init.skipReason,
    nextAttemptAt: undefined,
    createdAt: init.at,
    updatedAt: init.at,
    queuedAt: init.status === 'queued' ? init.at : undefined,
    sendingAt: undefined,
    sentAt: undefined,
    deliveredAt: undefined,
    retryingAt: undefined,
    failedAt: undefined,
    skippedAt: init.status === 'skipped' ? init.at : undefined,
    cancelledAt: undefined,
    openedAt: undefined,
    clickedAt: undefined,
  };
}

/** A mutable copy of a delivery, with every field in the fixed order of {@link newDelivery}. */
export function copyDelivery(d: Delivery): { -readonly [K in keyof Delivery]: Delivery[K] } {
  // A literal rather than `{ ...d }`: spreading a frozen object takes V8's slow path.
  return {
    id: d.id,
    campaignId: d.campaignId,
    customerId: d.customerId,
    channel: d.channel,
    address: d.address,
    message: d.message,
    status: d.status,
    round: d.round,
    attempts: d.attempts,
    totalAttempts: d.totalAttempts,
    vendorMessageId: d.vendorMessageId,
    lastError: d.lastError,
    skipReason: d.skipReason,
    nextAttemptAt: d.nextAttemptAt,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    queuedAt: d.queuedAt,
    sendingAt: d.sendingAt,
    sentAt: d.sentAt,
    deliveredAt: d.deliveredAt,
    retryingAt: d.retryingAt,
    failedAt: d.failedAt,
    skippedAt: d.skippedAt,
    cancelledAt: d.cancelledAt,
    openedAt: d.openedAt,
    clickedAt: d.clickedAt,
  };
}
