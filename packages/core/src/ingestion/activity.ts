import type { Problem } from '../errors.js';
import type { AppendResult } from '../ports/storage.js';
import { atIndex, chunks, refuseUnlessPartial, reject, rejectedList, toItems } from './batch.js';
import { INGEST_CHUNK_SIZE, type IngestionDeps, type IngestOptions, type RejectedItem } from './deps.js';
import type { Checked } from './schemas.js';

/** What an order or event ingestion did. */
export interface ActivityIngestResult {
  /** Ids recorded now (customer aggregates moved). */
  readonly applied: string[];
  /** Ids recorded before (or repeated within the call): nothing changed. */
  readonly duplicates: string[];
  /** Items refused (only with `partial: true`). */
  readonly rejected: RejectedItem[];
}

interface ActivityItem {
  readonly id: string;
  readonly customerId: string;
}

/** How to validate and append one kind of activity. */
export interface ActivityKind<T extends ActivityItem> {
  /** Plural noun for messages, e.g. `orders`. */
  readonly what: string;
  check(item: unknown): Checked<T>;
  append(deps: IngestionDeps, items: readonly T[], now: Date): Promise<AppendResult>;
}

function unknownCustomer(customerId: string, index: number, isArray: boolean): Problem[] {
  const problem = {
    path: ['customerId'],
    code: 'unknown_customer',
    message: `customer "${customerId}" does not exist`,
  };
  return atIndex([problem], index, isArray);
}

async function missingCustomers(deps: IngestionDeps, ids: readonly string[]): Promise<Set<string>> {
  const missing = new Set<string>();
  for (const chunk of chunks(ids, INGEST_CHUNK_SIZE)) {
    const found = await deps.storage.customers.getMany(chunk);
    chunk.forEach((id, i) => {
      if (found[i] == null) missing.add(id);
    });
  }
  return missing;
}

/**
 * Shared flow of order and event ingestion: validate every item, check every customer exists
 * (before writing anything), refuse or report problems, then append in chunks (idempotent by id).
 */
export async function ingestActivity<T extends ActivityItem>(
  deps: IngestionDeps,
  kind: ActivityKind<T>,
  input: unknown,
  options: IngestOptions,
): Promise<ActivityIngestResult> {
  const { items, isArray } = toItems(input, kind.what);
  const rejected = new Map<number, Problem[]>();
  const valid: { index: number; value: T }[] = [];
  items.forEach((item, index) => {
    const checked = kind.check(item);
    if (checked.ok) valid.push({ index, value: checked.value });
    else reject(rejected, index, atIndex(checked.problems, index, isArray));
  });
  const missing = await missingCustomers(deps, [...new Set(valid.map((v) => v.value.customerId))]);
  const duplicates: string[] = [];
  const seen = new Set<string>();
  const toAppend: { index: number; value: T }[] = [];
  for (const entry of valid) {
    if (missing.has(entry.value.customerId)) {
      reject(rejected, entry.index, unknownCustomer(entry.value.customerId, entry.index, isArray));
    } else if (seen.has(entry.value.id)) {
      duplicates.push(entry.value.id);
    } else {
      seen.add(entry.value.id);
      toAppend.push(entry);
    }
  }
  refuseUnlessPartial(kind.what, rejectedList(rejected), options.partial === true);
  const applied: string[] = [];
  const now = new Date(deps.clock.now());
  for (const chunk of chunks(toAppend, INGEST_CHUNK_SIZE)) {
    const result = await kind.append(
      deps,
      chunk.map((c) => c.value),
      now,
    );
    applied.push(...result.applied);
    duplicates.push(...result.duplicates);
    // A customer deleted between the check and the append: report it like an unknown customer.
    const vanished = new Set(result.missingCustomer);
    for (const entry of chunk) {
      if (vanished.has(entry.value.id)) {
        reject(rejected, entry.index, unknownCustomer(entry.value.customerId, entry.index, isArray));
      }
    }
  }
  return { applied, duplicates, rejected: rejectedList(rejected) };
}
