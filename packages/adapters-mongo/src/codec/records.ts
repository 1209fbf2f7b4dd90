import type { Campaign, CustomerEvent, Delivery, Order, Segment } from '@minicrm/core';
import type { Doc } from '../context.js';
import type { PendingDelta } from '../stores/delivery-counter-doc.js';
import { fromDoc, toBson, toDoc } from './plain.js';

/** The document of an order: the order with `_id`. */
export const encodeOrder = (order: Order): Doc => toDoc(order) as Doc;
/** An order from its document. */
export const decodeOrder = (doc: Doc): Order => fromDoc<Order>(doc);
/** The document of an event. */
export const encodeEvent = (event: CustomerEvent): Doc => toDoc(event) as Doc;
/** An event from its document. */
export const decodeEvent = (doc: Doc): CustomerEvent => fromDoc<CustomerEvent>(doc);
/** The document of a segment. */
export const encodeSegment = (segment: Segment): Doc => toDoc(segment) as Doc;
/** A segment from its document. */
export const decodeSegment = (doc: Doc): Segment => fromDoc<Segment>(doc);
/** The document of a campaign. */
export const encodeCampaign = (campaign: Campaign): Doc => toDoc(campaign) as Doc;
/** A campaign from its document. */
export const decodeCampaign = (doc: Doc): Campaign => fromDoc<Campaign>(doc);

/**
 * The document of a delivery, with the adapter's fields: `_rev` (compare-and-set revision), `_r`
 * (times it entered `retrying`) and, while counter deltas are not settled yet, `_pc` (the deltas,
 * see `stores/delivery-counters.ts`) and `_pcc` (the campaign, for the sparse index that finds them).
 */
export function encodeDelivery(
  delivery: Delivery,
  rev: number,
  retries: number,
  pending: readonly PendingDelta[] = [],
): Doc {
  const extra: Record<string, unknown> = { _rev: rev, _r: retries };
  if (pending.length > 0) {
    extra._pc = pending.map((p) => ({ r: p.r, d: toBson(p.d) }));
    extra._pcc = delivery.campaignId;
  }
  return toDoc(delivery, extra) as Doc;
}

/** A delivery from its document. */
export const decodeDelivery = (doc: Doc): Delivery => fromDoc<Delivery>(doc);
