import type { Order } from '../domain/activity.js';
import { type ActivityIngestResult, type ActivityKind, ingestActivity } from './activity.js';
import type { IngestionDeps, IngestOptions } from './deps.js';
import { checkOrder, orderSchema } from './schemas.js';

export type { IngestOptions } from './deps.js';

/** What {@link ingestOrders} did. */
export type OrderIngestResult = ActivityIngestResult;

/**
 * Records one order or an array of them, idempotent by order id: an id seen before changes
 * nothing and is listed in `duplicates`. Each new order adds its exact amount (minor units) to its
 * customer's spend, order count and first/last order dates.
 *
 * Every customer is checked to exist before anything is written; an unknown one is a problem at
 * `[i, 'customerId']`. By default any problem refuses the whole call (`ValidationError`, nothing
 * written); with `partial: true` the valid orders are written and the others reported.
 *
 * @example
 * await ingestOrders(deps, { id: 'o1', customerId: 'c1', amount: '19.99', createdAt: '2024-05-01T10:00:00Z' });
 */
export function ingestOrders(
  deps: IngestionDeps,
  input: unknown,
  options: IngestOptions = {},
): Promise<OrderIngestResult> {
  const schema = orderSchema(deps.currency);
  const kind: ActivityKind<Order> = {
    what: 'orders',
    check: (item) => checkOrder(item, deps.currency, schema),
    append: (d, orders, now) => d.storage.activity.appendOrders(orders, now),
  };
  return ingestActivity(deps, kind, input, options);
}
