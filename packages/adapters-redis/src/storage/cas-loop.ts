import { ConflictError } from '@minicrm/core';
import type { Redis } from 'ioredis';
import { CasBatch, CasItem } from './cas-batch.js';
import { joinRecord } from './codec.js';
import { hashTagOf } from './keys.js';
import type { RecordDecoder, Versioned } from './records.js';
import { readVersioned } from './records.js';
import type { VersionCache } from './version-cache.js';

interface Entry extends Versioned {
  /** Index of the item of this round that wrote this state (a prediction), or -1 when read. */
  readonly writer: number;
}

/**
 * One item's view of the records during planning: reads see earlier items' writes of the same
 * call, and writes become compare-and-set operations at the revision read. An item that writes must
 * `put` or `expect` every record its decision depends on (reads alone are not checked), unless that
 * record can only move in ways that do not change the decision (e.g. a customer's existence).
 */
export class ItemTx {
  /** The script operations of this item. */
  readonly item = new CasItem();
  /** Items of this round whose predicted writes this item read. */
  readonly deps: number[] = [];
  /** Hash tag of the script this item goes to; defaults to the tag of its first written key. */
  group: string | undefined;

  constructor(
    private readonly state: Map<string, Entry>,
    readonly index: number,
  ) {}

  private entry(key: string): Entry {
    const e = this.state.get(key);
    if (e === undefined) throw new Error(`internal: record "${key}" was not read`);
    if (e.writer >= 0) this.deps.push(e.writer);
    return e;
  }

  /** The current record under `key` (`null` when absent). */
  get<T>(key: string): T | null {
    return this.entry(key).value as T | null;
  }

  /** Expects `key` unchanged since read (absent if it was absent). */
  expect(key: string): this {
    this.item.check(key, this.entry(key).rev);
    return this;
  }

  /** Writes `value` (encoded as `json`) under `key` as its next revision, if it is unchanged since read. */
  put(key: string, value: unknown, json: string): this {
    const e = this.entry(key);
    this.item.check(key, e.rev).write(key, joinRecord(e.rev + 1, json));
    this.group ??= hashTagOf(key);
    this.state.set(key, { rev: e.rev + 1, value, writer: this.index });
    return this;
  }
}

/** How a {@link casLoop} handles each item. */
export interface CasPlan<R> {
  /** The records item `i` reads. */
  keys(i: number): readonly string[];
  decode: RecordDecoder;
  /** Reads records (default: `readVersioned` with `decode`), for records stored in more than one key. */
  read?(keys: readonly string[]): Promise<Map<string, Versioned>>;
  /**
   * Decides item `i` from the records in `tx`, returning its result; operations added to `tx.item`
   * make it a write that happens only if the records it read are unchanged (the result counts only
   * then). Throwing aborts the call.
   */
  plan(i: number, tx: ItemTx): R;
  /** Called (synchronously) right before each round's scripts are sent, e.g. to send index hints first. */
  beforeWrite?(): Promise<unknown> | undefined;
  /**
   * Revisions already known: the first round plans from them instead of reading those records
   * again; later rounds (after a conflict) always read. Written records are remembered in it.
   */
  cache?: VersionCache;
}

/** Most items planned and written per round; longer inputs go in consecutive slices. */
export const CAS_SLICE = 2000;
const MAX_ROUNDS = 50;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Read, compute in JS, compare-and-set: the records of all items are read (one round trip), each
 * item is planned in order, then one CAS script per hash slot writes the items whose records are
 * unchanged. Items that lost a race (and those computed from them) are re-read and re-planned after a
 * randomized backoff, up to 50 rounds; then `ConflictError`. Returns the result of every item, in order.
 */
export function casLoop<R>(client: Redis, n: number, plan: CasPlan<R>, what: string): Promise<R[]> {
  return inRounds<R>(n, what, (pending, results, first) => runRound(client, pending, plan, results, first));
}

/**
 * The retry skeleton of a compare-and-set loop: items go in slices of {@link CAS_SLICE}; `round`
 * plans and writes the pending items of a slice (filling `results` for those that applied, reading
 * from its cache only when `first`) and returns the items to try again, which it gets after a
 * randomized exponential backoff, up to 50 rounds; then `ConflictError`.
 */
export async function inRounds<R>(
  n: number,
  what: string,
  round: (pending: readonly number[], results: R[], first: boolean) => Promise<number[]>,
): Promise<R[]> {
  const results = new Array<R>(n);
  for (let start = 0; start < n; start += CAS_SLICE) {
    let pending: number[] = [];
    for (let i = start; i < Math.min(n, start + CAS_SLICE); i++) pending.push(i);
    for (let r = 0; pending.length > 0; r++) {
      if (r === MAX_ROUNDS) {
        throw new ConflictError(`${what}: still conflicting after ${MAX_ROUNDS} attempts; try again`);
      }
      // Randomized exponential backoff, so writers fighting over one hot record take turns.
      if (r > 0) await pause(Math.random() * Math.min(2 ** r, 100));
      pending = await round(pending, results, r === 0);
    }
  }
  return results;
}

async function runRound<R>(
  client: Redis,
  pending: readonly number[],
  plan: CasPlan<R>,
  results: R[],
  useCache: boolean,
) {
  const keys = new Set<string>();
  for (const i of pending) for (const k of plan.keys(i)) keys.add(k);
  const state = new Map<string, Entry>();
  const cache = plan.cache;
  const toRead: string[] = [];
  for (const k of keys) {
    const known = useCache ? cache?.get(k) : undefined;
    if (known === undefined) toRead.push(k);
    else state.set(k, { rev: known.rev, value: known.value, writer: -1 });
  }
  const read = plan.read?.(toRead) ?? readVersioned(client, toRead, plan.decode);
  for (const [k, v] of await read) {
    state.set(k, { rev: v.rev, value: v.value, writer: -1 });
  }
  const planned: { i: number; result: R; deps: number[]; batch?: CasBatch; pos?: number }[] = [];
  const batches = new Map<string, CasBatch>();
  for (const i of pending) {
    const tx = new ItemTx(state, i);
    const result = plan.plan(i, tx);
    if (tx.item.isEmpty) {
      planned.push({ i, result, deps: tx.deps });
      continue;
    }
    const group = tx.group ?? hashTagOf(tx.item.firstKey ?? '');
    let batch = batches.get(group);
    if (batch === undefined) {
      batch = new CasBatch();
      batches.set(group, batch);
    }
    planned.push({ i, result, deps: tx.deps, batch, pos: batch.add(tx.item) });
  }
  const before = plan.beforeWrite?.();
  const list = [...batches.values()];
  const [, ...replies] = await Promise.all([before, ...list.map((b) => b.run(client))]);
  const appliedBy = new Map<CasBatch, boolean[]>();
  list.forEach((b, k) => {
    appliedBy.set(b, replies[k] as boolean[]);
  });
  const applied = new Set<number>();
  const retry: number[] = [];
  for (const p of planned) {
    const ok =
      p.batch === undefined
        ? p.deps.every((d) => applied.has(d))
        : (appliedBy.get(p.batch)?.[p.pos as number] ?? false);
    if (!ok) {
      retry.push(p.i);
      continue;
    }
    if (p.batch !== undefined) applied.add(p.i);
    results[p.i] = p.result;
  }
  if (cache !== undefined) {
    // Remember what this round wrote; forget what lost a race (it is read again next round).
    for (const [key, entry] of state) {
      if (entry.writer >= 0 && applied.has(entry.writer))
        cache.set(key, { rev: entry.rev, value: entry.value });
      else if (entry.writer >= 0) cache.delete(key);
    }
    for (const i of retry) for (const k of plan.keys(i)) cache.delete(k);
  }
  return retry;
}
