/** Makes ids for entities MiniCRM creates (segments, campaigns, jobs). Injected so tests control ids. */
export interface IdGenerator {
  /** A new unique id, starting with `prefix` (e.g. `cmp_`). */
  next(prefix: string): string;
}
