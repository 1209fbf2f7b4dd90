/**
 * A set of ids kept in ascending string order, cheap to append to: ids that arrive in order are
 * pushed, others wait in a buffer that is sorted and merged in (O(n + k log k)) on the next read.
 */
export class SortedIds {
  private sorted: string[] = [];
  private pending: string[] = [];

  /** Number of ids. */
  get size(): number {
    return this.sorted.length + this.pending.length;
  }

  /** Adds an id the caller knows is absent. */
  add(id: string): void {
    const last = this.sorted[this.sorted.length - 1];
    if (this.pending.length === 0 && (last === undefined || id > last)) this.sorted.push(id);
    else this.pending.push(id);
  }

  /** Removes an id (O(n)); for rarely deleted records. */
  remove(id: string): void {
    const ids = this.all();
    const i = lowerBound(ids, id);
    if (ids[i] === id) this.sorted.splice(i, 1);
  }

  /** Every id, ascending. Do not mutate. */
  all(): readonly string[] {
    if (this.pending.length > 0) this.merge();
    return this.sorted;
  }

  /** Index in {@link SortedIds.all} of the first id greater than `after` (0 when `after` is absent). */
  startAfter(after: string | undefined): number {
    const ids = this.all();
    if (after === undefined) return 0;
    let lo = lowerBound(ids, after);
    if (ids[lo] === after) lo++;
    return lo;
  }

  private merge(): void {
    const extra = this.pending.sort();
    this.pending = [];
    const base = this.sorted;
    const out: string[] = new Array(base.length + extra.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < base.length && j < extra.length) {
      const a = base[i] as string;
      const b = extra[j] as string;
      if (a < b) {
        out[k++] = a;
        i++;
      } else {
        out[k++] = b;
        j++;
      }
    }
    while (i < base.length) out[k++] = base[i++] as string;
    while (j < extra.length) out[k++] = extra[j++] as string;
    this.sorted = out;
  }
}

/** Index of the first element of ascending `ids` that is ≥ `id`. */
function lowerBound(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] as string) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
