import type { Customer } from '../domain/customer.js';
import type { CustomerStore, Page, PageOptions, SegmentQuery } from '../ports/storage.js';
import { compileSegment, type SegmentPredicate } from './compile.js';

/** Customers read per `list` call when counting or previewing without push-down. */
const SCAN_PAGE = 1000;

function predicateOf(query: SegmentQuery): SegmentPredicate {
  return compileSegment(query.rules, { catalog: query.catalog, now: query.now });
}

function checkLimit(limit: number, name: string): void {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`${name} must be a positive integer`);
}

/**
 * One page of the customers matching a segment, in ascending id.
 *
 * Uses the adapter's `query` push-down when it has one. Otherwise scans `customers.list` pages of
 * `page.limit` through the compiled predicate: a page then may hold fewer than `limit` customers
 * (even none) while `nextCursor` is not `null`; keep paging until it is. To avoid long runs of empty
 * pages, a scan continues past non-matching list pages, reading at most `max(16 × limit, 1000)`
 * customers per call. Cursors are the adapter's own, so a page can be resumed from a stored cursor.
 */
export async function querySegmentPage(
  customers: CustomerStore,
  query: SegmentQuery,
  page: PageOptions,
): Promise<Page<Customer>> {
  checkLimit(page.limit, 'limit');
  if (customers.query !== undefined) return customers.query(query, page);
  return scanPage(customers, predicateOf(query), page);
}

async function scanPage(
  customers: CustomerStore,
  matches: SegmentPredicate,
  page: PageOptions,
): Promise<Page<Customer>> {
  const budget = Math.max(16 * page.limit, 1000);
  let cursor = page.cursor;
  let scanned = 0;
  for (;;) {
    const listed = await customers.list({ limit: page.limit, cursor });
    scanned += listed.items.length;
    const items = listed.items.filter(matches);
    if (items.length > 0 || listed.nextCursor === null || scanned >= budget || listed.items.length === 0) {
      return { items, nextCursor: listed.nextCursor };
    }
    cursor = listed.nextCursor;
  }
}

/**
 * Every customer of the store in ascending id, a page at a time: memory holds one page, whatever
 * the number of customers.
 */
async function* scanAll(customers: CustomerStore, pageSize: number): AsyncGenerator<readonly Customer[]> {
  let cursor: string | undefined;
  for (;;) {
    const listed = await customers.list({ limit: pageSize, cursor });
    if (listed.items.length > 0) yield listed.items;
    if (listed.nextCursor === null) return;
    cursor = listed.nextCursor;
  }
}

/**
 * How many customers match a segment. Uses the adapter's `count` push-down when it has one, else
 * pages through its `query`, else streams `list` through the compiled predicate (memory stays flat).
 */
export async function countSegment(customers: CustomerStore, query: SegmentQuery): Promise<number> {
  if (customers.count !== undefined) return customers.count(query);
  let count = 0;
  if (customers.query !== undefined) {
    for await (const batch of streamSegment(customers, query, { batchSize: SCAN_PAGE }))
      count += batch.length;
    return count;
  }
  const matches = predicateOf(query);
  for await (const items of scanAll(customers, SCAN_PAGE)) {
    for (const customer of items) if (matches(customer)) count += 1;
  }
  return count;
}

/** Options of {@link previewSegment}. */
export interface PreviewSegmentOptions {
  /** Most customers in the sample (the first matches in id order). @default 10 */
  readonly sampleSize?: number;
}

/** What {@link previewSegment} returns. */
export interface SegmentPreview {
  /** Customers matching now. */
  readonly count: number;
  /** The first `sampleSize` of them, ascending id. */
  readonly sample: Customer[];
}

/**
 * Audience preview: the number of matching customers and a small sample, without saving anything.
 * Uses the adapter's push-downs when present; otherwise one streaming pass computes both.
 */
export async function previewSegment(
  customers: CustomerStore,
  query: SegmentQuery,
  options: PreviewSegmentOptions = {},
): Promise<SegmentPreview> {
  const sampleSize = options.sampleSize ?? 10;
  if (!Number.isSafeInteger(sampleSize) || sampleSize < 0) {
    throw new RangeError('sampleSize must be a non-negative integer');
  }
  if (customers.count === undefined && customers.query === undefined) {
    const matches = predicateOf(query);
    const sample: Customer[] = [];
    let count = 0;
    for await (const items of scanAll(customers, SCAN_PAGE)) {
      for (const customer of items) {
        if (!matches(customer)) continue;
        count += 1;
        if (sample.length < sampleSize) sample.push(customer);
      }
    }
    return { count, sample };
  }
  const count = await countSegment(customers, query);
  const sample: Customer[] = [];
  if (sampleSize > 0 && count > 0) {
    for await (const batch of streamSegment(customers, query, { batchSize: sampleSize })) {
      sample.push(...batch.slice(0, sampleSize - sample.length));
      if (sample.length >= sampleSize) break;
    }
  }
  return { count, sample };
}

/** Options of {@link streamSegment}. */
export interface StreamSegmentOptions {
  /** Most customers per batch (each batch is one page). */
  readonly batchSize: number;
  /** Resume after this cursor (a `nextCursor` from {@link querySegmentPage}). */
  readonly cursor?: string | undefined;
}

/**
 * The customers matching a segment as an async generator of non-empty batches (each at most
 * `batchSize`), in ascending id. Only one page is held at a time. Stop early with `break`.
 *
 * @example
 * for await (const batch of streamSegment(storage.customers, query, { batchSize: 500 })) {
 *   await send(batch);
 * }
 */
export async function* streamSegment(
  customers: CustomerStore,
  query: SegmentQuery,
  options: StreamSegmentOptions,
): AsyncGenerator<Customer[], void, undefined> {
  checkLimit(options.batchSize, 'batchSize');
  // Compile once for the whole stream instead of once per page.
  const matches = customers.query === undefined ? predicateOf(query) : undefined;
  let cursor = options.cursor;
  for (;;) {
    const page =
      matches === undefined
        ? await querySegmentPage(customers, query, { limit: options.batchSize, cursor })
        : await scanPage(customers, matches, { limit: options.batchSize, cursor });
    if (page.items.length > 0) yield [...page.items];
    if (page.nextCursor === null) return;
    cursor = page.nextCursor;
  }
}
