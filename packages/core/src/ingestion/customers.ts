import type { CustomerUpsert } from '../domain/customer.js';
import type { Problem } from '../errors.js';
import { atIndex, chunks, refuseUnlessPartial, reject, rejectedList, toItems } from './batch.js';
import { INGEST_CHUNK_SIZE, type IngestionDeps, type IngestOptions, type RejectedItem } from './deps.js';
import { checkCustomer, customerSchema } from './schemas.js';

/** What {@link upsertCustomers} did. */
export interface CustomerUpsertResult {
  /** Ids inserted now. */
  readonly created: string[];
  /** Ids that existed and were replaced (profile and baseline; their activity is kept). */
  readonly updated: string[];
  /** Items refused (only with `partial: true`). */
  readonly rejected: RejectedItem[];
}

/** Validation of a customer batch: the upserts to write and the refused items. */
export interface CheckedCustomers {
  readonly upserts: CustomerUpsert[];
  readonly rejected: RejectedItem[];
}

/** Validates a batch of customer inputs (duplicate ids within the batch are a problem). */
export function checkCustomers(
  deps: IngestionDeps,
  items: readonly unknown[],
  isArray: boolean,
): CheckedCustomers {
  const schema = customerSchema(deps.currency.exponent);
  const rejected = new Map<number, Problem[]>();
  const upserts: CustomerUpsert[] = [];
  const firstIndex = new Map<string, number>();
  items.forEach((item, index) => {
    const checked = checkCustomer(item, deps.catalog, deps.currency, schema);
    if (!checked.ok) {
      reject(rejected, index, atIndex(checked.problems, index, isArray));
      return;
    }
    const first = firstIndex.get(checked.value.id);
    if (first !== undefined) {
      const problem = {
        path: ['id'],
        code: 'duplicate_id',
        message: `duplicate id "${checked.value.id}" (also at index ${first})`,
      };
      reject(rejected, index, atIndex([problem], index, isArray));
      return;
    }
    firstIndex.set(checked.value.id, index);
    upserts.push(checked.value);
  });
  return { upserts, rejected: rejectedList(rejected) };
}

/** Writes validated upserts in chunks; returns the created and updated ids. */
export async function writeUpserts(
  deps: IngestionDeps,
  upserts: readonly CustomerUpsert[],
): Promise<{ created: string[]; updated: string[] }> {
  const created: string[] = [];
  const updated: string[] = [];
  const now = new Date(deps.clock.now());
  for (const chunk of chunks(upserts, INGEST_CHUNK_SIZE)) {
    const result = await deps.storage.customers.upsertMany(chunk, now);
    created.push(...result.created);
    updated.push(...result.updated);
  }
  return { created, updated };
}

/**
 * Inserts or updates one customer or an array of them. Imported aggregates (`totalSpend`,
 * `visits`, …) become the customer's baseline; orders and events add to it.
 *
 * By default any problem refuses the whole call with a `ValidationError` listing every problem
 * (paths like `[3, 'email']`) and nothing is written; with `partial: true` the valid items are
 * written and the invalid ones reported by index.
 *
 * @example
 * await upsertCustomers(deps, [{ id: 'c1', name: 'Ada Lovelace', phone: '+44 20 7946 0000' }]);
 */
export async function upsertCustomers(
  deps: IngestionDeps,
  input: unknown,
  options: IngestOptions = {},
): Promise<CustomerUpsertResult> {
  const { items, isArray } = toItems(input, 'customers');
  const { upserts, rejected } = checkCustomers(deps, items, isArray);
  refuseUnlessPartial('customers', rejected, options.partial === true);
  const { created, updated } = await writeUpserts(deps, upserts);
  return { created, updated, rejected };
}
