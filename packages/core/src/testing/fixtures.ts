import type { CustomerEvent, Order } from '../domain/activity.js';
import type { Campaign } from '../domain/campaign.js';
import type { AggregateParts, CustomerUpsert } from '../domain/customer.js';
import { EMPTY_AGGREGATES } from '../domain/customer.js';
import type { Delivery } from '../domain/delivery.js';
import type { Segment } from '../domain/segment.js';
import type { FieldCatalog } from '../segment/catalog.js';
import { defaultFieldCatalog } from '../segment/create-catalog.js';
import type { RuleGroup } from '../segment/types.js';

/** The instant the suite's fixtures are built around: 2026-01-01T00:00:00Z. */
export const T0 = Date.UTC(2026, 0, 1);

/** `T0 + ms` as a `Date`. */
export function at(ms = 0): Date {
  return new Date(T0 + ms);
}

/** One day in ms. */
export const DAY = 86_400_000;

/** A customer upsert with sensible defaults (USD, exponent 2). */
export function customerUpsert(id: string, overrides: Partial<CustomerUpsert> = {}): CustomerUpsert {
  return {
    id,
    name: `Customer ${id}`,
    email: `${id}@example.com`,
    phone: '+15550100000',
    attributes: { city: 'Paris', tags: ['vip', 'newsletter'] },
    subscriptions: { sms: true },
    baseline: EMPTY_AGGREGATES,
    currencyExponent: 2,
    ...overrides,
  };
}

/** A baseline with the given parts (others zero). */
export function baseline(parts: Partial<AggregateParts>): AggregateParts {
  return { ...EMPTY_AGGREGATES, ...parts };
}

/** An order of `amountMinor` cents (USD). */
export function order(id: string, customerId: string, amountMinor: number, createdAt: Date = at()): Order {
  return {
    id,
    customerId,
    amountMinor,
    amount: amountMinor / 100,
    currency: 'USD',
    currencyExponent: 2,
    createdAt,
  };
}

/** A customer event (a `visit` unless told). */
export function customerEvent(
  id: string,
  customerId: string,
  when: Date = at(),
  type = 'visit',
): CustomerEvent {
  return { id, customerId, type, at: when };
}

/** A rule tree matching customers who spent more than `amount` (major units). */
export function spendOver(amount: number): RuleGroup {
  return { combinator: 'and', rules: [{ field: 'totalSpend', operator: '>', value: amount }] };
}

/** A segment with defaults. */
export function segment(id: string, overrides: Partial<Segment> = {}): Segment {
  return {
    id,
    name: `Segment ${id}`,
    description: 'big spenders',
    rules: spendOver(100),
    version: 1,
    createdAt: at(),
    updatedAt: at(),
    ...overrides,
  };
}

/** A draft campaign with defaults. */
export function campaign(id: string, overrides: Partial<Campaign> = {}): Campaign {
  return {
    id,
    name: `Campaign ${id}`,
    rules: spendOver(100),
    channel: 'sms',
    template: 'Hi {{ customer.name }}',
    state: 'draft',
    version: 1,
    createdAt: at(),
    updatedAt: at(),
    ...overrides,
  };
}

/** A pending delivery with defaults. */
export function delivery(id: string, campaignId: string, overrides: Partial<Delivery> = {}): Delivery {
  return {
    id,
    campaignId,
    customerId: `cust-${id}`,
    channel: 'sms',
    address: '+15550100000',
    message: `Hello ${id}`,
    status: 'pending',
    round: 1,
    attempts: 0,
    totalAttempts: 0,
    createdAt: at(),
    updatedAt: at(),
    ...overrides,
  };
}

/** The field catalog the query checks use: the built-in fields. */
export function testCatalog(): FieldCatalog {
  return defaultFieldCatalog;
}
