/** Demo data for a fresh server: customers with orders and visits, and the demo segments saved. */
import { DEMO_SEGMENTS, generateDemoData, isMiniCrmError, type MiniCrm } from '@minicrm/core';

/** What {@link seedDemoData} wrote. */
export interface SeedReport {
  readonly customers: number;
  readonly orders: number;
  readonly visits: number;
  readonly segments: number;
}

/**
 * Upserts generated demo customers with their orders and visits, and saves the demo segments
 * (`seg_demo_1` …). Idempotent: orders and visits keep their ids, segments that exist are kept.
 */
export async function seedDemoData(crm: MiniCrm, customers: number): Promise<SeedReport> {
  const data = generateDemoData({ customers, seed: 2026 });
  await crm.customers.upsert(data.customers);
  await crm.customers.addOrders(data.orders);
  await crm.customers.addEvents(data.visits);
  let segments = 0;
  for (const [i, [name, rules]] of Object.entries(DEMO_SEGMENTS).entries()) {
    try {
      await crm.segments.create({ id: `seg_demo_${i + 1}`, name, description: 'Demo segment', rules });
      segments += 1;
    } catch (error) {
      if (!isMiniCrmError(error, 'CONFLICT')) throw error;
    }
  }
  return {
    customers: data.customers.length,
    orders: data.orders.length,
    visits: data.visits.length,
    segments,
  };
}
