import type { DeliveryStatus } from '../domain/delivery.js';

/**
 * The delivery status graph: the statuses each status may move to. Staying in the same status is
 * allowed only to record engagement (`openedAt` / `clickedAt`). Everything else is refused, so a late
 * or duplicate receipt never moves a delivery backwards.
 */
export const DELIVERY_TRANSITIONS: Readonly<Record<DeliveryStatus, readonly DeliveryStatus[]>> = {
  pending: ['queued', 'sending', 'skipped', 'cancelled'],
  queued: ['sending', 'cancelled'],
  sending: ['sent', 'delivered', 'retrying', 'failed'],
  sent: ['delivered', 'retrying', 'failed'],
  delivered: [],
  retrying: ['sending', 'failed', 'cancelled'],
  // A new round of "retry failed" queues a permanently failed delivery again.
  failed: ['queued'],
  skipped: [],
  cancelled: [],
};

/** Statuses in which a delivery still has work ahead of it; a campaign completes when none is left. */
export const ACTIVE_DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'pending',
  'queued',
  'sending',
  'retrying',
];

/**
 * Statuses a campaign may complete with. `sent` is settled (the vendor has the message) but may
 * still advance to `delivered` or `failed` when a late receipt arrives.
 */
export const SETTLED_DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'sent',
  'delivered',
  'failed',
  'skipped',
  'cancelled',
];

/** True when the graph allows `from` → `to` (a different status). */
export function canTransitionDelivery(from: DeliveryStatus, to: DeliveryStatus): boolean {
  return DELIVERY_TRANSITIONS[from].includes(to);
}

/** True for statuses with work ahead (`pending`, `queued`, `sending`, `retrying`). */
export function isActiveDeliveryStatus(status: DeliveryStatus): boolean {
  return status === 'pending' || status === 'queued' || status === 'sending' || status === 'retrying';
}
