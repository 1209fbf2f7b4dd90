import type { IndexDescription } from 'mongodb';
import type { Collections } from './context.js';

/** Customer fields indexed by default: the aggregates and timestamps segments use most. */
export const DEFAULT_CUSTOMER_INDEX_FIELDS: readonly string[] = [
  'totalSpend',
  'visits',
  'orderCount',
  'lastVisitAt',
  'lastOrderAt',
  'createdAt',
];

/** The indexes of every collection (besides the unique `_id` index MongoDB always has). */
export function indexPlan(customerFields: readonly string[]): Record<keyof Collections, IndexDescription[]> {
  return {
    customers: customerFields.map((field) => ({ key: { [field]: 1 }, name: `seg_${field}` })),
    orders: [{ key: { customerId: 1, createdAt: -1, _id: -1 }, name: 'customer_newest' }],
    events: [{ key: { customerId: 1, at: -1, _id: -1 }, name: 'customer_newest' }],
    segments: [],
    campaigns: [
      { key: { createdAt: -1, _id: -1 }, name: 'newest' },
      { key: { state: 1, createdAt: -1, _id: -1 }, name: 'state_newest' },
    ],
    deliveries: [
      { key: { campaignId: 1, _id: 1 }, name: 'campaign_id' },
      { key: { campaignId: 1, status: 1, _id: 1 }, name: 'campaign_status_id' },
      // Sparse: only deliveries with a vendor id (FerretDB has no partial indexes).
      { key: { vendorMessageId: 1 }, name: 'vendor_message_id', sparse: true },
      // Sparse: only deliveries whose counter delta is not settled yet (`_pcc` = their campaign).
      { key: { _pcc: 1 }, name: 'unsettled_counts', sparse: true },
    ],
    deliveryCounts: [],
    receipts: [],
    claims: [{ key: { at: 1 }, name: 'at' }],
  };
}

/**
 * Creates every index of {@link indexPlan} (idempotent: existing indexes with the same spec are
 * kept). One index per command: FerretDB 1.24 drops the connection when one `createIndexes` command
 * lists several indexes that already exist.
 */
export async function createIndexes(
  collections: Collections,
  customerFields: readonly string[],
): Promise<void> {
  const plan = indexPlan(customerFields);
  await Promise.all(
    (Object.keys(plan) as (keyof Collections)[]).map(async (name) => {
      for (const { key, ...options } of plan[name]) await collections[name].createIndex(key, options);
    }),
  );
}
