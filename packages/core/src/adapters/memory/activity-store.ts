import type { CustomerEvent, Order } from '../../domain/activity.js';
import { applyEvent, applyOrder } from '../../ingestion/aggregates.js';
import type { ActivityStore, AppendResult, Page, PageOptions } from '../../ports/storage.js';
import { decodeTimeIdCursor, encodeCursor } from './cursor.js';
import type { CustomerTable } from './customer-store.js';
import { putCustomer } from './customer-store.js';
import { frozenCopy } from './freeze.js';

/** One customer's orders or events, sorted newest first on demand. */
interface Timeline<T> {
  items: T[];
  sorted: boolean;
}

/** The memory storage's orders and events, kept for listing and back-door reads. */
export interface ActivityTable {
  readonly orders: Map<string, Order>;
  readonly events: Map<string, CustomerEvent>;
  readonly ordersByCustomer: Map<string, Timeline<Order>>;
  readonly eventsByCustomer: Map<string, Timeline<CustomerEvent>>;
}

/** An empty {@link ActivityTable}. */
export function createActivityTable(): ActivityTable {
  return { orders: new Map(), events: new Map(), ordersByCustomer: new Map(), eventsByCustomer: new Map() };
}

function push<T>(map: Map<string, Timeline<T>>, customerId: string, item: T): void {
  const timeline = map.get(customerId);
  if (timeline === undefined) map.set(customerId, { items: [item], sorted: true });
  else {
    timeline.items.push(item);
    timeline.sorted = false;
  }
}

/** Newest first: descending time, then descending id. Cursor: `[epochMs, id]` of the last item. */
function pageNewestFirst<T extends { readonly id: string }>(
  timeline: Timeline<T> | undefined,
  time: (item: T) => number,
  options: PageOptions,
): Page<T> {
  const key = decodeTimeIdCursor(options.cursor);
  if (timeline === undefined) return { items: [], nextCursor: null };
  const before = (a: T, b: T) => time(b) - time(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
  if (!timeline.sorted) {
    timeline.items.sort(before);
    timeline.sorted = true;
  }
  const items = timeline.items;
  let start = 0;
  if (key !== undefined) {
    const [ms, id] = key;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const item = items[mid] as T;
      const t = time(item);
      const afterCursor = t < ms || (t === ms && item.id < id);
      if (afterCursor) hi = mid;
      else lo = mid + 1;
    }
    start = lo;
  }
  const limit = Math.max(1, Math.floor(options.limit));
  const page = items.slice(start, start + limit);
  const last = page[page.length - 1];
  const more = start + limit < items.length && last !== undefined;
  return { items: page, nextCursor: more ? encodeCursor([time(last), last.id]) : null };
}

/** An {@link ActivityStore} that moves aggregates in the shared {@link CustomerTable}. */
export function createMemoryActivityStore(customers: CustomerTable, table: ActivityTable): ActivityStore {
  return {
    async appendOrders(orders: readonly Order[], now: Date): Promise<AppendResult> {
      const applied: string[] = [];
      const duplicates: string[] = [];
      const missingCustomer: string[] = [];
      for (const order of orders) {
        if (table.orders.has(order.id)) {
          duplicates.push(order.id);
          continue;
        }
        const customer = customers.byId.get(order.customerId);
        if (customer === undefined) {
          missingCustomer.push(order.id);
          continue;
        }
        const stored = frozenCopy(order);
        table.orders.set(order.id, stored);
        push(table.ordersByCustomer, order.customerId, stored);
        putCustomer(customers, applyOrder(customer, stored, now));
        applied.push(order.id);
      }
      return { applied, duplicates, missingCustomer };
    },

    async appendEvents(events: readonly CustomerEvent[], now: Date): Promise<AppendResult> {
      const applied: string[] = [];
      const duplicates: string[] = [];
      const missingCustomer: string[] = [];
      for (const event of events) {
        if (table.events.has(event.id)) {
          duplicates.push(event.id);
          continue;
        }
        const customer = customers.byId.get(event.customerId);
        if (customer === undefined) {
          missingCustomer.push(event.id);
          continue;
        }
        const stored = frozenCopy(event);
        table.events.set(event.id, stored);
        push(table.eventsByCustomer, event.customerId, stored);
        const next = applyEvent(customer, stored, now);
        if (next !== customer) putCustomer(customers, next);
        applied.push(event.id);
      }
      return { applied, duplicates, missingCustomer };
    },

    async listOrders(customerId: string, options: PageOptions): Promise<Page<Order>> {
      return pageNewestFirst(table.ordersByCustomer.get(customerId), (o) => o.createdAt.getTime(), options);
    },

    async listEvents(customerId: string, options: PageOptions): Promise<Page<CustomerEvent>> {
      return pageNewestFirst(table.eventsByCustomer.get(customerId), (e) => e.at.getTime(), options);
    },
  };
}
