import type { CustomerEvent, Order } from '../domain/activity.js';
import type { AggregateParts, Customer, CustomerUpsert } from '../domain/customer.js';
import { EMPTY_AGGREGATES } from '../domain/customer.js';

function earliest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

function latest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

/** Converts minor units to major units for a currency exponent (e.g. 1234, 2 → 12.34). */
export function minorToMajor(minor: number, exponent: number): number {
  return exponent === 0 ? minor : minor / 10 ** exponent;
}

/** The public aggregates of a customer: baseline and activity combined. */
export function combineAggregates(
  baseline: AggregateParts,
  activity: AggregateParts,
  currencyExponent: number,
): Pick<
  Customer,
  'totalSpend' | 'totalSpendMinor' | 'orderCount' | 'visits' | 'firstOrderAt' | 'lastOrderAt' | 'lastVisitAt'
> {
  const totalSpendMinor = baseline.spendMinor + activity.spendMinor;
  return {
    totalSpendMinor,
    totalSpend: minorToMajor(totalSpendMinor, currencyExponent),
    orderCount: baseline.orderCount + activity.orderCount,
    visits: baseline.visits + activity.visits,
    firstOrderAt: earliest(baseline.firstOrderAt, activity.firstOrderAt),
    lastOrderAt: latest(baseline.lastOrderAt, activity.lastOrderAt),
    lastVisitAt: latest(baseline.lastVisitAt, activity.lastVisitAt),
  };
}

function withoutUndefined<T extends object>(value: T): T {
  const out = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

/**
 * The customer after an upsert: profile fields and baseline from `upsert`; `activity` and
 * `createdAt` kept from `existing` when there is one; aggregates recomputed. Pure.
 */
export function applyCustomerUpsert(existing: Customer | null, upsert: CustomerUpsert, now: Date): Customer {
  const activity = existing?.activity ?? EMPTY_AGGREGATES;
  return withoutUndefined({
    id: upsert.id,
    name: upsert.name,
    email: upsert.email,
    phone: upsert.phone,
    attributes: upsert.attributes,
    subscriptions: upsert.subscriptions,
    ...combineAggregates(upsert.baseline, activity, upsert.currencyExponent),
    baseline: withoutUndefined(upsert.baseline),
    activity,
    createdAt: existing?.createdAt ?? upsert.createdAt ?? now,
    updatedAt: now,
  });
}

/** The customer after one new order (the caller has checked the order id is new). Pure. */
export function applyOrder(customer: Customer, order: Order, now: Date): Customer {
  const a = customer.activity;
  const activity: AggregateParts = withoutUndefined({
    spendMinor: a.spendMinor + order.amountMinor,
    orderCount: a.orderCount + 1,
    visits: a.visits,
    firstOrderAt: earliest(a.firstOrderAt, order.createdAt),
    lastOrderAt: latest(a.lastOrderAt, order.createdAt),
    lastVisitAt: a.lastVisitAt,
  });
  return withoutUndefined({
    ...customer,
    ...combineAggregates(customer.baseline, activity, order.currencyExponent),
    activity,
    updatedAt: now,
  });
}

/** The customer after one new event (the caller has checked the event id is new). Pure. */
export function applyEvent(customer: Customer, event: CustomerEvent, now: Date): Customer {
  if (event.type !== 'visit') return customer;
  const a = customer.activity;
  const activity: AggregateParts = withoutUndefined({
    ...a,
    visits: a.visits + 1,
    lastVisitAt: latest(a.lastVisitAt, event.at),
  });
  const visits = customer.baseline.visits + activity.visits;
  const lastVisitAt = latest(customer.baseline.lastVisitAt, activity.lastVisitAt);
  return withoutUndefined({ ...customer, visits, lastVisitAt, activity, updatedAt: now });
}
