import type { DeliveryCounts, DeliveryCountsDelta } from '@minicrm/core';
import { ConflictError, emptyDeliveryCounts } from '@minicrm/core';
import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { Doc, StoreContext } from '../context.js';
import { backoff, MAX_ROUNDS, SLICE } from '../util.js';
import { insertOwned, retryTransient } from '../write.js';
import {
  countsOf,
  deliveryIdOf,
  incOf,
  newCounterDoc,
  pendingOf,
  sumDeltas,
  tokenOf,
  withDelta,
} from './delivery-counter-doc.js';

/**
 * A campaign's delivery counters, kept in one document per campaign and moved exactly once per
 * delivery write, without multi-document transactions (the design is in docs/delivery-counters.md):
 *
 * 1. A delivery write records its counter delta in the delivery document itself (`_pc`, with
 *    `_pcc` = the campaign), in the same single-document write that changes the status.
 * 2. The delta is then applied to the counter document with one atomic update, `$inc` guarded by its
 *    token not being among the applied tokens `_ap` (and pushed there in the same update).
 * 3. Then it is cleared from the delivery (a write conditional on the delivery's revision).
 *
 * A crash between the steps leaves the delta in the delivery: the next write of that delivery
 * carries it along, and `counts` settles every delivery still holding one, so nothing is lost; the
 * token guard makes every repeat (a retry, a second settler) a no-op. Applied tokens are pruned once
 * their deliveries no longer hold them; pruning bumps the generation `_gen`, and every apply is
 * conditional on the generation its caller read before it saw the delta, so a slow process can
 * never apply a pruned token again.
 */
export interface DeliveryCounters {
  /**
   * The generation of each campaign's counter document (created when missing). Read it before
   * writing (or reading) the deliveries whose deltas you then {@link DeliveryCounters.settle}.
   */
  generations(campaignIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * Applies the pending deltas of `docs` (deliveries of `campaignId` as written or read after `gen`
   * was read) to the counters, then clears them from the deliveries. With revision claims, a counter
   * document held by a crashed writer's claim leaves them pending (for `counts` to settle later).
   */
  settle(campaignId: string, gen: number, docs: readonly Doc[]): Promise<void>;
  /** The campaign's counters, after settling the deltas still pending (one document read when none are). */
  counts(campaignId: string): Promise<DeliveryCounts>;
}

/** A counter document (`newCounterDoc`), as far as the atomic updates need its type. */
interface CounterDoc {
  _id: string;
  _rev: number;
  _gen: number;
  _ap: string[];
  _apn: number;
  total: number;
  byStatus: Record<string, number>;
  attempts: number;
  retries: number;
  opened: number;
  clicked: number;
}

/** Rounds a claimed counter write is tried before its deltas are left pending (claims mode). */
const CLAIMED_ROUNDS = 10;

/** Batches of unsettled deliveries `counts` settles at most (writers may keep adding more). */
const SETTLE_PASSES = 100;

/** The counters of the deliveries in `ctx`. */
export function createDeliveryCounters(ctx: StoreContext): DeliveryCounters {
  const { deliveries, deliveryCounts: counters } = ctx.collections;
  // The same collection, typed for the array operators of the atomic updates.
  const atomic = counters as unknown as Collection<CounterDoc>;
  /** Campaigns whose counter document holds more applied tokens than the limit. */
  const pruneDue = new Set<string>();

  async function generations(campaignIds: readonly string[]): Promise<Map<string, number>> {
    const ids = [...new Set(campaignIds)];
    const out = new Map<string, number>();
    if (ids.length === 0) return out;
    const read = async (wanted: readonly string[]) => {
      const docs = await counters
        .find({ _id: { $in: [...wanted] } }, { projection: { _gen: 1, _apn: 1 } })
        .toArray();
      for (const doc of docs) {
        out.set(doc._id, Number(doc._gen));
        if (Number(doc._apn) > ctx.counterTokenLimit) pruneDue.add(doc._id);
      }
    };
    await read(ids);
    const missing = ids.filter((id) => !out.has(id));
    if (missing.length > 0) {
      await insertOwned(counters, missing.map(newCounterDoc));
      await read(missing);
    }
    return out;
  }

  /**
   * Applies `entries` (token → delta) once each. `stale` when the generation is no longer `gen`;
   * `deferred` when, with revision claims, the counter document stayed claimed by another writer (one
   * that crashed holds it for the claim lease): the deltas then stay pending in their deliveries.
   */
  async function apply(
    campaignId: string,
    gen: number,
    entries: ReadonlyMap<string, DeliveryCountsDelta>,
  ): Promise<'applied' | 'stale' | 'deferred'> {
    const { claims } = await ctx.mode();
    let todo = [...entries.keys()];
    for (let round = 0; todo.length > 0; round++) {
      if (claims) {
        // No atomic conditional update on this server: read, add, compare-and-set (with a claim).
        if (round === CLAIMED_ROUNDS) return 'deferred';
        if (round > 0) await backoff(round);
        const doc = await counters.findOne({ _id: campaignId });
        if (doc === null || Number(doc._gen) !== gen) return 'stale';
        const applied = (doc._ap ?? []) as string[];
        const seen = new Set(applied);
        todo = todo.filter((t) => !seen.has(t));
        if (todo.length === 0) return 'applied';
        const next = withDelta(doc, sumDeltas(todo.map((t) => entries.get(t) as DeliveryCountsDelta)));
        const ap = [...applied, ...todo];
        const rev = Number(doc._rev);
        const written = await ctx.writer.replace(counters, '_rev', rev, {
          ...next,
          _ap: ap,
          _apn: ap.length,
          _rev: rev + 1,
        });
        if (written) return 'applied';
        continue;
      }
      if (round === MAX_ROUNDS) {
        throw new ConflictError(
          `deliveries: counters of "${campaignId}" still contended after ${round} attempts`,
        );
      }
      const delta = sumDeltas(todo.map((t) => entries.get(t) as DeliveryCountsDelta));
      const result = await retryTransient(() =>
        atomic.updateOne(
          { _id: campaignId, _gen: gen, _ap: { $nin: todo } },
          { $inc: { ...incOf(delta), _apn: todo.length, _rev: 1 }, $push: { _ap: { $each: todo } } },
        ),
      );
      if (result.matchedCount === 1) return 'applied';
      // Some token was applied already, or the tokens were pruned since `gen`.
      const doc = await counters.findOne({ _id: campaignId }, { projection: { _gen: 1, _ap: 1 } });
      if (doc === null || Number(doc._gen) !== gen) return 'stale';
      const seen = new Set((doc._ap ?? []) as string[]);
      todo = todo.filter((t) => !seen.has(t));
    }
    return 'applied';
  }

  /** Clears the pending deltas of `docs` (all applied) where the delivery is still at that revision. */
  async function clear(docs: readonly Doc[]): Promise<void> {
    const { claims } = await ctx.mode();
    if (claims) {
      await ctx.writer.replaceMany(
        deliveries,
        '_rev',
        docs.map((doc) => {
          const { _pc, _pcc, ...rest } = doc;
          return { expected: Number(doc._rev), doc: { ...rest, _rev: Number(doc._rev) + 1 } as Doc };
        }),
      );
      return;
    }
    for (let start = 0; start < docs.length; start += SLICE) {
      const ops: AnyBulkWriteOperation<Doc>[] = docs.slice(start, start + SLICE).map((doc) => ({
        updateOne: {
          filter: { _id: doc._id, _rev: doc._rev },
          update: { $unset: { _pc: '', _pcc: '' }, $inc: { _rev: 1 } },
        },
      }));
      // Conditional on the revision, so a repeat matches nothing.
      await retryTransient(() => deliveries.bulkWrite(ops, { ordered: false }));
    }
  }

  /** Applies and clears the deltas of `docs`; false when the counter write was deferred. */
  async function settle(campaignId: string, gen: number, docs: readonly Doc[]): Promise<boolean> {
    let current = docs.filter((doc) => pendingOf(doc).length > 0);
    let g = gen;
    for (let round = 0; current.length > 0; round++) {
      if (round === MAX_ROUNDS) {
        throw new ConflictError(
          `deliveries: counters of "${campaignId}" still pruned under us after ${round} attempts`,
        );
      }
      const entries = new Map<string, DeliveryCountsDelta>();
      for (const doc of current) for (const p of pendingOf(doc)) entries.set(tokenOf(doc._id, p.r), p.d);
      const outcome = await apply(campaignId, g, entries);
      if (outcome === 'deferred') return false;
      if (outcome === 'applied') {
        await clear(current);
        return true;
      }
      // Pruned since `g` was read: read the generation again, then the deliveries (in that order).
      g = (await generations([campaignId])).get(campaignId) as number;
      const fresh = await deliveries.find({ _id: { $in: current.map((d) => d._id) } }).toArray();
      current = fresh.filter((doc) => pendingOf(doc).length > 0);
    }
    return true;
  }

  /**
   * The counts without writing: the counter document plus the deltas pending in deliveries that it
   * has not applied, read between two reads of the counter's revision that agree (no counter write
   * in between, so every delta missing from the first read is still pending in the second).
   */
  async function countsReadOnly(campaignId: string): Promise<DeliveryCounts> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (round > 0) await backoff(round);
      const doc = await counters.findOne({ _id: campaignId });
      if (doc === null) return emptyDeliveryCounts();
      const applied = new Set((doc._ap ?? []) as string[]);
      const deltas: DeliveryCountsDelta[] = [];
      for await (const d of deliveries.find({ _pcc: campaignId }, { projection: { _pc: 1 } })) {
        for (const p of pendingOf(d)) if (!applied.has(tokenOf(d._id, p.r))) deltas.push(p.d);
      }
      const again = await counters.findOne({ _id: campaignId }, { projection: { _rev: 1 } });
      if (Number(again?._rev) === Number(doc._rev)) return countsOf(withDelta(doc, sumDeltas(deltas)));
    }
    throw new ConflictError(`deliveries: counters of "${campaignId}" kept moving while being read`);
  }

  /**
   * Drops from `_ap` the tokens whose deliveries no longer hold them (they can never be applied
   * again), bumping the generation; deliveries still holding only applied deltas are cleared first.
   */
  async function prune(campaignId: string): Promise<void> {
    const doc = await counters.findOne({ _id: campaignId });
    if (doc === null) return;
    const gen = Number(doc._gen);
    const applied = (doc._ap ?? []) as string[];
    const appliedSet = new Set(applied);
    const ids = [...new Set(applied.map(deliveryIdOf))];
    const held = new Set<string>();
    const stale: Doc[] = [];
    const { claims } = await ctx.mode();
    // Clearing needs the whole delivery only where it is a replace (claims).
    const projection = claims ? undefined : { _pc: 1, _rev: 1 };
    for (let start = 0; start < ids.length; start += SLICE) {
      const docs = await deliveries
        .find({ _id: { $in: ids.slice(start, start + SLICE) } }, { projection })
        .toArray();
      for (const d of docs) {
        const tokens = pendingOf(d).map((p) => tokenOf(d._id, p.r));
        for (const t of tokens) held.add(t);
        if (tokens.length > 0 && tokens.every((t) => appliedSet.has(t))) stale.push(d);
      }
    }
    // Applied but not cleared (a writer stopped after step 2): clear them now; pruned next time.
    if (stale.length > 0) await clear(stale);
    const removable = applied.filter((t) => !held.has(t));
    if (removable.length === 0) return;
    if (claims) {
      const left = applied.filter((t) => held.has(t));
      const rev = Number(doc._rev);
      await ctx.writer.replace(counters, '_rev', rev, {
        ...doc,
        _ap: left,
        _apn: left.length,
        _gen: gen + 1,
        _rev: rev + 1,
      });
      return;
    }
    // Another pruner got there first when the generation moved: then this one changes nothing.
    await retryTransient(() =>
      atomic.updateOne(
        { _id: campaignId, _gen: gen },
        { $pullAll: { _ap: removable }, $inc: { _gen: 1, _apn: -removable.length, _rev: 1 } },
      ),
    );
  }

  async function pruneIfDue(campaignId: string): Promise<void> {
    if (pruneDue.delete(campaignId)) await prune(campaignId);
  }

  return {
    generations,

    async settle(campaignId, gen, docs) {
      if (await settle(campaignId, gen, docs)) await pruneIfDue(campaignId);
    },

    async counts(campaignId) {
      const projection = { _ap: 0 };
      let doc = await counters.findOne({ _id: campaignId }, { projection });
      if (doc === null) return emptyDeliveryCounts();
      if (Number(doc._apn) > ctx.counterTokenLimit) pruneDue.add(campaignId);
      let settled = false;
      for (let pass = 0; pass < SETTLE_PASSES; pass++) {
        const pending = await deliveries.find({ _pcc: campaignId }, { limit: SLICE }).toArray();
        if (pending.length > 0) {
          if (!(await settle(campaignId, Number(doc._gen), pending))) return countsReadOnly(campaignId);
          settled = true;
        }
        if (pending.length < SLICE) break;
      }
      await pruneIfDue(campaignId);
      if (settled) doc = (await counters.findOne({ _id: campaignId }, { projection })) ?? doc;
      return countsOf(doc);
    },
  };
}
