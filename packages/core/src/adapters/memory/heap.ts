/** A binary min-heap ordered by `at`, then insertion order. O(log n) push and pop. */
export class MinHeap<T> {
  private readonly items: { at: number; seq: number; value: T }[] = [];
  private seq = 0;

  /** Number of entries. */
  get size(): number {
    return this.items.length;
  }

  /** The smallest `at`, or `undefined` when empty. */
  peekAt(): number | undefined {
    return this.items[0]?.at;
  }

  push(at: number, value: T): void {
    const items = this.items;
    const node = { at, seq: this.seq++, value };
    let i = items.length;
    items.push(node);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as typeof node;
      if (p.at < node.at || (p.at === node.at && p.seq < node.seq)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = node;
  }

  /** Removes and returns the entry with the smallest `at` if it is ≤ `limit`. */
  popDue(limit: number): T | undefined {
    const items = this.items;
    const top = items[0];
    if (top === undefined || top.at > limit) return undefined;
    const last = items.pop() as typeof top;
    if (items.length > 0) {
      let i = 0;
      const n = items.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        const lc = items[l] as typeof top;
        const rc = items[r];
        if (rc !== undefined && (rc.at < lc.at || (rc.at === lc.at && rc.seq < lc.seq))) c = r;
        const child = items[c] as typeof top;
        if (last.at < child.at || (last.at === child.at && last.seq < child.seq)) break;
        items[i] = child;
        i = c;
      }
      items[i] = last;
    }
    return top.value;
  }
}

/** A FIFO queue on an array with a head index: O(1) push and shift, compacted as it drains. */
export class Deque<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(value: T): void {
    this.items.push(value);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const value = this.items[this.head] as T;
    this.items[this.head] = undefined as T;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return value;
  }
}
