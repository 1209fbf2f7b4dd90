import type { DeliveryCounts, DeliveryStatus } from '@minicrm/core';
import { emptyDeliveryCounts } from '@minicrm/core';
import type { Collection } from 'mongodb';
import type { Doc } from '../context.js';

/** Documents read per batch while counting. */
const BATCH = 5000;

/**
 * A campaign's counters, computed from its delivery documents (on the `{ campaignId, status, _id }`
 * index): count per status, `attempts` = Σ `totalAttempts`, `retries` = Σ `_r` (times each
 * delivery entered `retrying`), `opened` / `clicked` = deliveries with `openedAt` / `clickedAt`.
 * Always exactly the deliveries as stored, whatever crashed when: there is no second record to
 * drift. Summed in JS from a projection, because FerretDB's `$group` returns 0 for `$sum` of a field.
 */
export async function countDeliveries(
  deliveries: Collection<Doc>,
  campaignId: string,
): Promise<DeliveryCounts> {
  const counts = emptyDeliveryCounts();
  const byStatus = counts.byStatus as Record<DeliveryStatus, number>;
  let total = 0;
  let attempts = 0;
  let retries = 0;
  let opened = 0;
  let clicked = 0;
  const cursor = deliveries.find(
    { campaignId },
    {
      projection: { _id: 0, status: 1, totalAttempts: 1, _r: 1, openedAt: 1, clickedAt: 1 },
      batchSize: BATCH,
    },
  );
  for await (const d of cursor) {
    total += 1;
    const status = d.status as DeliveryStatus;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    attempts += Number(d.totalAttempts ?? 0);
    retries += Number(d._r ?? 0);
    if (d.openedAt != null) opened += 1;
    if (d.clickedAt != null) clicked += 1;
  }
  return { total, byStatus, attempts, retries, opened, clicked };
}
