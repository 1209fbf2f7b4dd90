/**
 * The Redis key layout of the storage (see `docs/storage.md`). Every key starts with
 * `{<prefix>:<area>}`: the braces are a Redis Cluster hash tag, so every key one script or `MGET`
 * touches hashes to one slot. Areas: `cust` (customers, orders, events), `seg` (segments), `camp`
 * (campaigns), `cmp:<campaignId>` (one campaign's deliveries, id index and counters), `vnd`
 * (vendor-id hints) and `rcpt` (receipt ids).
 */
export interface StorageKeys {
  /** A customer record. */
  readonly customer: (id: string) => string;
  /** Every customer id: sorted set, score 0 (lexicographic order). */
  readonly customerIds: string;
  /** An order record; its presence is also the order id's dedupe marker. */
  readonly order: (id: string) => string;
  /** An event record; its presence is also the event id's dedupe marker. */
  readonly event: (id: string) => string;
  /** A customer's orders: sorted set of `<sortable time>:<orderId>` members, score 0. */
  readonly customerOrders: (customerId: string) => string;
  /** A customer's events: sorted set of `<sortable time>:<eventId>` members, score 0. */
  readonly customerEvents: (customerId: string) => string;
  /** A segment record. */
  readonly segment: (id: string) => string;
  /** Every segment id: sorted set, score 0. */
  readonly segmentIds: string;
  /** A campaign record. */
  readonly campaign: (id: string) => string;
  /** Every campaign: sorted set of `<sortable createdAt>:<id>` members, score 0. */
  readonly campaignsAll: string;
  /** Campaigns in one state: same members as {@link StorageKeys.campaignsAll}. */
  readonly campaignsInState: (state: string) => string;
  /**
   * A delivery's state record (`<rev>|<json>`, rewritten by transitions), in the slot of the
   * campaign its id names (see {@link deliveryTag}).
   */
  readonly delivery: (id: string) => string;
  /** A delivery's body (JSON of the fields fixed at creation), next to its state record. */
  readonly deliveryBody: (id: string) => string;
  /** A campaign's delivery ids: sorted set, score 0 (lexicographic order). */
  readonly campaignDeliveryIds: (campaignId: string) => string;
  /** A campaign's counters: hash of `total`, `attempts`, `retries`, `opened`, `clicked` and one field per status. */
  readonly campaignCounts: (campaignId: string) => string;
  /** Vendor message id → delivery id (a lookup hint, verified against the delivery on read). */
  readonly vendorIds: string;
  /** Receipt ids already applied. */
  readonly receipts: string;
}

/**
 * The campaign a delivery id names, for its hash tag: the part before the first `~` of
 * `<campaignId>~<customerId>` (see `deliveryId` in core), or the whole id when it has no `~`.
 */
export function deliveryTag(id: string): string {
  const i = id.indexOf('~');
  return i < 0 ? id : id.slice(0, i);
}

/** The key layout under `prefix`. */
export function storageKeys(prefix: string): StorageKeys {
  const cust = `{${prefix}:cust}`;
  const seg = `{${prefix}:seg}`;
  const camp = `{${prefix}:camp}`;
  const cmp = (campaignId: string) => `{${prefix}:cmp:${campaignId}}`;
  return {
    customer: (id) => `${cust}:c:${id}`,
    customerIds: `${cust}:ids`,
    order: (id) => `${cust}:o:${id}`,
    event: (id) => `${cust}:e:${id}`,
    customerOrders: (id) => `${cust}:co:${id}`,
    customerEvents: (id) => `${cust}:ce:${id}`,
    segment: (id) => `${seg}:s:${id}`,
    segmentIds: `${seg}:ids`,
    campaign: (id) => `${camp}:k:${id}`,
    campaignsAll: `${camp}:all`,
    campaignsInState: (state) => `${camp}:st:${state}`,
    delivery: (id) => `${cmp(deliveryTag(id))}:d:${id}`,
    deliveryBody: (id) => `${cmp(deliveryTag(id))}:db:${id}`,
    campaignDeliveryIds: (campaignId) => `${cmp(campaignId)}:ids`,
    campaignCounts: (campaignId) => `${cmp(campaignId)}:n`,
    vendorIds: `{${prefix}:vnd}:ids`,
    receipts: `{${prefix}:rcpt}:seen`,
  };
}

/** The hash tag of a key (what is between its first `{` and the next `}`), or the whole key. */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close <= open + 1 ? key : key.slice(open + 1, close);
}

/** Offset making every valid `Date` time non-negative (valid times are within ±8.64e15 ms). */
const TIME_OFFSET = 8_640_000_000_000_000;

/**
 * A fixed-width, lexicographically sortable form of a time, so sorted sets with score 0 order
 * members `<time>:<id>` by time, then id (exact for years −271821 to 13,600).
 */
export function sortableTime(ms: number): string {
  return String(Math.min(Math.max(ms + TIME_OFFSET, 0), Number.MAX_SAFE_INTEGER)).padStart(16, '0');
}

/** The id part of a `<sortable time>:<id>` member. */
export function idOfTimeMember(member: string): string {
  return member.slice(17);
}
