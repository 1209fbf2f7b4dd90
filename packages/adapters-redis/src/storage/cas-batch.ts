import type { Redis } from 'ioredis';
import { casScript } from './cas-script.js';

/** One operation of an item: its code, key, then its argument (value, revision, member or delta). */
type Op = readonly [code: string, key: string, arg?: string | number | readonly (string | number)[]];

/** The operations of one compare-and-set item (see the CAS script for what each does). */
export class CasItem {
  /** `c` operations: the revisions the item expects. */
  readonly checks: Op[] = [];
  /** The `n` operation, if any (sent after the checks). */
  readonly inserts: Op[] = [];
  /** Other operations (`w`, `d`, `za`, `zr`, `i`). */
  readonly ops: Op[] = [];

  /** The item applies only if `key` is at revision `rev` (0: absent). Once per key. */
  check(key: string, rev: number): this {
    // Items check one or a few keys: a scan is cheaper than a set per item.
    for (const op of this.checks) if (op[1] === key) return this;
    this.checks.push(['c', key, rev]);
    return this;
  }

  /**
   * `SET key value NX` as the item's last check: the item applies only if `key` was absent. At most
   * one per item.
   */
  insert(key: string, value: string): this {
    if (this.inserts.length > 0) throw new Error('internal: one insert per CAS item');
    this.inserts.push(['n', key, value]);
    return this;
  }

  /** `SET key value`. */
  write(key: string, value: string): this {
    this.ops.push(['w', key, value]);
    return this;
  }

  /** `DEL key`. */
  del(key: string): this {
    this.ops.push(['d', key]);
    return this;
  }

  /** `ZADD key 0 member`. */
  zadd(key: string, member: string): this {
    this.ops.push(['za', key, member]);
    return this;
  }

  /** `ZREM key member`. */
  zrem(key: string, member: string): this {
    this.ops.push(['zr', key, member]);
    return this;
  }

  /** `HINCRBY key field n` for each `field, n` pair of the flat list `delta` (nothing when empty). */
  incr(key: string, delta: readonly (string | number)[]): this {
    if (delta.length > 0) this.ops.push(['i', key, delta]);
    return this;
  }

  /** True when the item has something to do. */
  get isEmpty(): boolean {
    return this.checks.length === 0 && this.inserts.length === 0 && this.ops.length === 0;
  }

  /** The first key the item checks or writes. */
  get firstKey(): string | undefined {
    return (this.checks[0] ?? this.inserts[0] ?? this.ops[0])?.[1];
  }
}

/**
 * Items for one run of the CAS script (all their keys in one hash slot). Keys are sent once in
 * `KEYS`, record values as separate arguments, the item structure and counter deltas as JSON.
 */
export class CasBatch {
  private readonly keyIndex = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly items: (string | number)[][] = [];
  private readonly deltaIndex = new Map<string, number>();
  private readonly deltas: (readonly (string | number)[])[] = [];
  /** `ARGV`: the items, the deltas, then the values (index 3 on). */
  private readonly args: string[] = ['', ''];

  /** Number of items added. */
  get size(): number {
    return this.items.length;
  }

  /** Adds an item; returns its position in the batch. */
  add(item: CasItem): number {
    const flat: (string | number)[] = [];
    for (const op of item.checks) this.append(flat, op);
    for (const op of item.inserts) this.append(flat, op);
    for (const op of item.ops) this.append(flat, op);
    this.items.push(flat);
    return this.items.length - 1;
  }

  private append(flat: (string | number)[], [code, key, arg]: Op): void {
    flat.push(code, this.keyNumber(key));
    if (code === 'n' || code === 'w') {
      this.args.push(arg as string);
      flat.push(this.args.length);
    } else if (code === 'i') {
      flat.push(this.deltaNumber(arg as readonly (string | number)[]));
    } else if (arg !== undefined) {
      flat.push(arg as string | number);
    }
  }

  private keyNumber(key: string): number {
    let index = this.keyIndex.get(key);
    if (index === undefined) {
      this.keys.push(key);
      index = this.keys.length;
      this.keyIndex.set(key, index);
    }
    return index;
  }

  private deltaNumber(delta: readonly (string | number)[]): number {
    const id = delta.join(',');
    let index = this.deltaIndex.get(id);
    if (index === undefined) {
      this.deltas.push(delta);
      index = this.deltas.length;
      this.deltaIndex.set(id, index);
    }
    return index;
  }

  /** Runs the script; per item (in the order added), whether it applied. */
  async run(client: Redis): Promise<boolean[]> {
    const n = this.items.length;
    if (n === 0) return [];
    this.args[0] = JSON.stringify(this.items);
    this.args[1] = this.deltas.length === 0 ? '[]' : JSON.stringify(this.deltas);
    const reply = String(await casScript.run(client, this.keys, this.args));
    const applied = new Array<boolean>(n);
    for (let i = 0; i < n; i++) applied[i] = reply.charCodeAt(i) === 49;
    return applied;
  }
}
