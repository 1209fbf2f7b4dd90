import type { DeliveryCounts, DeliveryStatus } from '@minicrm/core';
import { emptyDeliveryCounts } from '@minicrm/core';
import type { Collection } from 'mongodb';
import type { Doc } from '../../src/context.js';

/**
 * The reference the counters are checked against: a campaign's counts computed by streaming every
 * delivery document of the campaign (count per status, `attempts` = Σ `totalAttempts`, `retries` =
 * Σ `_r`, the times each delivery entered `retrying`, `opened` / `clicked` = deliveries with
 * `openedAt` / `clickedAt`). Costs one read per delivery: what the counter document saves.
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
    { projection: { _id: 0, status: 1, totalAttempts: 1, _r: 1, openedAt: 1, clickedAt: 1 } },
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
