import type { Delivery, DeliveryStatus, DeliveryStore, DeliveryTransition, PageOptions } from '@minicrm/core';
import { deliveryCountsDelta } from '@minicrm/core';
import { CAS_SLICE } from './cas-loop.js';
import { decodeDelivery, encodeDeliveryBody, encodeDeliveryState, joinRecord, splitRecord } from './codec.js';
import type { StoreContext } from './context.js';
import { countsDeltaFields, countsFromHash } from './delivery-counts.js';
import { transitionDeliveries } from './delivery-transitions.js';
import { DeliveryWriteBatch } from './delivery-writes.js';
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
      // One script per campaign and per 2,000 deliveries.
      const batches = new Map<string, DeliveryWriteBatch>();
      const all: DeliveryWriteBatch[] = [];
      const placed = new Array<{ batch: DeliveryWriteBatch; pos: number }>(deliveries.length);
      const hints: string[] = [];
      deliveries.forEach((d, i) => {
        const delta = countsDeltaFields(deliveryCountsDelta(null, d));
        let batch = batches.get(d.campaignId);
        if (batch === undefined || batch.size >= CAS_SLICE || !batch.accepts(delta)) {
          batch = new DeliveryWriteBatch(
            'create',
            keys.campaignCounts(d.campaignId),
            keys.campaignDeliveryIds(d.campaignId),
          );
          batches.set(d.campaignId, batch);
          all.push(batch);
        }
        const stateRecord = joinRecord(1, encodeDeliveryState(d));
        placed[i] = {
          batch,
          pos: batch.create(
            keys.delivery(d.id),
            stateRecord,
            keys.deliveryBody(d.id),
            encodeDeliveryBody(d),
            d.id,
            delta,
          ),
        };
        if (d.vendorMessageId !== undefined) hints.push(d.vendorMessageId, d.id);
      });
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
      return transitionDeliveries(
        { client, keys, cache, read: readVersionedDeliveries, hint: hintVendorIds, freeze: freezeDelivery },
        transitions,
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
