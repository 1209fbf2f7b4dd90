/** An order as stored. Ingesting the same order id twice changes nothing. */
export interface Order {
  /** The caller's order id; unique across all orders. */
  readonly id: string;
  /** The customer who placed it; must exist. */
  readonly customerId: string;
  /** Amount in minor units (integer), exact. */
  readonly amountMinor: number;
  /** Amount in major units, derived from `amountMinor`. */
  readonly amount: number;
  /** ISO 4217 code; equals the store currency. */
  readonly currency: string;
  /** Digits after the decimal point in this currency (2 for USD, 0 for JPY). */
  readonly currencyExponent: number;
  /** When the order was placed. */
  readonly createdAt: Date;
}

/** A customer event as stored, e.g. a `visit`. Ingesting the same event id twice changes nothing. */
export interface CustomerEvent {
  /** The caller's event id; unique across all events. */
  readonly id: string;
  /** The customer it belongs to; must exist. */
  readonly customerId: string;
  /** Event type. `visit` increments `visits` and moves `lastVisitAt`; other types are only recorded. */
  readonly type: string;
  /** When it happened. */
  readonly at: Date;
}
