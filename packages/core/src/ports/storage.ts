import type { DeliveryTransition } from '../delivery/transition.js';
import type { CustomerEvent, Order } from '../domain/activity.js';
import type { Campaign, CampaignState } from '../domain/campaign.js';
import type { Customer, CustomerUpsert } from '../domain/customer.js';
import type { Delivery, DeliveryCounts, DeliveryStatus } from '../domain/delivery.js';
import type { Segment } from '../domain/segment.js';
import type { FieldCatalog } from '../segment/catalog.js';
import type { RuleGroup } from '../segment/types.js';

/** One page of a cursor-paginated listing. */
export interface Page<T> {
  readonly items: readonly T[];
  /** Pass as `cursor` to get the next page; `null` when this is the last page. */
  readonly nextCursor: string | null;
}

/** Options of a cursor-paginated listing. */
export interface PageOptions {
  /** Most items to return (≥ 1). */
  readonly limit: number;
  /** `nextCursor` of the previous page; absent for the first page. */
  readonly cursor?: string | undefined;
}

/** A segment rule to evaluate, with what evaluation needs. */
export interface SegmentQuery {
  readonly rules: RuleGroup;
  /** The instant relative dates resolve against (taken once at evaluation start). */
  readonly now: Date;
  readonly catalog: FieldCatalog;
}

/** What an upsert did, per id. */
export interface UpsertResult {
  readonly created: readonly string[];
  readonly updated: readonly string[];
}

/** What an idempotent append did, per id. */
export interface AppendResult {
  /** Ids applied now (aggregates moved). */
  readonly applied: readonly string[];
  /** Ids seen before: nothing changed. */
  readonly duplicates: readonly string[];
  /** Ids whose customer does not exist: nothing changed. */
  readonly missingCustomer: readonly string[];
}

/**
 * Customers. Listing order is ascending `id` (string order); cursors are opaque.
 * `query` and `count` are optional: when absent, core streams `list` through the compiled evaluator.
 */
export interface CustomerStore {
  /**
   * Inserts new customers, or replaces the profile fields and baseline of known ones, keeping their
   * `activity` and `createdAt` and recomputing aggregates (`applyCustomerUpsert`). Atomic per customer.
   */
  upsertMany(customers: readonly CustomerUpsert[], now: Date): Promise<UpsertResult>;
  get(id: string): Promise<Customer | null>;
  /** Same order as `ids`; `null` for unknown ids. */
  getMany(ids: readonly string[]): Promise<(Customer | null)[]>;
  list(options: PageOptions): Promise<Page<Customer>>;
  /** Customers matching the query, ascending id, paginated. Optional push-down. */
  query?(query: SegmentQuery, options: PageOptions): Promise<Page<Customer>>;
  /** Number of customers matching the query. Optional push-down. */
  count?(query: SegmentQuery): Promise<number>;
  /** Number of customers. */
  size(): Promise<number>;
}

/** Orders and events: idempotent appends that move customer aggregates atomically with the insert. */
export interface ActivityStore {
  /** Appends orders not seen before, adding each to its customer's `activity` (`applyOrder`). */
  appendOrders(orders: readonly Order[], now: Date): Promise<AppendResult>;
  /** Appends events not seen before; `visit` events add to the customer's `activity` (`applyEvent`). */
  appendEvents(events: readonly CustomerEvent[], now: Date): Promise<AppendResult>;
  /** A customer's orders, newest first. */
  listOrders(customerId: string, options: PageOptions): Promise<Page<Order>>;
  /** A customer's events, newest first. */
  listEvents(customerId: string, options: PageOptions): Promise<Page<CustomerEvent>>;
}

/** Saved segments. */
export interface SegmentStore {
  /** Throws `ConflictError` if the id exists. */
  create(segment: Segment): Promise<void>;
  get(id: string): Promise<Segment | null>;
  /** Ascending id. */
  list(options: PageOptions): Promise<Page<Segment>>;
  /**
   * Replaces the segment if its stored version equals `expectedVersion` (the new record carries
   * `expectedVersion + 1`). Throws `ConflictError` on a version mismatch, `NotFoundError` if absent.
   */
  update(segment: Segment, expectedVersion: number): Promise<void>;
  /** Returns false if it did not exist. */
  delete(id: string): Promise<boolean>;
}

/** Campaigns, with optimistic concurrency on every change. */
export interface CampaignStore {
  /** Throws `ConflictError` if the id exists. */
  create(campaign: Campaign): Promise<void>;
  get(id: string): Promise<Campaign | null>;
  /** Newest first (descending `createdAt`, then id); optionally only some states. */
  list(options: PageOptions & { readonly states?: readonly CampaignState[] }): Promise<Page<Campaign>>;
  /**
   * Replaces the campaign if its stored version equals `expectedVersion` (the new record carries
   * `expectedVersion + 1`). Throws `ConflictError` on a version mismatch, `NotFoundError` if absent.
   */
  update(campaign: Campaign, expectedVersion: number): Promise<void>;
  /** Campaigns in one of `states`, any order, at most `limit`. Used by the scheduler and launch recovery. */
  listByState(states: readonly CampaignState[], limit: number): Promise<readonly Campaign[]>;
}

/**
 * Deliveries and their stats counters. `transitionMany` is the only way a delivery changes after
 * creation; the adapter applies each transition atomically with its counter deltas, so
 * `counts()` always sums to the number of deliveries.
 */
export interface DeliveryStore {
  /** Inserts deliveries whose id is absent; existing ids are left untouched. Returns the ids inserted. */
  createMany(deliveries: readonly Delivery[]): Promise<readonly string[]>;
  get(id: string): Promise<Delivery | null>;
  /** Same order as `ids`; `null` for unknown ids. */
  getMany(ids: readonly string[]): Promise<(Delivery | null)[]>;
  /**
   * Applies each transition if its conditions hold on the stored delivery (`applyDeliveryTransition`),
   * moving the campaign's counters by `deliveryCountsDelta`. Returns, per transition, the delivery
   * after it, or `null` when it did not apply (conditions failed or delivery absent).
   */
  transitionMany(transitions: readonly DeliveryTransition[]): Promise<(Delivery | null)[]>;
  /** A campaign's deliveries in ascending id, optionally only some statuses. */
  list(
    campaignId: string,
    options: PageOptions & { readonly statuses?: readonly DeliveryStatus[] },
  ): Promise<Page<Delivery>>;
  /** The campaign's counters. */
  counts(campaignId: string): Promise<DeliveryCounts>;
  /** Deliveries whose latest accepted attempt has one of these vendor ids (id → delivery id). */
  findByVendorMessageIds(vendorMessageIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

/** Receipt dedupe: remembers receipt ids already applied. */
export interface ReceiptStore {
  /** Records the ids; returns those not recorded before (in input order, each once). */
  recordMany(ids: readonly string[]): Promise<readonly string[]>;
  /** The subset of `ids` already recorded. */
  seen(ids: readonly string[]): Promise<ReadonlySet<string>>;
}

/** Everything MiniCRM stores. One adapter implements all of it (memory, Redis, MongoDB). */
export interface Storage {
  readonly customers: CustomerStore;
  readonly activity: ActivityStore;
  readonly segments: SegmentStore;
  readonly campaigns: CampaignStore;
  readonly deliveries: DeliveryStore;
  readonly receipts: ReceiptStore;
}
