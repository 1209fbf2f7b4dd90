import { describe, expect, it } from 'vitest';
import type { Customer } from '../src/domain/customer.js';
import type { CustomerStore, Page, PageOptions, SegmentQuery } from '../src/ports/storage.js';
import { compileSegment } from '../src/segment/compile.js';
import { defaultFieldCatalog } from '../src/segment/create-catalog.js';
import { countSegment, previewSegment, querySegmentPage, streamSegment } from '../src/segment/query.js';
import type { RuleGroup } from '../src/segment/types.js';

const NOW = new Date('2024-03-31T00:00:00.000Z');

function makeCustomer(i: number): Customer {
  const zero = { spendMinor: 0, orderCount: 0, visits: 0 };
  return {
    id: `c${String(i).padStart(5, '0')}`,
    name: `Customer ${i}`,
    attributes: {},
    subscriptions: {},
    totalSpend: i,
    totalSpendMinor: i * 100,
    orderCount: i % 4,
    visits: i % 7,
    baseline: zero,
    activity: zero,
    createdAt: NOW,
    updatedAt: NOW,
  };
}

/** An array behind the CustomerStore interface, without `query`/`count`, counting `list` calls. */
class ArrayCustomerStore implements CustomerStore {
  listCalls = 0;
  largestPage = 0;
  constructor(private readonly customers: readonly Customer[]) {}
  async upsertMany(): Promise<never> {
    throw new Error('not used');
  }
  async get(id: string): Promise<Customer | null> {
    return this.customers.find((c) => c.id === id) ?? null;
  }
  async getMany(ids: readonly string[]): Promise<(Customer | null)[]> {
    return Promise.all(ids.map((id) => this.get(id)));
  }
  async list(options: PageOptions): Promise<Page<Customer>> {
    this.listCalls += 1;
    this.largestPage = Math.max(this.largestPage, options.limit);
    const start =
      options.cursor === undefined ? 0 : this.customers.findIndex((c) => c.id > (options.cursor as string));
    const from = start === -1 ? this.customers.length : start;
    const items = this.customers.slice(from, from + options.limit);
    const last = items.at(-1);
    const more = from + options.limit < this.customers.length;
    return { items, nextCursor: more && last !== undefined ? last.id : null };
  }
  async size(): Promise<number> {
    return this.customers.length;
  }
}

/** The same store with push-down `query` and `count`, to check they are used. */
class PushDownStore extends ArrayCustomerStore {
  queryCalls = 0;
  countCalls = 0;
  async query(query: SegmentQuery, options: PageOptions): Promise<Page<Customer>> {
    this.queryCalls += 1;
    const matches = compileSegment(query.rules, { catalog: query.catalog, now: query.now });
    const all: Customer[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await this.list({ limit: 100, cursor });
      all.push(...page.items.filter(matches));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    const from = options.cursor === undefined ? 0 : all.findIndex((c) => c.id > (options.cursor as string));
    const start = from === -1 ? all.length : from;
    const items = all.slice(start, start + options.limit);
    return { items, nextCursor: start + options.limit < all.length ? (items.at(-1)?.id ?? null) : null };
  }
  async count(query: SegmentQuery): Promise<number> {
    this.countCalls += 1;
    const matches = compileSegment(query.rules, { catalog: query.catalog, now: query.now });
    let n = 0;
    let cursor: string | undefined;
    for (;;) {
      const page = await this.list({ limit: 100, cursor });
      n += page.items.filter(matches).length;
      if (page.nextCursor === null) return n;
      cursor = page.nextCursor;
    }
  }
}

const customers = Array.from({ length: 2500 }, (_, i) => makeCustomer(i));
const everyThird: RuleGroup = {
  combinator: 'and',
  rules: [
    {
      field: 'totalSpend',
      operator: 'in',
      value: customers.filter((_, i) => i % 3 === 0).map((c) => c.totalSpend),
    },
  ],
};
const query = (rules: RuleGroup): SegmentQuery => ({ rules, now: NOW, catalog: defaultFieldCatalog });
const expectedIds = (rules: RuleGroup) => {
  const matches = compileSegment(rules, { catalog: defaultFieldCatalog, now: NOW });
  return customers.filter(matches).map((c) => c.id);
};

async function allPages(store: CustomerStore, q: SegmentQuery, limit: number) {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page = await querySegmentPage(store, q, { limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    sizes.push(page.items.length);
    ids.push(...page.items.map((c) => c.id));
    if (page.nextCursor === null) return { ids, sizes };
    cursor = page.nextCursor;
  }
  throw new Error('did not finish');
}

describe('querySegmentPage without push-down', () => {
  it('pages through every match exactly once, in id order', async () => {
    const store = new ArrayCustomerStore(customers);
    const { ids, sizes } = await allPages(store, query(everyThird), 100);
    expect(ids).toEqual(expectedIds(everyThird));
    expect(sizes.some((s) => s < 100)).toBe(true);
    expect(store.largestPage).toBe(100);
  });

  it('resumes from a stored cursor', async () => {
    const store = new ArrayCustomerStore(customers);
    const first = await querySegmentPage(store, query(everyThird), { limit: 50 });
    const second = await querySegmentPage(new ArrayCustomerStore(customers), query(everyThird), {
      limit: 50,
      cursor: first.nextCursor ?? undefined,
    });
    const { ids } = await allPages(store, query(everyThird), 50);
    expect([...first.items, ...second.items].map((c) => c.id)).toEqual(
      ids.slice(0, first.items.length + second.items.length),
    );
  });

  it('skips runs of non-matching customers instead of returning empty pages', async () => {
    const rare: RuleGroup = {
      combinator: 'or',
      rules: [{ field: 'totalSpend', operator: 'in', value: [5, 2400] }],
    };
    const store = new ArrayCustomerStore(customers);
    const { ids, sizes } = await allPages(store, query(rare), 10);
    expect(ids).toEqual(['c00005', 'c02400']);
    expect(sizes.filter((s) => s === 0).length).toBeLessThanOrEqual(3);
  });

  it('returns an empty last page when nothing matches', async () => {
    const none: RuleGroup = { combinator: 'and', rules: [{ field: 'totalSpend', operator: '<', value: 0 }] };
    const { ids } = await allPages(new ArrayCustomerStore(customers), query(none), 100);
    expect(ids).toEqual([]);
  });

  it('refuses a bad limit', async () => {
    await expect(
      querySegmentPage(new ArrayCustomerStore(customers), query(everyThird), { limit: 0 }),
    ).rejects.toThrow(RangeError);
  });
});

describe('countSegment, previewSegment, streamSegment', () => {
  it('count and preview by streaming when the adapter has no push-down', async () => {
    const store = new ArrayCustomerStore(customers);
    const expected = expectedIds(everyThird);
    expect(await countSegment(store, query(everyThird))).toBe(expected.length);
    const preview = await previewSegment(store, query(everyThird), { sampleSize: 5 });
    expect(preview.count).toBe(expected.length);
    expect(preview.sample.map((c) => c.id)).toEqual(expected.slice(0, 5));
    expect((await previewSegment(store, query(everyThird))).sample).toHaveLength(10);
    expect(store.largestPage).toBeLessThanOrEqual(1000);
  });

  it('streams batches of at most batchSize, every match once', async () => {
    const store = new ArrayCustomerStore(customers);
    const ids: string[] = [];
    for await (const batch of streamSegment(store, query(everyThird), { batchSize: 64 })) {
      expect(batch.length).toBeGreaterThan(0);
      expect(batch.length).toBeLessThanOrEqual(64);
      ids.push(...batch.map((c) => c.id));
    }
    expect(ids).toEqual(expectedIds(everyThird));
  });

  it('uses the adapter push-down when present', async () => {
    const store = new PushDownStore(customers);
    const expected = expectedIds(everyThird);
    const preview = await previewSegment(store, query(everyThird), { sampleSize: 3 });
    expect(preview).toEqual({
      count: expected.length,
      sample: customers.filter((c) => expected.slice(0, 3).includes(c.id)),
    });
    expect(store.countCalls).toBe(1);
    expect(store.queryCalls).toBe(1);
    const { ids } = await allPages(store, query(everyThird), 200);
    expect(ids).toEqual(expected);
  });
});
