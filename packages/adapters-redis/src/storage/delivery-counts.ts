import type { DeliveryCounts, DeliveryCountsDelta, DeliveryStatus } from '@minicrm/core';
import { DELIVERY_STATUSES, emptyDeliveryCounts } from '@minicrm/core';

/**
 * A counters delta as the flat `[field, n, …]` list of its non-zero fields (fields of the counter
 * hash: `total`, `attempts`, `retries`, `opened`, `clicked` and one per status), for
 * `CasItem.incr`: the script applies it with `HINCRBY`s of the campaign's counter hash.
 */
export function countsDeltaFields(delta: DeliveryCountsDelta): (string | number)[] {
  const out: (string | number)[] = [];
  if (delta.total !== 0) out.push('total', delta.total);
  for (const status in delta.byStatus) {
    const n = delta.byStatus[status as DeliveryStatus] ?? 0;
    if (n !== 0) out.push(status, n);
  }
  if (delta.attempts !== 0) out.push('attempts', delta.attempts);
  if (delta.retries !== 0) out.push('retries', delta.retries);
  if (delta.opened !== 0) out.push('opened', delta.opened);
  if (delta.clicked !== 0) out.push('clicked', delta.clicked);
  return out;
}

/** Counters from the counter hash (`HGETALL`); missing fields are zero. */
export function countsFromHash(hash: Readonly<Record<string, string>>): DeliveryCounts {
  const counts = emptyDeliveryCounts();
  const byStatus = counts.byStatus as Record<DeliveryStatus, number>;
  for (const status of DELIVERY_STATUSES) byStatus[status] = Number(hash[status] ?? 0);
  return {
    total: Number(hash.total ?? 0),
    byStatus,
    attempts: Number(hash.attempts ?? 0),
    retries: Number(hash.retries ?? 0),
    opened: Number(hash.opened ?? 0),
    clicked: Number(hash.clicked ?? 0),
  };
}
