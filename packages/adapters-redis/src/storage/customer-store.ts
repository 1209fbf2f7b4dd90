import type { Customer, CustomerStore, CustomerUpsert, Page, PageOptions, SegmentQuery } from '@minicrm/core';
import { applyCustomerUpsert, compileSegment } from '@minicrm/core';
import { casLoop } from './cas-loop.js';
import { decodeCustomer, encodeCustomer, splitRecord } from './codec.js';
import type { StoreContext } from './context.js';
import { readValues } from './records.js';
import { forEachRecord, scanPage } from './scan.js';

/**
 * A `CustomerStore` on Redis: one JSON record per customer, an id index (sorted set, score 0, for
 * ascending-id pagination), and segment queries that stream the customers in chunks through the
 * compiled evaluator.
 */
export function createRedisCustomerStore(ctx: StoreContext): CustomerStore {
  const { client, keys } = ctx;
  const read = (ids: readonly string[]) => readValues(client, ids.map(keys.customer), decodeCustomer);

  const page = (options: PageOptions, filter?: (c: Customer) => boolean): Promise<Page<Customer>> =>
    scanPage(client, { index: keys.customerIds, limit: options.limit, cursor: options.cursor, read, filter });

  const matching = (query: SegmentQuery) =>
    compileSegment(query.rules, { catalog: query.catalog, now: query.now });

  return {
    async upsertMany(customers: readonly CustomerUpsert[], now: Date) {
      const outcomes = await casLoop(
        client,
        customers.length,
        {
          keys: (i) => [keys.customer((customers[i] as CustomerUpsert).id)],
          decode: (_key, json) => decodeCustomer(json),
          plan(i, tx) {
            const upsert = customers[i] as CustomerUpsert;
            const key = keys.customer(upsert.id);
            const existing = tx.get<Customer>(key);
            const next = applyCustomerUpsert(existing, upsert, now);
            tx.put(key, next, encodeCustomer(next));
            if (existing === null) tx.item.zadd(keys.customerIds, upsert.id);
            return existing === null;
          },
        },
        'customers.upsertMany',
      );
      const created: string[] = [];
      const updated: string[] = [];
      outcomes.forEach((isNew, i) => {
        (isNew ? created : updated).push((customers[i] as CustomerUpsert).id);
      });
      return { created, updated };
    },

    async get(id: string) {
      const raw = splitRecord(await client.get(keys.customer(id)));
      return raw === null ? null : decodeCustomer(raw.json);
    },

    getMany: read,

    list: (options: PageOptions) => page(options),

    query: (query: SegmentQuery, options: PageOptions) => page(options, matching(query)),

    async count(query: SegmentQuery) {
      const predicate = matching(query);
      let n = 0;
      await forEachRecord(client, keys.customerIds, read, (c) => {
        if (predicate(c)) n++;
      });
      return n;
    },

    size: () => client.zcard(keys.customerIds),
  };
}
