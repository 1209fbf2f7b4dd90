import type { Campaign, Customer, CustomerEvent, Delivery, Order, Segment } from '@minicrm/core';

/**
 * Record encoding. A stored value is `<rev>|<json>`: `rev` is the record's revision (1 on insert,
 * +1 on every write), which the compare-and-set script checks; `json` is the record with every
 * `Date` as epoch milliseconds. Known date fields are plain numbers (cheap to encode and decode, and
 * readable by hand); dates in open-ended places (custom attributes, rule values) are `{"$d":ms}`.
 * `undefined` fields are omitted.
 */

/** A stored value split into its revision and JSON text; `null` for an absent key. */
export interface RawRecord {
  readonly rev: number;
  readonly json: string;
}

/** Splits `<rev>|<json>`. */
export function splitRecord(raw: string | null): RawRecord | null {
  if (raw === null) return null;
  const bar = raw.indexOf('|');
  return { rev: Number(raw.slice(0, bar)), json: raw.slice(bar + 1) };
}

/** Joins a revision and JSON text into a stored value. */
export function joinRecord(rev: number, json: string): string {
  return `${rev}|${json}`;
}

type Mutable = Record<string, unknown>;

function datesToMs(record: Mutable, fields: readonly string[]): void {
  for (const f of fields) {
    const v = record[f];
    if (v instanceof Date) record[f] = v.getTime();
  }
}

function msToDates(record: Mutable, fields: readonly string[]): void {
  for (const f of fields) {
    const v = record[f];
    if (typeof v === 'number') record[f] = new Date(v);
  }
}

const DELIVERY_DATES = [
  'nextAttemptAt',
  'createdAt',
  'updatedAt',
  'queuedAt',
  'sendingAt',
  'sentAt',
  'deliveredAt',
  'retryingAt',
  'failedAt',
  'skippedAt',
  'cancelledAt',
  'openedAt',
  'clickedAt',
] as const;

/** JSON of a delivery. */
export function encodeDelivery(d: Delivery): string {
  const o: Mutable = { ...d };
  datesToMs(o, DELIVERY_DATES);
  return JSON.stringify(o);
}

/** A delivery from its JSON. */
export function decodeDelivery(json: string): Delivery {
  const o = JSON.parse(json) as Mutable;
  msToDates(o, DELIVERY_DATES);
  return o as unknown as Delivery;
}

const CUSTOMER_DATES = ['firstOrderAt', 'lastOrderAt', 'lastVisitAt', 'createdAt', 'updatedAt'] as const;
const PART_DATES = ['firstOrderAt', 'lastOrderAt', 'lastVisitAt'] as const;

function encodeAttributes(attributes: Customer['attributes']): unknown {
  let out: Mutable | undefined;
  for (const k in attributes) {
    const v = attributes[k];
    if (v instanceof Date) {
      out ??= { ...attributes };
      out[k] = { $d: v.getTime() };
    }
  }
  return out ?? attributes;
}

function decodeAttributes(attributes: Mutable): void {
  for (const k in attributes) {
    const v = attributes[k] as { $d?: unknown } | null;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.$d === 'number') {
      attributes[k] = new Date(v.$d);
    }
  }
}

/** JSON of a customer. */
export function encodeCustomer(c: Customer): string {
  const o: Mutable = { ...c, attributes: encodeAttributes(c.attributes) };
  datesToMs(o, CUSTOMER_DATES);
  const baseline: Mutable = { ...c.baseline };
  datesToMs(baseline, PART_DATES);
  const activity: Mutable = { ...c.activity };
  datesToMs(activity, PART_DATES);
  o.baseline = baseline;
  o.activity = activity;
  return JSON.stringify(o);
}

/** A customer from its JSON. */
export function decodeCustomer(json: string): Customer {
  const o = JSON.parse(json) as Mutable;
  msToDates(o, CUSTOMER_DATES);
  msToDates(o.baseline as Mutable, PART_DATES);
  msToDates(o.activity as Mutable, PART_DATES);
  decodeAttributes(o.attributes as Mutable);
  return o as unknown as Customer;
}

/** JSON of an order. */
export function encodeOrder(order: Order): string {
  return JSON.stringify({ ...order, createdAt: order.createdAt.getTime() });
}

/** An order from its JSON. */
export function decodeOrder(json: string): Order {
  const o = JSON.parse(json) as Mutable;
  o.createdAt = new Date(o.createdAt as number);
  return o as unknown as Order;
}

/** JSON of a customer event. */
export function encodeEvent(event: CustomerEvent): string {
  return JSON.stringify({ ...event, at: event.at.getTime() });
}

/** A customer event from its JSON. */
export function decodeEvent(json: string): CustomerEvent {
  const o = JSON.parse(json) as Mutable;
  o.at = new Date(o.at as number);
  return o as unknown as CustomerEvent;
}

function taggedDates(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Mutable)[key];
  return raw instanceof Date ? { $d: raw.getTime() } : value;
}

function revivedDates(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const d = (value as { $d?: unknown }).$d;
    if (typeof d === 'number' && Object.keys(value).length === 1) return new Date(d);
  }
  return value;
}

/** JSON of any record, every `Date` as `{"$d":ms}` (segments and campaigns: rule values may be dates). */
export function encodeTagged(value: Segment | Campaign): string {
  return JSON.stringify(value, taggedDates);
}

/** A record from {@link encodeTagged} JSON. */
export function decodeTagged<T extends Segment | Campaign>(json: string): T {
  return JSON.parse(json, revivedDates) as T;
}
