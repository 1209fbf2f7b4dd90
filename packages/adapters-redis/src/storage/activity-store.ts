import type {
  ActivityStore,
  AppendResult,
  Customer,
  CustomerEvent,
  Order,
  Page,
  PageOptions,
} from '@minicrm/core';
import { applyEvent, applyOrder } from '@minicrm/core';
import type { CasPlan } from './cas-loop.js';
import { casLoop } from './cas-loop.js';
import {
  decodeCustomer,
  decodeEvent,
  decodeOrder,
  encodeCustomer,
  encodeEvent,
  encodeOrder,
} from './codec.js';
import type { StoreContext } from './context.js';
import { decodeTimeMemberCursor, encodeCursor, membersAfter, pageLimit } from './cursor.js';
import { idOfTimeMember, sortableTime } from './keys.js';
import { readValues } from './records.js';

type Outcome = 'applied' | 'duplicate' | 'missing';

interface Activity {
  readonly id: string;
  readonly customerId: string;
}

/** How orders and events differ: their keys, encoding, time, and effect on the customer. */
interface ActivityKind<T extends Activity> {
  readonly key: (id: string) => string;
  readonly timeline: (customerId: string) => string;
  readonly encode: (item: T) => string;
  readonly decode: (json: string) => T;
  readonly time: (item: T) => number;
  /** The customer after the item; the same object when it does not change. */
  readonly apply: (customer: Customer, item: T, now: Date) => Customer;
}

function summarize(items: readonly Activity[], outcomes: readonly Outcome[]): AppendResult {
  const applied: string[] = [];
  const duplicates: string[] = [];
  const missingCustomer: string[] = [];
  outcomes.forEach((outcome, i) => {
    const id = (items[i] as Activity).id;
    if (outcome === 'applied') applied.push(id);
    else if (outcome === 'duplicate') duplicates.push(id);
    else missingCustomer.push(id);
  });
  return { applied, duplicates, missingCustomer };
}

/**
 * An `ActivityStore` on Redis. Each order (event) is one compare-and-set item: its record is
 * written only if absent (the id's dedupe marker), together with the customer moved by
 * `applyOrder` (`applyEvent`) at the revision read, and its entry in the customer's timeline. A
 * duplicate id or an unknown customer writes nothing.
 */
export function createRedisActivityStore(ctx: StoreContext): ActivityStore {
  const { client, keys } = ctx;
  const customerPrefix = keys.customer('');

  async function append<T extends Activity>(
    kind: ActivityKind<T>,
    items: readonly T[],
    now: Date,
    what: string,
  ): Promise<AppendResult> {
    const plan: CasPlan<Outcome> = {
      keys: (i) => {
        const item = items[i] as T;
        return [kind.key(item.id), keys.customer(item.customerId)];
      },
      // Only the existence of an order or event record matters here: it is not parsed.
      decode: (key, json) => (key.startsWith(customerPrefix) ? decodeCustomer(json) : true),
      plan(i, tx) {
        const item = items[i] as T;
        const itemKey = kind.key(item.id);
        if (tx.get(itemKey) !== null) return 'duplicate';
        const customerKey = keys.customer(item.customerId);
        const customer = tx.get<Customer>(customerKey);
        if (customer === null) return 'missing';
        tx.put(itemKey, true, kind.encode(item));
        const next = kind.apply(customer, item, now);
        if (next !== customer) tx.put(customerKey, next, encodeCustomer(next));
        tx.item.zadd(kind.timeline(item.customerId), `${sortableTime(kind.time(item))}:${item.id}`);
        return 'applied';
      },
    };
    return summarize(items, await casLoop(client, items.length, plan, what));
  }

  async function newestFirst<T>(
    kind: ActivityKind<T & Activity>,
    customerId: string,
    options: PageOptions,
  ): Promise<Page<T>> {
    const limit = pageLimit(options.limit);
    const members = await membersAfter(
      client,
      kind.timeline(customerId),
      decodeTimeMemberCursor(options.cursor),
      limit + 1,
      true,
    );
    const shown = members.slice(0, limit);
    const records = await readValues(
      client,
      shown.map((m) => kind.key(idOfTimeMember(m))),
      kind.decode,
    );
    const items = records.filter((r): r is T & Activity => r !== null);
    const last = shown[shown.length - 1];
    return { items, nextCursor: members.length > limit && last !== undefined ? encodeCursor(last) : null };
  }

  const orders: ActivityKind<Order> = {
    key: keys.order,
    timeline: keys.customerOrders,
    encode: encodeOrder,
    decode: decodeOrder,
    time: (o) => o.createdAt.getTime(),
    apply: applyOrder,
  };
  const events: ActivityKind<CustomerEvent> = {
    key: keys.event,
    timeline: keys.customerEvents,
    encode: encodeEvent,
    decode: decodeEvent,
    time: (e) => e.at.getTime(),
    apply: applyEvent,
  };

  return {
    appendOrders: (items: readonly Order[], now: Date) => append(orders, items, now, 'activity.appendOrders'),
    appendEvents: (items: readonly CustomerEvent[], now: Date) =>
      append(events, items, now, 'activity.appendEvents'),
    listOrders: (customerId: string, options: PageOptions) => newestFirst(orders, customerId, options),
    listEvents: (customerId: string, options: PageOptions) => newestFirst(events, customerId, options),
  };
}
