import type {
  Delivery,
  DeliveryCounts,
  DeliveryCountsDelta,
  DeliveryStatus,
  DeliveryStore,
  DeliveryTransition,
  Page,
  PageOptions,
} from '@minicrm/core';
import { applyDeliveryTransition, ConflictError, deliveryCountsDelta } from '@minicrm/core';
import type { Filter } from 'mongodb';
import { decodeDelivery, encodeDelivery } from '../codec/records.js';
import type { Doc, StoreContext } from '../context.js';
import { backoff, decodeIdCursor, encodeCursor, MAX_ROUNDS, pageLimit, SLICE } from '../util.js';
import { insertOwned } from '../write.js';
import { isZeroDelta, pendingOf, sumDeltas } from './delivery-counter-doc.js';
import { createDeliveryCounters } from './delivery-counters.js';

/**
 * A `DeliveryStore` on MongoDB. `createMany` is an unordered `insertMany` (duplicate ids are left
 * untouched). `transitionMany` computes each delivery's next state with `applyDeliveryTransition`
 * and writes the batch as conditional replaces on `_rev` (`ConditionalWriter.replaceMany`: one
 * unordered `bulkWrite` on MongoDB): a concurrent change makes a write match nothing, and that
 * delivery is re-read and its transitions re-decided, so each applies at most once. Every write
 * records its counter delta in the delivery, and the per-campaign counters move by it exactly once
 * (`delivery-counters.ts`), so `counts` reads one document.
 */
export function createMongoDeliveryStore(ctx: StoreContext): DeliveryStore {
  const deliveries = ctx.collections.deliveries;
  const counters = createDeliveryCounters(ctx);

  async function readMany(ids: readonly string[]): Promise<Map<string, Doc>> {
    const docs = await deliveries.find({ _id: { $in: [...new Set(ids)] } }).toArray();
    return new Map(docs.map((d) => [d._id, d]));
  }

  /** Settles the counter deltas of freshly written deliveries, per campaign. */
  async function settleWritten(docs: readonly Doc[], gens: ReadonlyMap<string, number>): Promise<void> {
    const byCampaign = new Map<string, Doc[]>();
    for (const doc of docs) {
      const campaignId = doc.campaignId as string;
      const list = byCampaign.get(campaignId);
      if (list === undefined) byCampaign.set(campaignId, [doc]);
      else list.push(doc);
    }
    await Promise.all(
      [...byCampaign].map(([campaignId, list]) =>
        counters.settle(campaignId, gens.get(campaignId) as number, list),
      ),
    );
  }

  /** One round: decides and writes the transitions of `pending` ids; returns the ids that lost a race. */
  async function round(
    byId: ReadonlyMap<string, number[]>,
    transitions: readonly DeliveryTransition[],
    pending: readonly string[],
    results: (Delivery | null)[],
  ): Promise<string[]> {
    const current = await readMany(pending);
    const writes: { id: string; rev: number; doc: Doc }[] = [];
    for (const id of pending) {
      const indexes = byId.get(id) as number[];
      const doc = current.get(id);
      if (doc === undefined) {
        for (const i of indexes) results[i] = null;
        continue;
      }
      const stored = decodeDelivery(doc);
      let delivery = stored;
      const deltas: DeliveryCountsDelta[] = [];
      for (const i of indexes) {
        const next = applyDeliveryTransition(delivery, transitions[i] as DeliveryTransition);
        results[i] = next;
        if (next === null) continue;
        deltas.push(deliveryCountsDelta(delivery, next));
        delivery = next;
      }
      if (delivery === stored) continue;
      const rev = Number(doc._rev ?? 0);
      const delta = sumDeltas(deltas);
      // Deltas a stopped writer left are carried along until settled.
      const carried = pendingOf(doc);
      const pendingDeltas = isZeroDelta(delta) ? carried : [...carried, { r: rev + 1, d: delta }];
      const retries = Number(doc._r ?? 0) + delta.retries;
      writes.push({ id, rev, doc: encodeDelivery(delivery, rev + 1, retries, pendingDeltas) });
    }
    if (writes.length === 0) return [];
    // The generations are read before the write that makes the deltas visible (see delivery-counters).
    const gens = await counters.generations(writes.map((w) => w.doc.campaignId as string));
    const written = await ctx.writer.replaceMany(
      deliveries,
      '_rev',
      writes.map((w) => ({ expected: w.rev, doc: w.doc })),
    );
    await settleWritten(
      writes.filter((_, k) => written[k]).map((w) => w.doc),
      gens,
    );
    return writes.filter((_, k) => !written[k]).map((w) => w.id);
  }

  return {
    async createMany(list: readonly Delivery[]): Promise<readonly string[]> {
      const seen = new Set<string>();
      const unique = list.filter((d) => !seen.has(d.id) && seen.add(d.id) !== undefined);
      const inserted: string[] = [];
      for (let start = 0; start < unique.length; start += SLICE) {
        const batch = unique.slice(start, start + SLICE);
        const gens = await counters.generations(batch.map((d) => d.campaignId));
        const docs = batch.map((d) =>
          encodeDelivery(d, 1, d.status === 'retrying' ? 1 : 0, [{ r: 1, d: deliveryCountsDelta(null, d) }]),
        );
        const done = await insertOwned(deliveries, docs);
        await settleWritten(
          docs.filter((_, i) => done.has(i)),
          gens,
        );
        batch.forEach((d, i) => {
          if (done.has(i)) inserted.push(d.id);
        });
      }
      return inserted;
    },

    async get(id: string): Promise<Delivery | null> {
      const doc = await deliveries.findOne({ _id: id });
      return doc === null ? null : decodeDelivery(doc);
    },

    async getMany(ids: readonly string[]): Promise<(Delivery | null)[]> {
      if (ids.length === 0) return [];
      const found = await readMany(ids);
      return ids.map((id) => {
        const doc = found.get(id);
        return doc === undefined ? null : decodeDelivery(doc);
      });
    },

    async transitionMany(transitions: readonly DeliveryTransition[]): Promise<(Delivery | null)[]> {
      const results = new Array<Delivery | null>(transitions.length).fill(null);
      for (let start = 0; start < transitions.length; start += SLICE) {
        const byId = new Map<string, number[]>();
        for (let i = start; i < Math.min(transitions.length, start + SLICE); i++) {
          const id = (transitions[i] as DeliveryTransition).id;
          byId.set(id, [...(byId.get(id) ?? []), i]);
        }
        let pending = [...byId.keys()];
        for (let r = 0; pending.length > 0; r++) {
          if (r === MAX_ROUNDS)
            throw new ConflictError(`deliveries.transitionMany: still conflicting after ${r} attempts`);
          if (r > 0) await backoff(r);
          pending = await round(byId, transitions, pending, results);
        }
      }
      return results;
    },

    async list(
      campaignId: string,
      options: PageOptions & { readonly statuses?: readonly DeliveryStatus[] },
    ): Promise<Page<Delivery>> {
      const limit = pageLimit(options.limit);
      const filter: Filter<Doc> = { campaignId };
      if (options.statuses !== undefined) filter.status = { $in: [...options.statuses] };
      const after = decodeIdCursor(options.cursor);
      if (after !== undefined) filter._id = { $gt: after };
      const docs = await deliveries.find(filter, { sort: { _id: 1 }, limit: limit + 1 }).toArray();
      const items = docs.slice(0, limit).map(decodeDelivery);
      const last = items[items.length - 1];
      return { items, nextCursor: docs.length > limit && last !== undefined ? encodeCursor(last.id) : null };
    },

    counts: (campaignId: string): Promise<DeliveryCounts> => counters.counts(campaignId),

    async findByVendorMessageIds(vendorMessageIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
      const found = new Map<string, string>();
      if (vendorMessageIds.length === 0) return found;
      const docs = await deliveries
        .find(
          { vendorMessageId: { $in: [...new Set(vendorMessageIds)] } },
          { projection: { _id: 1, vendorMessageId: 1 } },
        )
        .toArray();
      for (const doc of docs) found.set(doc.vendorMessageId as string, doc._id);
      return found;
    },
  };
}
