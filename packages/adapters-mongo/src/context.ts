import type { Collection, Db, Document } from 'mongodb';
import type { ConditionalWriter } from './cas.js';
import type { WriteMode } from './server.js';

/** A stored document: string `_id`, anything else. */
export interface Doc extends Document {
  _id: string;
}

/** The collections of one storage, named `<prefix><kind>`. */
export interface Collections {
  readonly customers: Collection<Doc>;
  readonly orders: Collection<Doc>;
  readonly events: Collection<Doc>;
  readonly segments: Collection<Doc>;
  readonly campaigns: Collection<Doc>;
  readonly deliveries: Collection<Doc>;
  /** One counter document per campaign (`stores/delivery-counters.ts`). */
  readonly deliveryCounts: Collection<Doc>;
  readonly receipts: Collection<Doc>;
  /** Revision claims (FerretDB only, see `cas.ts`). */
  readonly claims: Collection<Doc>;
}

/** What every store of one storage shares. */
export interface StoreContext {
  readonly collections: Collections;
  /** Most single-document writes in flight at once per call. */
  readonly concurrency: number;
  /** Conditional replace of one document (compare-and-set on a revision field). */
  readonly writer: ConditionalWriter;
  /** How to write on this server (asked of it on first use). */
  readonly mode: () => Promise<WriteMode>;
  /**
   * Applied counter tokens a campaign's counter document keeps before they are pruned (see
   * `stores/delivery-counters.ts`).
   */
  readonly counterTokenLimit: number;
}

/** The collections under `prefix` in `db`. */
export function collectionsOf(db: Db, prefix: string): Collections {
  const c = (name: string) => db.collection<Doc>(`${prefix}${name}`);
  return {
    customers: c('customers'),
    orders: c('orders'),
    events: c('events'),
    segments: c('segments'),
    campaigns: c('campaigns'),
    deliveries: c('deliveries'),
    deliveryCounts: c('delivery_counts'),
    receipts: c('receipts'),
    claims: c('claims'),
  };
}
