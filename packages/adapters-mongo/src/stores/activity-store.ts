import type {
  ActivityStore,
  AppendResult,
  Customer,
  CustomerEvent,
  Order,
  Page,
  PageOptions,
} from '@minicrm/core';
import { applyEvent, applyOrder, ConflictError } from '@minicrm/core';
import type { Collection } from 'mongodb';
import { decodeCustomer, encodeCustomer } from '../codec/customer.js';
import { decodeEvent, decodeOrder, encodeEvent, encodeOrder } from '../codec/records.js';
import type { Doc, StoreContext } from '../context.js';
import {
  backoff,
  decodeTimeIdCursor,
  encodeCursor,
  MAX_ROUNDS,
  mapLimit,
  pageLimit,
  SLICE,
} from '../util.js';
import type { JournalEntry } from './journal.js';
import { existingIds, journalOf, settleJournal } from './journal.js';

type Outcome = 'applied' | 'duplicate' | 'missing';

/** Journal entries a customer document may keep after an append (settled, dropped by the next write). */
const JOURNAL_KEEP = 32;

interface Activity {
  readonly id: string;
  readonly customerId: string;
}

/** How orders and events differ. */
interface Kind<T extends Activity> {
  readonly k: 'o' | 'e';
  readonly collection: Collection<Doc>;
  readonly timeField: 'createdAt' | 'at';
  readonly encode: (item: T) => Doc;
  readonly decode: (doc: Doc) => T;
  readonly apply: (customer: Customer, item: T, now: Date) => Customer;
}

/**
 * An `ActivityStore` on MongoDB, exact under concurrency and crashes without transactions. Per
 * customer, in one compare-and-set (`replaceOne({ _id, _rev })`), the aggregates move by
 * `applyOrder` / `applyEvent` and the item is added to the customer's journal (`_j`); then the
 * order / event documents are inserted (the settled entries are dropped by the customer's next
 * write, or right away when there are many). An id is a duplicate when its
 * document exists or it is in the customer's journal (the customer is read before the documents, so
 * nothing slips between). A crash after the compare-and-set leaves the item in the journal: the next
 * append touching that customer (or listing its activity) writes the missing documents.
 */
export function createMongoActivityStore(ctx: StoreContext): ActivityStore {
  const { customers, orders, events } = ctx.collections;

  async function round<T extends Activity>(
    kind: Kind<T>,
    items: readonly T[],
    pending: readonly number[],
    now: Date,
    outcome: Outcome[],
  ): Promise<number[]> {
    const docs = await customers
      .find({ _id: { $in: [...new Set(pending.map((i) => items[i]?.customerId as string))] } })
      .toArray();
    const byCustomer = new Map(docs.map((d) => [d._id, d]));
    const journaled = docs.flatMap((d) => journalOf(d));
    const sameKind = (e: JournalEntry) => e.k === kind.k;
    const [ownDone, otherDone] = await Promise.all([
      existingIds(kind.collection, [
        ...pending.map((i) => items[i]?.id as string),
        ...journaled.filter(sameKind).map((e) => e.i),
      ]),
      existingIds(
        kind.k === 'o' ? events : orders,
        journaled.filter((e) => !sameKind(e)).map((e) => e.i),
      ),
    ]);
    const done = (e: JournalEntry) => (sameKind(e) ? ownDone : otherDone).has(e.i);
    const groups = new Map<string, number[]>();
    for (const i of pending) {
      const customerId = items[i]?.customerId as string;
      groups.set(customerId, [...(groups.get(customerId) ?? []), i]);
    }
    const writes: { doc: Doc; rev: number; journal: JournalEntry[]; applied: number[]; all: number[] }[] = [];
    for (const [customerId, group] of groups) {
      const doc = byCustomer.get(customerId);
      if (doc === undefined) {
        for (const i of group) outcome[i] = 'missing';
        continue;
      }
      const before = journalOf(doc);
      const journal = before.filter((e) => !done(e));
      const inJournal = new Set(journal.filter(sameKind).map((e) => e.i));
      let customer = decodeCustomer(doc);
      const applied: number[] = [];
      for (const i of group) {
        const item = items[i] as T;
        if (ownDone.has(item.id) || inJournal.has(item.id)) {
          outcome[i] = 'duplicate';
          continue;
        }
        customer = kind.apply(customer, item, now);
        journal.push({ i: item.id, k: kind.k, d: kind.encode(item) });
        inJournal.add(item.id);
        applied.push(i);
      }
      if (applied.length === 0 && journal.length === before.length) continue;
      const rev = doc._rev as number;
      writes.push({
        doc: encodeCustomer(customer, { _rev: rev + 1, _j: journal }) as Doc,
        rev,
        journal,
        applied,
        all: group,
      });
    }
    const results = await mapLimit(writes, ctx.concurrency, (w) =>
      ctx.writer.replace(customers, '_rev', w.rev, w.doc),
    );
    const retry: number[] = [];
    const won = writes.filter((w, k) => {
      if (results[k] === true) return true;
      retry.push(...w.all);
      return false;
    });
    for (const w of won) for (const i of w.applied) outcome[i] = 'applied';
    await settleJournal(
      won.flatMap((w) => w.journal),
      orders,
      events,
    );
    // A long journal is cleared now (best effort); a short one is dropped by the next write of the
    // customer, which checks its entries' documents anyway.
    const long = won.filter((w) => w.journal.length > JOURNAL_KEEP);
    await mapLimit(long, ctx.concurrency, (w) =>
      ctx.writer.replace(customers, '_rev', w.rev + 1, { ...w.doc, _j: [], _rev: w.rev + 2 }),
    );
    return retry;
  }

  async function append<T extends Activity>(
    kind: Kind<T>,
    items: readonly T[],
    now: Date,
    what: string,
  ): Promise<AppendResult> {
    const outcome = new Array<Outcome>(items.length);
    const first = new Map<string, number>();
    const unique: number[] = [];
    items.forEach((item, i) => {
      if (!first.has(item.id)) {
        first.set(item.id, i);
        unique.push(i);
      }
    });
    for (let start = 0; start < unique.length; start += SLICE) {
      let pending = unique.slice(start, start + SLICE);
      for (let r = 0; pending.length > 0; r++) {
        if (r === MAX_ROUNDS)
          throw new ConflictError(`${what}: still conflicting after ${r} attempts; try again`);
        if (r > 0) await backoff(r);
        pending = await round(kind, items, pending, now, outcome);
      }
    }
    const result: AppendResult = { applied: [], duplicates: [], missingCustomer: [] };
    items.forEach((item, i) => {
      const f = first.get(item.id) as number;
      const o = f === i ? outcome[i] : outcome[f] === 'applied' ? 'duplicate' : outcome[f];
      const list =
        o === 'applied' ? result.applied : o === 'duplicate' ? result.duplicates : result.missingCustomer;
      (list as string[]).push(item.id);
    });
    return result;
  }

  async function newestFirst<T extends Activity>(
    kind: Kind<T>,
    customerId: string,
    options: PageOptions,
  ): Promise<Page<T>> {
    const key = decodeTimeIdCursor(options.cursor);
    const customer = await customers.findOne({ _id: customerId }, { projection: { _j: 1 } });
    await settleJournal(journalOf(customer), orders, events);
    const limit = pageLimit(options.limit);
    const t = kind.timeField;
    const filter: Record<string, unknown> = { customerId };
    if (key !== undefined) {
      const at = new Date(key[0]);
      filter.$or = [{ [t]: { $lt: at } }, { [t]: at, _id: { $lt: key[1] } }];
    }
    const docs = await kind.collection
      .find(filter, { sort: { [t]: -1, _id: -1 }, limit: limit + 1 })
      .toArray();
    const items = docs.slice(0, limit).map(kind.decode);
    const last = docs[limit - 1];
    const more = docs.length > limit && last !== undefined;
    return { items, nextCursor: more ? encodeCursor([(last[t] as Date).getTime(), last._id]) : null };
  }

  const orderKind: Kind<Order> = {
    k: 'o',
    collection: orders,
    timeField: 'createdAt',
    encode: encodeOrder,
    decode: decodeOrder,
    apply: applyOrder,
  };
  const eventKind: Kind<CustomerEvent> = {
    k: 'e',
    collection: events,
    timeField: 'at',
    encode: encodeEvent,
    decode: decodeEvent,
    apply: applyEvent,
  };

  return {
    appendOrders: (items: readonly Order[], now: Date) =>
      append(orderKind, items, now, 'activity.appendOrders'),
    appendEvents: (items: readonly CustomerEvent[], now: Date) =>
      append(eventKind, items, now, 'activity.appendEvents'),
    listOrders: (customerId: string, options: PageOptions) => newestFirst(orderKind, customerId, options),
    listEvents: (customerId: string, options: PageOptions) => newestFirst(eventKind, customerId, options),
  };
}
