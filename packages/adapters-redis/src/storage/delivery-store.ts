import type { Delivery, DeliveryStatus, DeliveryStore, DeliveryTransition, PageOptions } from '@minicrm/core';
import { applyDeliveryTransition, deliveryCountsDelta } from '@minicrm/core';
import { CasBatch, CasItem } from './cas-batch.js';
import { CAS_SLICE, casLoop } from './cas-loop.js';
import { decodeDelivery, encodeDeliveryBody, encodeDeliveryState, joinRecord, splitRecord } from './codec.js';
import type { StoreContext } from './context.js';
import { countsDeltaFields, countsFromHash } from './delivery-counts.js';
import { hashTagOf } from './keys.js';
import { mgetBySlot, type Versioned } from './records.js';
import { scanPage } from './scan.js';
import { VersionCache } from './version-cache.js';

/**
 * A `DeliveryStore` on Redis. A campaign's deliveries, id index and counters share its hash slot,
 * so `createMany` and `transitionMany` are one script per campaign (per 2,000 deliveries), with the
 * counter deltas applied in the same script. Transitions are computed in JS with
 * `applyDeliveryTransition` and written with a compare-and-set on each delivery's revision. A
 * delivery is two keys: its body (fixed at creation) and its state (rewritten by transitions).
 */
export function createRedisDeliveryStore(ctx: StoreContext): DeliveryStore {
  const { client, keys } = ctx;
  // Revisions of the deliveries this process last read or wrote: a worker reads a batch, then
  // transitions it twice; with the cache the transitions skip reading it again (the compare-and-set
  // still checks every revision, so a stale entry only costs a re-read).
  const cache = new VersionCache();
  const unused = () => {
    throw new Error('internal: deliveries are read with their body');
  };
  /** Reads state and body of the deliveries under `dkeys` (state keys) in one round trip. */
  const readVersionedDeliveries = async (dkeys: readonly string[]): Promise<Map<string, Versioned>> => {
    const n = dkeys.length;
    const out = new Map<string, Versioned>();
    if (n === 0) return out;
    const all = new Array<string>(2 * n);
    const ids = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const key = dkeys[i] as string;
      const id = key.slice(key.indexOf(':d:') + 3);
      ids[i] = id;
      all[i] = key;
      all[n + i] = keys.deliveryBody(id);
    }
    const values = await mgetBySlot(client, all);
    for (let i = 0; i < n; i++) {
      const state = splitRecord(values[i] ?? null);
      const body = values[n + i] ?? null;
      out.set(
        dkeys[i] as string,
        state === null || body === null
          ? { rev: 0, value: null }
          : { rev: state.rev, value: freezeDelivery(decodeDelivery(ids[i] as string, body, state.json)) },
      );
    }
    return out;
  };
  const read = async (ids: readonly string[]): Promise<(Delivery | null)[]> => {
    const dkeys = ids.map(keys.delivery);
    const found = await readVersionedDeliveries(dkeys);
    return dkeys.map((key) => {
      const entry = found.get(key) as Versioned;
      if (entry.value === null) {
        cache.delete(key);
        return null;
      }
      cache.set(key, entry);
      return entry.value as Delivery;
    });
  };

  /** Records vendor id → delivery id hints; sent before the writes that make them true. */
  const hintVendorIds = (pairs: readonly string[]) =>
    pairs.length === 0 ? undefined : client.hset(keys.vendorIds, ...pairs);

  return {
    async createMany(deliveries: readonly Delivery[]) {
      const batches = new Map<string, CasBatch[]>();
      const placed: { batch: CasBatch; pos: number }[] = [];
      const hints: string[] = [];
      for (const d of deliveries) {
        const key = keys.delivery(d.id);
        const countsKey = keys.campaignCounts(d.campaignId);
        const item = new CasItem()
          .insert(key, joinRecord(1, encodeDeliveryState(d)))
          .write(keys.deliveryBody(d.id), encodeDeliveryBody(d))
          .zadd(keys.campaignDeliveryIds(d.campaignId), d.id);
        item.incr(countsKey, countsDeltaFields(deliveryCountsDelta(null, d)));
        if (d.vendorMessageId !== undefined) hints.push(d.vendorMessageId, d.id);
        const tag = hashTagOf(countsKey);
        let list = batches.get(tag);
        if (list === undefined) {
          list = [];
          batches.set(tag, list);
        }
        let batch = list[list.length - 1];
        if (batch === undefined || batch.size >= CAS_SLICE) {
          batch = new CasBatch();
          list.push(batch);
        }
        placed.push({ batch, pos: batch.add(item) });
      }
      const all = [...batches.values()].flat();
      const [, ...replies] = await Promise.all([hintVendorIds(hints), ...all.map((b) => b.run(client))]);
      const applied = new Map(all.map((b, k) => [b, replies[k] as boolean[]]));
      const inserted: string[] = [];
      // Not cached: whoever moves a delivery next (a worker) reads it first anyway.
      placed.forEach((p, i) => {
        if (applied.get(p.batch)?.[p.pos] === true) inserted.push((deliveries[i] as Delivery).id);
      });
      return inserted;
    },

    async get(id: string) {
      return (await read([id]))[0] ?? null;
    },

    getMany: read,

    transitionMany(transitions: readonly DeliveryTransition[]) {
      let hints: string[] = [];
      return casLoop<Delivery | null>(
        client,
        transitions.length,
        {
          keys: (i) => [keys.delivery((transitions[i] as DeliveryTransition).id)],
          decode: unused,
          read: readVersionedDeliveries,
          cache,
          plan(i, tx) {
            const t = transitions[i] as DeliveryTransition;
            const key = keys.delivery(t.id);
            const current = tx.get<Delivery>(key);
            if (current === null) return null;
            const changed = applyDeliveryTransition(current, t);
            if (changed === null) return null;
            const next = freezeDelivery(changed);
            const countsKey = keys.campaignCounts(current.campaignId);
            tx.group = hashTagOf(countsKey);
            tx.put(key, next, encodeDeliveryState(next));
            tx.item.incr(countsKey, countsDeltaFields(deliveryCountsDelta(current, next)));
            const vendorId = next.vendorMessageId;
            if (vendorId !== undefined && vendorId !== current.vendorMessageId) hints.push(vendorId, next.id);
            return next;
          },
          beforeWrite() {
            const sent = hintVendorIds(hints);
            hints = [];
            return sent;
          },
        },
        'deliveries.transitionMany',
      );
    },

    list(campaignId: string, options: PageOptions & { readonly statuses?: readonly DeliveryStatus[] }) {
      const statuses = options.statuses;
      return scanPage(client, {
        index: keys.campaignDeliveryIds(campaignId),
        limit: options.limit,
        cursor: options.cursor,
        read,
        filter: statuses === undefined ? undefined : (d: Delivery) => statuses.includes(d.status),
      });
    },

    async counts(campaignId: string) {
      return countsFromHash(await client.hgetall(keys.campaignCounts(campaignId)));
    },

    async findByVendorMessageIds(vendorMessageIds: readonly string[]) {
      const found = new Map<string, string>();
      if (vendorMessageIds.length === 0) return found;
      const candidates = await client.hmget(keys.vendorIds, ...vendorMessageIds);
      const ids = candidates.filter((id): id is string => id !== null);
      const deliveries = new Map<string, Delivery>();
      for (const d of await read([...new Set(ids)])) if (d !== null) deliveries.set(d.id, d);
      vendorMessageIds.forEach((vendorId, i) => {
        const id = candidates[i];
        // A hint is only trusted when the delivery still carries that vendor id.
        if (id != null && deliveries.get(id)?.vendorMessageId === vendorId) found.set(vendorId, id);
      });
      return found;
    },
  };
}

/** Freezes a delivery (and its `lastError`) in place: deliveries are shared through the cache. */
function freezeDelivery(d: Delivery): Delivery {
  if (d.lastError !== undefined && !Object.isFrozen(d.lastError)) Object.freeze(d.lastError);
  return Object.isFrozen(d) ? d : Object.freeze(d);
}
