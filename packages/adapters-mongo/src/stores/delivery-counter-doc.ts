import type { DeliveryCounts, DeliveryCountsDelta, DeliveryStatus } from '@minicrm/core';
import { DELIVERY_STATUSES } from '@minicrm/core';
import type { Doc } from '../context.js';

/**
 * A counter delta waiting in a delivery document (`_pc`): `r` is the delivery revision whose write
 * recorded it, `d` the delta. Its token `<delivery id>@<r>` names it in the counter document.
 */
export interface PendingDelta {
  readonly r: number;
  readonly d: DeliveryCountsDelta;
}

/** The token of a pending delta: unique, because each revision of a delivery is written once. */
export const tokenOf = (deliveryId: string, rev: number): string => `${deliveryId}@${rev}`;

/** The delivery id of a token. */
export const deliveryIdOf = (token: string): string => token.slice(0, token.lastIndexOf('@'));

/** The pending deltas of a delivery document. */
export const pendingOf = (doc: Doc): readonly PendingDelta[] => (doc._pc ?? []) as PendingDelta[];

/** The sum of deltas. */
export function sumDeltas(deltas: Iterable<DeliveryCountsDelta>): DeliveryCountsDelta {
  const byStatus: Partial<Record<DeliveryStatus, number>> = {};
  let total = 0;
  let attempts = 0;
  let retries = 0;
  let opened = 0;
  let clicked = 0;
  for (const d of deltas) {
    total += d.total;
    attempts += d.attempts;
    retries += d.retries;
    opened += d.opened;
    clicked += d.clicked;
    for (const [s, n] of Object.entries(d.byStatus) as [DeliveryStatus, number][]) {
      byStatus[s] = (byStatus[s] ?? 0) + n;
    }
  }
  return { total, byStatus, attempts, retries, opened, clicked };
}

/** Whether a delta moves nothing. */
export function isZeroDelta(d: DeliveryCountsDelta): boolean {
  return Object.values(incOf(d)).length === 0;
}

/** A delta as the `$inc` of a counter document (only the fields it moves). */
export function incOf(d: DeliveryCountsDelta): Record<string, number> {
  const inc: Record<string, number> = {};
  const add = (field: string, n: number) => {
    if (n !== 0) inc[field] = n;
  };
  add('total', d.total);
  for (const [s, n] of Object.entries(d.byStatus) as [DeliveryStatus, number][]) add(`byStatus.${s}`, n);
  add('attempts', d.attempts);
  add('retries', d.retries);
  add('opened', d.opened);
  add('clicked', d.clicked);
  return inc;
}

/**
 * A new counter document: the counts, plus `_rev` (bumped by every write), `_gen` (bumped when
 * tokens are pruned), `_ap` (tokens applied) and `_apn` (their number).
 */
export function newCounterDoc(campaignId: string): Doc {
  const byStatus: Record<string, number> = {};
  for (const s of DELIVERY_STATUSES) byStatus[s] = 0;
  return {
    _id: campaignId,
    _rev: 0,
    _gen: 0,
    _ap: [],
    _apn: 0,
    total: 0,
    byStatus,
    attempts: 0,
    retries: 0,
    opened: 0,
    clicked: 0,
  };
}

/** A counter document with `delta` added to its counts (for writers that replace whole documents). */
export function withDelta(doc: Doc, delta: DeliveryCountsDelta): Doc {
  const next: Doc = { ...doc, byStatus: { ...(doc.byStatus as Record<string, number>) } };
  for (const [field, n] of Object.entries(incOf(delta))) {
    if (field.startsWith('byStatus.')) {
      const s = field.slice('byStatus.'.length);
      next.byStatus[s] = Number(next.byStatus[s] ?? 0) + n;
    } else {
      next[field] = Number(next[field] ?? 0) + n;
    }
  }
  return next;
}

/** The counts of a counter document. */
export function countsOf(doc: Doc): DeliveryCounts {
  const stored = (doc.byStatus ?? {}) as Record<string, number>;
  const byStatus = {} as Record<DeliveryStatus, number>;
  for (const s of DELIVERY_STATUSES) byStatus[s] = Number(stored[s] ?? 0);
  return {
    total: Number(doc.total ?? 0),
    byStatus,
    attempts: Number(doc.attempts ?? 0),
    retries: Number(doc.retries ?? 0),
    opened: Number(doc.opened ?? 0),
    clicked: Number(doc.clicked ?? 0),
  };
}
