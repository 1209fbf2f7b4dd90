import { createHash } from 'node:crypto';

/**
 * The deterministic delivery id of (campaign, customer): `dlv_` + 32 hex chars of
 * SHA-256(campaignId NUL customerId). A re-launch or a redelivered job therefore never creates a
 * second delivery for the same customer.
 */
export function deliveryId(campaignId: string, customerId: string): string {
  return `dlv_${createHash('sha256').update(campaignId).update('\0').update(customerId).digest('hex').slice(0, 32)}`;
}

/** The send job id of one attempt of a delivery: unique per (delivery, round, attempt). */
export function sendJobId(deliveryId: string, round: number, attempt: number): string {
  return `${deliveryId}:${round}:${attempt}`;
}

/** The idempotency key handed to the channel for one attempt: unique per (delivery, round, attempt). */
export function attemptKey(deliveryId: string, round: number, attempt: number): string {
  return `${deliveryId}:r${round}:a${attempt}`;
}
