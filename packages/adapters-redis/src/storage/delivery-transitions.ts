import type { Delivery, DeliveryTransition } from '@minicrm/core';
import { applyDeliveryTransition, deliveryCountsDelta } from '@minicrm/core';
import type { Redis } from 'ioredis';
import { inRounds } from './cas-loop.js';
import { encodeDeliveryState, joinRecord } from './codec.js';
import { countsDeltaFields } from './delivery-counts.js';
import { DeliveryWriteBatch } from './delivery-writes.js';
import type { StorageKeys } from './keys.js';
import type { Versioned } from './records.js';
import type { VersionCache } from './version-cache.js';

/** What {@link transitionDeliveries} needs from the delivery store. */
export interface TransitionDeps {
  readonly client: Redis;
  readonly keys: StorageKeys;
  /** Revisions last read or written by this process; the first round plans from them. */
  readonly cache: VersionCache;
  /** Reads state and body of the deliveries under these state keys (one round trip). */
  read(stateKeys: readonly string[]): Promise<Map<string, Versioned>>;
  /** Records vendor id → delivery id hints (flat pairs); sent before the writes that make them true. */
  hint(pairs: readonly string[]): Promise<unknown> | undefined;
  /** Freezes a delivery for sharing through the cache. */
  freeze(d: Delivery): Delivery;
}

/** A delivery's state as one round plans from it. */
interface Entry {
  readonly rev: number;
  readonly value: Delivery | null;
  /** The item of this round whose planned write this is, or -1 when read. */
  readonly writer: number;
}

/**
 * `transitionMany` on Redis: read (one `MGET` of state and body, skipped for cached revisions),
 * apply each transition in JS in order, then one compare-and-set script per campaign writes the
 * changed states with their counter deltas. Transitions that lost a race, and those planned from
 * their unwritten results, are read and planned again (see `inRounds`).
 */
export function transitionDeliveries(
  deps: TransitionDeps,
  transitions: readonly DeliveryTransition[],
): Promise<(Delivery | null)[]> {
  const { keys, cache } = deps;
  const stateKeys = transitions.map((t) => keys.delivery(t.id));

  return inRounds<Delivery | null>(
    transitions.length,
    'deliveries.transitionMany',
    async (pending, results, first) => {
      const state = new Map<string, Entry>();
      const toRead: string[] = [];
      for (const i of pending) {
        const key = stateKeys[i] as string;
        if (state.has(key)) continue;
        const known = first ? cache.get(key) : undefined;
        if (known === undefined) {
          state.set(key, { rev: 0, value: null, writer: -1 }); // placeholder until read
          toRead.push(key);
        } else {
          state.set(key, { rev: known.rev, value: known.value as Delivery | null, writer: -1 });
        }
      }
      if (toRead.length > 0) {
        for (const [key, v] of await deps.read(toRead)) {
          state.set(key, { rev: v.rev, value: v.value as Delivery | null, writer: -1 });
        }
      }

      const batches = new Map<string, DeliveryWriteBatch>();
      const all: DeliveryWriteBatch[] = [];
      const hints: string[] = [];
      // Per pending item: the item whose planned write it read (-1: none), its batch and position.
      const readFrom = new Array<number>(pending.length);
      const batchOf = new Array<DeliveryWriteBatch | undefined>(pending.length);
      const posOf = new Array<number>(pending.length);
      const planned = new Array<Delivery | null>(pending.length);
      pending.forEach((i, p) => {
        const t = transitions[i] as DeliveryTransition;
        const key = stateKeys[i] as string;
        const e = state.get(key) as Entry;
        readFrom[p] = e.writer;
        const current = e.value;
        const changed = current === null ? null : applyDeliveryTransition(current, t);
        planned[p] = null;
        if (current === null || changed === null) return;
        const next = deps.freeze(changed);
        const delta = countsDeltaFields(deliveryCountsDelta(current, next));
        // One script per campaign: its deliveries share its counters' hash slot.
        let batch = batches.get(current.campaignId);
        if (batch === undefined || !batch.accepts(delta)) {
          batch = new DeliveryWriteBatch(
            'transition',
            keys.campaignCounts(current.campaignId),
            keys.campaignDeliveryIds(current.campaignId),
          );
          batches.set(current.campaignId, batch);
          all.push(batch);
        }
        batchOf[p] = batch;
        posOf[p] = batch.transition(key, joinRecord(e.rev + 1, encodeDeliveryState(next)), delta);
        state.set(key, { rev: e.rev + 1, value: next, writer: i });
        planned[p] = next;
        const vendorId = next.vendorMessageId;
        if (vendorId !== undefined && vendorId !== current.vendorMessageId) hints.push(vendorId, next.id);
      });

      const [, ...replies] = await Promise.all([
        hints.length > 0 ? deps.hint(hints) : undefined,
        ...all.map((b) => b.run(deps.client)),
      ]);
      const appliedBy = new Map<DeliveryWriteBatch, boolean[]>();
      all.forEach((b, k) => {
        appliedBy.set(b, replies[k] as boolean[]);
      });
      const applied = new Set<number>();
      const retry: number[] = [];
      pending.forEach((i, p) => {
        const batch = batchOf[p];
        const ok =
          batch === undefined
            ? readFrom[p] === -1 || applied.has(readFrom[p] as number)
            : (appliedBy.get(batch)?.[posOf[p] as number] ?? false);
        if (!ok) {
          retry.push(i);
          return;
        }
        if (batch !== undefined) applied.add(i);
        results[i] = planned[p] as Delivery | null;
      });
      // Remember what this round wrote; forget what lost a race (it is read again next round).
      for (const [key, entry] of state) {
        if (entry.writer < 0) continue;
        if (applied.has(entry.writer)) cache.set(key, { rev: entry.rev, value: entry.value });
        else cache.delete(key);
      }
      for (const i of retry) cache.delete(stateKeys[i] as string);
      return retry;
    },
  );
}
