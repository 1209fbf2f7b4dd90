import { createHash } from 'node:crypto';

/**
 * The deterministic delivery id of (campaign, customer), so a re-launch or a redelivered job never
 * creates a second delivery for the same customer. It is `<campaignId>~<customerId>`: readable,
 * cheap, and unambiguous because campaign ids cannot contain `~` (`campaigns.create` allows letters,
 * digits, `_`, `.`, `:` and `-`). For a campaign id that does contain `~` (written to storage by
 * other means) it falls back to `dlv_` + 32 hex chars of SHA-256(campaignId NUL customerId), which
 * never contains `~`, so the two forms cannot collide.
 */
export function deliveryId(campaignId: string, customerId: string): string {
  if (!campaignId.includes('~')) return `${campaignId}~${customerId}`;
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
