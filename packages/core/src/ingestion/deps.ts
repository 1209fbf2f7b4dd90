import type { Problem } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Storage } from '../ports/storage.js';
import type { FieldCatalog } from '../segment/catalog.js';

/** What the ingestion functions need. An `EngineContext` satisfies it. */
export interface IngestionDeps {
  readonly storage: Storage;
  /** Declares the custom attributes (`attributes.<name>`) and their types. */
  readonly catalog: FieldCatalog;
  readonly clock: Clock;
  /** The store currency: orders must be in it; spend is kept in its minor units. */
  readonly currency: { readonly code: string; readonly exponent: number };
}

/** Options of the ingestion functions. */
export interface IngestOptions {
  /**
   * `false`: any invalid item refuses the whole call with a `ValidationError` listing every problem,
   * and nothing is written. `true`: valid items are written, invalid ones reported in `rejected`.
   * @default false
   */
  readonly partial?: boolean;
}

/** An input item that was refused (only with `partial: true`; otherwise the call throws). */
export interface RejectedItem {
  /** Index of the item in the input array (0 for a single object). */
  readonly index: number;
  /** Every problem found; paths start with the index when the input was an array. */
  readonly problems: readonly Problem[];
}

/** Items per storage call: very large inputs are written in chunks of this size. */
export const INGEST_CHUNK_SIZE = 1000;
