import type { Delivery, DeliveryCounts, DeliveryError, DeliveryStatus } from '../domain/delivery.js';
import { DELIVERY_STATUSES } from '../domain/delivery.js';
import { copyDelivery } from './create.js';
import { canTransitionDelivery } from './status.js';

/** Fields a transition may set besides the status. `null` clears an optional field. */
export interface DeliveryPatch {
  /** Attempts in the current round (absolute). */
  readonly attempts?: number;
  /** Move to another round (resets nothing by itself; pass `attempts: 0` too). */
  readonly round?: number;
  readonly vendorMessageId?: string | null;
  readonly lastError?: DeliveryError | null;
  readonly nextAttemptAt?: Date | null;
  /** Set once: ignored when the delivery already has it. */
  readonly openedAt?: Date;
  /** Set once: ignored when the delivery already has it. */
  readonly clickedAt?: Date;
}

/**
 * A conditional change of one delivery. It applies only if the stored delivery's status is in
 * `from`, and its `round` / `attempts` equal the given ones when those are set, and the status graph
 * allows `to` (see `DELIVERY_TRANSITIONS`).
 */
export interface DeliveryTransition {
  readonly id: string;
  readonly from: readonly DeliveryStatus[];
  readonly round?: number;
  readonly attempts?: number;
  readonly to: DeliveryStatus;
  /** When it happened: becomes `updatedAt` and the `<to>At` timestamp. */
  readonly at: Date;
  readonly set?: DeliveryPatch;
}

const STATUS_TIME_FIELD: Readonly<Record<DeliveryStatus, keyof Delivery | undefined>> = {
  pending: undefined,
  queued: 'queuedAt',
  sending: 'sendingAt',
  sent: 'sentAt',
  delivered: 'deliveredAt',
  retrying: 'retryingAt',
  failed: 'failedAt',
  skipped: 'skippedAt',
  cancelled: 'cancelledAt',
};

/**
 * Applies a transition to a delivery. Pure: returns the new delivery, or `null` when the transition's
 * conditions do not hold or it would change nothing. Every storage adapter uses this so all of them
 * agree on what a transition means.
 */
export function applyDeliveryTransition(current: Delivery, t: DeliveryTransition): Delivery | null {
  if (!t.from.includes(current.status)) return null;
  if (t.round !== undefined && current.round !== t.round) return null;
  if (t.attempts !== undefined && current.attempts !== t.attempts) return null;
  const statusChanges = current.status !== t.to;
  if (statusChanges && !canTransitionDelivery(current.status, t.to)) return null;

  const next = copyDelivery(current);
  let changed = statusChanges;
  const set = t.set;
  if (set !== undefined) {
    const roundChanges = set.round !== undefined && set.round !== current.round;
    if (roundChanges) {
      next.round = set.round as number;
      changed = true;
    }
    if (set.attempts !== undefined && set.attempts !== current.attempts) {
      const base = roundChanges ? 0 : current.attempts;
      next.totalAttempts = current.totalAttempts + Math.max(0, set.attempts - base);
      next.attempts = set.attempts;
      changed = true;
    }
    if (set.vendorMessageId !== undefined && (set.vendorMessageId ?? undefined) !== current.vendorMessageId) {
      next.vendorMessageId = set.vendorMessageId ?? undefined;
      changed = true;
    }
    if (set.lastError !== undefined && !sameError(set.lastError ?? undefined, current.lastError)) {
      next.lastError = set.lastError ?? undefined;
      changed = true;
    }
    if (set.nextAttemptAt !== undefined && !sameTime(set.nextAttemptAt ?? undefined, current.nextAttemptAt)) {
      next.nextAttemptAt = set.nextAttemptAt ?? undefined;
      changed = true;
    }
    if (set.openedAt !== undefined && current.openedAt === undefined) {
      next.openedAt = set.openedAt;
      changed = true;
    }
    if (set.clickedAt !== undefined && current.clickedAt === undefined) {
      next.clickedAt = set.clickedAt;
      changed = true;
    }
  }
  if (!changed) return null;
  if (statusChanges) {
    next.status = t.to;
    const field = STATUS_TIME_FIELD[t.to];
    if (field !== undefined) (next as Record<string, unknown>)[field] = t.at;
    if (t.to !== 'retrying' && set?.nextAttemptAt === undefined) next.nextAttemptAt = undefined;
  }
  next.updatedAt = t.at;
  return next;
}

function sameTime(a: Date | undefined, b: Date | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.getTime() === b.getTime());
}

function sameError(a: DeliveryError | undefined, b: DeliveryError | undefined): boolean {
  return (
    a === b ||
    (a !== undefined &&
      b !== undefined &&
      a.message === b.message &&
      a.code === b.code &&
      a.retryable === b.retryable)
  );
}

/** A change to a campaign's counters. Status entries may be negative. */
export interface DeliveryCountsDelta {
  readonly total: number;
  readonly byStatus: Partial<Record<DeliveryStatus, number>>;
  readonly attempts: number;
  readonly retries: number;
  readonly opened: number;
  readonly clicked: number;
}

/**
 * How a campaign's counters move when a delivery goes from `before` to `after` (`before` is `null`
 * on creation). Adapters apply this atomically with the write.
 */
export function deliveryCountsDelta(before: Delivery | null, after: Delivery): DeliveryCountsDelta {
  const byStatus: Partial<Record<DeliveryStatus, number>> = {};
  if (before === null) {
    byStatus[after.status] = 1;
    return {
      total: 1,
      byStatus,
      attempts: after.totalAttempts,
      retries: after.status === 'retrying' ? 1 : 0,
      opened: after.openedAt ? 1 : 0,
      clicked: after.clickedAt ? 1 : 0,
    };
  }
  if (before.status !== after.status) {
    byStatus[before.status] = -1;
    byStatus[after.status] = 1;
  }
  return {
    total: 0,
    byStatus,
    attempts: after.totalAttempts - before.totalAttempts,
    retries: after.status === 'retrying' && before.status !== 'retrying' ? 1 : 0,
    opened: !before.openedAt && after.openedAt ? 1 : 0,
    clicked: !before.clickedAt && after.clickedAt ? 1 : 0,
  };
}

/** Zeroed counters. */
export function emptyDeliveryCounts(): DeliveryCounts {
  const byStatus = {} as Record<DeliveryStatus, number>;
  for (const s of DELIVERY_STATUSES) byStatus[s] = 0;
  return { total: 0, byStatus, attempts: 0, retries: 0, opened: 0, clicked: 0 };
}

/** Adds a delta to counters, returning new counters. */
export function addDeliveryCounts(counts: DeliveryCounts, delta: DeliveryCountsDelta): DeliveryCounts {
  const byStatus = { ...counts.byStatus };
  for (const [status, n] of Object.entries(delta.byStatus) as [DeliveryStatus, number][]) {
    byStatus[status] += n;
  }
  return {
    total: counts.total + delta.total,
    byStatus,
    attempts: counts.attempts + delta.attempts,
    retries: counts.retries + delta.retries,
    opened: counts.opened + delta.opened,
    clicked: counts.clicked + delta.clicked,
  };
}
