import type { Customer } from '../domain/customer.js';
import type { SkipReason } from '../domain/delivery.js';
import type { Channel } from '../ports/channel.js';

/** Where to send a customer's message on a channel, or why not. */
export type RecipientResolution =
  | { readonly ok: true; readonly address: string }
  | { readonly ok: false; readonly reason: SkipReason };

/**
 * The default address of a customer on a channel: `sms` → `phone`, `email` → `email`, any other
 * channel → `null` (custom channels implement `Channel.address`).
 */
export function defaultAddress(channelName: string, customer: Customer): string | null {
  if (channelName === 'sms') return customer.phone ?? null;
  if (channelName === 'email') return customer.email ?? null;
  return null;
}

/**
 * Resolves where a campaign on `channel` reaches `customer`. Consent comes first: a customer with
 * `subscriptions[channel.name] === false` is `unsubscribed` (a missing flag counts as subscribed).
 * The address is `channel.address(customer)` when the channel defines it, else
 * {@link defaultAddress}; an absent or blank address is `no_address`.
 *
 * @example
 * const r = resolveRecipient(sms, customer);
 * if (!r.ok) skip(r.reason);
 */
export function resolveRecipient(channel: Channel, customer: Customer): RecipientResolution {
  if (customer.subscriptions[channel.name] === false) return { ok: false, reason: 'unsubscribed' };
  const address =
    channel.address !== undefined ? channel.address(customer) : defaultAddress(channel.name, customer);
  if (typeof address !== 'string' || address.trim() === '') return { ok: false, reason: 'no_address' };
  return { ok: true, address };
}
