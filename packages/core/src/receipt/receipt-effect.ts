import type { DeliveryTransition } from '../delivery/transition.js';
import type { Delivery, DeliveryStatus } from '../domain/delivery.js';
import type { Receipt } from '../domain/receipt.js';

/** What a receipt asks of a delivery: a plain transition, a failed attempt to settle, or nothing. */
export type ReceiptEffect =
  | { readonly kind: 'transition'; readonly transition: DeliveryTransition }
  | {
      readonly kind: 'failure';
      readonly error: { message: string; code?: string; retryable: boolean; retryAfterMs?: number };
    }
  | { readonly kind: 'none' };

const NONE: ReceiptEffect = { kind: 'none' };

/**
 * Maps a receipt onto the delivery as it stands. Pure. Monotonic: a receipt about an older attempt,
 * or one the delivery is already past (a late `SENT` after `DELIVERED`), has no effect. Engagement
 * cascades: `opened` and `clicked` also count as delivered, and a click also as opened.
 */
export function receiptEffect(receipt: Receipt, d: Delivery): ReceiptEffect {
  const engagement = receipt.status === 'opened' || receipt.status === 'clicked';
  if (!engagement && receipt.attempt !== undefined && receipt.attempt !== d.attempts) return NONE;
  const base = { id: d.id, round: d.round, attempts: d.attempts, at: receipt.at };
  // A receipt can overtake the sender's own write of the vendor id: then it records the id.
  const vendorId =
    receipt.vendorMessageId !== undefined && d.vendorMessageId === undefined
      ? { set: { vendorMessageId: receipt.vendorMessageId } }
      : {};
  const advance = (from: readonly DeliveryStatus[], to: DeliveryStatus): ReceiptEffect =>
    from.includes(d.status) ? { kind: 'transition', transition: { ...base, ...vendorId, from, to } } : NONE;
  switch (receipt.status) {
    case 'SENT':
      return advance(['sending'], 'sent');
    case 'DELIVERED':
      return advance(['sending', 'sent'], 'delivered');
    case 'FAILED':
    case 'bounced':
      if (d.status !== 'sending' && d.status !== 'sent') return NONE;
      return {
        kind: 'failure',
        error: {
          message:
            receipt.error ?? (receipt.status === 'bounced' ? 'bounced' : 'reported failed by the vendor'),
          ...(receipt.errorCode === undefined ? {} : { code: receipt.errorCode }),
          retryable: receipt.status === 'bounced' ? false : (receipt.retryable ?? true),
          ...(receipt.retryAfterMs === undefined ? {} : { retryAfterMs: receipt.retryAfterMs }),
        },
      };
    case 'opened':
    case 'clicked': {
      if (d.status !== 'sent' && d.status !== 'delivered') return NONE;
      const set =
        receipt.status === 'clicked'
          ? { openedAt: receipt.at, clickedAt: receipt.at }
          : { openedAt: receipt.at };
      return {
        kind: 'transition',
        transition: { id: d.id, from: [d.status], round: d.round, to: 'delivered', at: receipt.at, set },
      };
    }
  }
}
