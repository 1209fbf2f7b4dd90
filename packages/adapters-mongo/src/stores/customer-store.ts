import type {
  Customer,
  CustomerStore,
  CustomerUpsert,
  Page,
  PageOptions,
  SegmentQuery,
  UpsertResult,
} from '@minicrm/core';
import { applyCustomerUpsert, ConflictError } from '@minicrm/core';
import type { Filter } from 'mongodb';
import { decodeCustomer, encodeCustomer } from '../codec/customer.js';
import type { Doc, StoreContext } from '../context.js';
import { compileMongoFilter } from '../filter/compile-filter.js';
import { backoff, decodeIdCursor, encodeCursor, MAX_ROUNDS, mapLimit, pageLimit, SLICE } from '../util.js';
import { insertOwned } from '../write.js';

/** The segment query as a filter on customer documents. */
function pushDown(query: SegmentQuery): Filter<Doc> {
  return compileMongoFilter(query.rules, { catalog: query.catalog, now: query.now }) as Filter<Doc>;
}

/** Fields a customer read never returns. */
const HIDDEN = { _j: 0 } as const;

/**
 * A `CustomerStore` on MongoDB. `upsertMany` is a compare-and-set per customer on its `_rev`
 * (insert for new ids; `replaceOne({ _id, _rev })` for known ones), computed with
 * `applyCustomerUpsert` and retried on conflict. `query` and `count` push the segment down as a
 * MongoDB filter (`compileMongoFilter`).
 */
export function createMongoCustomerStore(ctx: StoreContext): CustomerStore {
  const customers = ctx.collections.customers;

  async function page(filter: Filter<Doc>, options: PageOptions): Promise<Page<Customer>> {
    const limit = pageLimit(options.limit);
    const after = decodeIdCursor(options.cursor);
    const where = after === undefined ? filter : { $and: [{ _id: { $gt: after } }, filter] };
    const docs = await customers
      .find(where, { projection: HIDDEN, sort: { _id: 1 }, limit: limit + 1, batchSize: limit + 1 })
      .toArray();
    const items = docs.slice(0, limit).map(decodeCustomer);
    const last = items[items.length - 1];
    return { items, nextCursor: docs.length > limit && last !== undefined ? encodeCursor(last.id) : null };
  }

  /** One round of upserts: returns the ids (indexes into `batch`) that lost a race. */
  async function round(
    batch: readonly CustomerUpsert[],
    pending: readonly number[],
    now: Date,
    outcome: ('created' | 'updated')[],
  ): Promise<number[]> {
    const ids = [...new Set(pending.map((i) => (batch[i] as CustomerUpsert).id))];
    const existing = new Map<string, Doc>();
    for (const doc of await customers.find({ _id: { $in: ids } }).toArray()) existing.set(doc._id, doc);
    // Items of one id are applied in order on one in-memory record, then written once.
    const byId = new Map<string, { doc: Doc | null; next: Customer | null; items: number[] }>();
    for (const i of pending) {
      const upsert = batch[i] as CustomerUpsert;
      let entry = byId.get(upsert.id);
      if (entry === undefined) {
        const doc = existing.get(upsert.id) ?? null;
        entry = { doc, next: doc === null ? null : decodeCustomer(doc), items: [] };
        byId.set(upsert.id, entry);
      }
      outcome[i] = entry.next === null ? 'created' : 'updated';
      entry.next = applyCustomerUpsert(entry.next, upsert, now);
      entry.items.push(i);
    }
    const retry: number[] = [];
    const inserts: { doc: Doc; items: number[] }[] = [];
    const replaces: { doc: Doc; rev: number; items: number[] }[] = [];
    for (const { doc, next, items } of byId.values()) {
      const customer = next as Customer;
      if (doc === null) inserts.push({ doc: encodeCustomer(customer, { _rev: 1 }) as Doc, items });
      else {
        const rev = doc._rev as number;
        const keep = Array.isArray(doc._j) && doc._j.length > 0 ? { _j: doc._j } : {};
        replaces.push({ doc: encodeCustomer(customer, { _rev: rev + 1, ...keep }) as Doc, rev, items });
      }
    }
    if (inserts.length > 0) {
      const done = await insertOwned(
        customers,
        inserts.map((x) => x.doc),
      );
      inserts.forEach((x, k) => {
        if (!done.has(k)) retry.push(...x.items);
      });
    }
    const replaced = await mapLimit(replaces, ctx.concurrency, (x) =>
      ctx.writer.replace(customers, '_rev', x.rev, x.doc),
    );
    replaced.forEach((ok, k) => {
      if (!ok) retry.push(...(replaces[k]?.items ?? []));
    });
    return retry;
  }

  return {
    async upsertMany(list: readonly CustomerUpsert[], now: Date): Promise<UpsertResult> {
      const outcome = new Array<'created' | 'updated'>(list.length);
      for (let start = 0; start < list.length; start += SLICE) {
        const batch = list.slice(start, start + SLICE);
        let pending = batch.map((_, i) => i);
        const sliceOutcome = new Array<'created' | 'updated'>(batch.length);
        for (let r = 0; pending.length > 0; r++) {
          if (r === MAX_ROUNDS)
            throw new ConflictError(`customers.upsertMany: still conflicting after ${r} attempts`);
          if (r > 0) await backoff(r);
          // A retried id is re-planned with every item of the slice touching it, in order.
          const retryIds = new Set((await round(batch, pending, now, sliceOutcome)).map((i) => batch[i]?.id));
          pending = pending.filter((i) => retryIds.has(batch[i]?.id));
        }
        sliceOutcome.forEach((o, i) => {
          outcome[start + i] = o;
        });
      }
      const created: string[] = [];
      const updated: string[] = [];
      list.forEach((upsert, i) => {
        (outcome[i] === 'created' ? created : updated).push(upsert.id);
      });
      return { created, updated };
    },

    async get(id: string): Promise<Customer | null> {
      const doc = await customers.findOne({ _id: id }, { projection: HIDDEN });
      return doc === null ? null : decodeCustomer(doc);
    },

    async getMany(ids: readonly string[]): Promise<(Customer | null)[]> {
      if (ids.length === 0) return [];
      const found = new Map<string, Customer>();
      const docs = await customers
        .find({ _id: { $in: [...new Set(ids)] } }, { projection: HIDDEN })
        .toArray();
      for (const doc of docs) found.set(doc._id, decodeCustomer(doc));
      return ids.map((id) => found.get(id) ?? null);
    },

    list: (options: PageOptions) => page({}, options),

    query(query: SegmentQuery, options: PageOptions): Promise<Page<Customer>> {
      return page(pushDown(query), options);
    },

    count(query: SegmentQuery): Promise<number> {
      return customers.countDocuments(pushDown(query));
    },

    size: () => customers.countDocuments({}),
  };
}
