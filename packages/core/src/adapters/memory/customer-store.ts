import type { Customer, CustomerUpsert } from '../../domain/customer.js';
import { applyCustomerUpsert } from '../../ingestion/aggregates.js';
import type { CustomerStore, Page, PageOptions, SegmentQuery, UpsertResult } from '../../ports/storage.js';
import { compileSegment } from '../../segment/compile.js';
import { decodeIdCursor, pageOfIds } from './cursor.js';
import { freezeOwnedCustomer } from './freeze.js';
import { SortedIds } from './sorted-ids.js';

/** The memory storage's customer records, shared with the activity store. */
export interface CustomerTable {
  /** Frozen customers by id. */
  readonly byId: Map<string, Customer>;
  /** Every id, ascending. */
  readonly ids: SortedIds;
}

/** An empty {@link CustomerTable}. */
export function createCustomerTable(): CustomerTable {
  return { byId: new Map(), ids: new SortedIds() };
}

/** Stores a customer record the caller owns (freezing it), indexing a new id. */
export function putCustomer(table: CustomerTable, customer: Customer): Customer {
  const frozen = freezeOwnedCustomer(customer);
  if (!table.byId.has(frozen.id)) table.ids.add(frozen.id);
  table.byId.set(frozen.id, frozen);
  return frozen;
}

/** A {@link CustomerStore} over a {@link CustomerTable}. Segment queries run the compiled evaluator. */
export function createMemoryCustomerStore(table: CustomerTable): CustomerStore {
  const { byId, ids } = table;

  function matching(query: SegmentQuery): (customer: Customer) => boolean {
    return compileSegment(query.rules, { catalog: query.catalog, now: query.now });
  }

  return {
    async upsertMany(customers: readonly CustomerUpsert[], now: Date): Promise<UpsertResult> {
      const created: string[] = [];
      const updated: string[] = [];
      for (const upsert of customers) {
        const existing = byId.get(upsert.id) ?? null;
        putCustomer(table, applyCustomerUpsert(existing, upsert, now));
        (existing === null ? created : updated).push(upsert.id);
      }
      return { created, updated };
    },

    async get(id: string): Promise<Customer | null> {
      return byId.get(id) ?? null;
    },

    async getMany(list: readonly string[]): Promise<(Customer | null)[]> {
      return list.map((id) => byId.get(id) ?? null);
    },

    async list(options: PageOptions): Promise<Page<Customer>> {
      const all = ids.all();
      return pageOfIds(all, ids.startAfter(decodeIdCursor(options.cursor)), options.limit, (id) =>
        byId.get(id),
      );
    },

    async query(query: SegmentQuery, options: PageOptions): Promise<Page<Customer>> {
      const predicate = matching(query);
      const all = ids.all();
      const start = ids.startAfter(decodeIdCursor(options.cursor));
      return pageOfIds(all, start, options.limit, (id) => byId.get(id), predicate);
    },

    async count(query: SegmentQuery): Promise<number> {
      const predicate = matching(query);
      let n = 0;
      for (const customer of byId.values()) if (predicate(customer)) n++;
      return n;
    },

    async size(): Promise<number> {
      return byId.size;
    },
  };
}
