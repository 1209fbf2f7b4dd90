/** A custom attribute value: string, number, boolean, date (stored as `Date`) or list of strings. */
export type AttributeValue = string | number | boolean | Date | readonly string[];

/**
 * One side of a customer's aggregates: either the baseline imported from another system, or what
 * MiniCRM's own orders and events added. The customer's public aggregates are the two combined
 * (sums add up, first/last dates take the earliest/latest), see `combineAggregates`.
 */
export interface AggregateParts {
  /** Spend in minor units of the store currency (integer; e.g. cents). */
  readonly spendMinor: number;
  /** Number of orders. */
  readonly orderCount: number;
  /** Number of visits. */
  readonly visits: number;
  /** Earliest order time, if any. */
  readonly firstOrderAt?: Date | undefined;
  /** Latest order time, if any. */
  readonly lastOrderAt?: Date | undefined;
  /** Latest visit time, if any. */
  readonly lastVisitAt?: Date | undefined;
}

/**
 * A customer as stored and returned. Aggregates (`totalSpend`, `orderCount`, …) are maintained by
 * ingestion and are always `baseline` combined with `activity`.
 */
export interface Customer {
  /** The caller's id for this customer. */
  readonly id: string;
  /** Display name. */
  readonly name: string;
  /** Email address, if known. */
  readonly email?: string | undefined;
  /** Phone number in E.164 form (`+15551234567`), if known. */
  readonly phone?: string | undefined;
  /** Custom fields, declared in the field catalog to be usable in segment rules. */
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /**
   * Consent per channel. A channel missing here counts as subscribed; `false` means the customer
   * opted out, and campaigns on that channel skip them with reason `unsubscribed`.
   */
  readonly subscriptions: Readonly<Record<string, boolean>>;
  /** Total spend in major units of the store currency (e.g. 12.5 for 12.50). Derived from `totalSpendMinor`. */
  readonly totalSpend: number;
  /** Total spend in minor units (integer), exact. */
  readonly totalSpendMinor: number;
  /** Number of orders. */
  readonly orderCount: number;
  /** Number of visits. */
  readonly visits: number;
  /** Earliest order. */
  readonly firstOrderAt?: Date | undefined;
  /** Latest order. */
  readonly lastOrderAt?: Date | undefined;
  /** Latest visit. */
  readonly lastVisitAt?: Date | undefined;
  /** Aggregates carried in from another system when the customer was upserted. */
  readonly baseline: AggregateParts;
  /** Aggregates added by orders and events ingested into MiniCRM. */
  readonly activity: AggregateParts;
  /** When MiniCRM first stored this customer (or the imported creation time). */
  readonly createdAt: Date;
  /** When this record last changed. */
  readonly updatedAt: Date;
}

/**
 * A validated customer upsert as handed to storage: profile fields and baseline. Storage keeps the
 * existing `activity` and `createdAt` of a known customer and recomputes the aggregates.
 */
export interface CustomerUpsert {
  readonly id: string;
  readonly name: string;
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly subscriptions: Readonly<Record<string, boolean>>;
  readonly baseline: AggregateParts;
  /** Digits after the decimal point in the store currency, to derive `totalSpend` from minor units. */
  readonly currencyExponent: number;
  /** Creation time carried in from another system; storage uses it only on insert. */
  readonly createdAt?: Date | undefined;
}

/** An empty {@link AggregateParts}. */
export const EMPTY_AGGREGATES: AggregateParts = Object.freeze({ spendMinor: 0, orderCount: 0, visits: 0 });
