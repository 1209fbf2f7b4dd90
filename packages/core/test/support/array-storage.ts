import type { CustomerEvent, Order } from '../../src/domain/activity.js';
import type { Customer, CustomerUpsert } from '../../src/domain/customer.js';
import { applyCustomerUpsert, applyEvent, applyOrder } from '../../src/ingestion/aggregates.js';
import type { IngestionDeps } from '../../src/ingestion/deps.js';
import type { AppendResult, Page, PageOptions, Storage, UpsertResult } from '../../src/ports/storage.js';
import type { FieldCatalog, FieldDefinition, FieldType } from '../../src/segment/catalog.js';
import { OPERATORS_BY_TYPE } from '../../src/segment/catalog.js';
import { ManualClock } from '../../src/time/manual-clock.js';

/** Calls made to the array storage, to assert batching. */
export interface StorageCalls {
  upsertMany: number;
  getMany: number;
  appendOrders: number;
  appendEvents: number;
}

/** A simple test `Storage` covering only `customers` and `activity`, built on the pure aggregate functions. */
export interface ArrayStorage extends Storage {
  readonly calls: StorageCalls;
  /** Every customer, ascending id (back door for assertions). */
  dump(): Customer[];
}

function page<T extends { id: string }>(items: readonly T[], options: PageOptions): Page<T> {
  const start = options.cursor === undefined ? 0 : items.findIndex((i) => i.id > options.cursor!);
  const from = start === -1 ? items.length : start;
  const slice = items.slice(from, from + options.limit);
  const more = from + options.limit < items.length;
  return { items: slice, nextCursor: more ? (slice.at(-1)?.id ?? null) : null };
}

function notImplemented(name: string): never {
  throw new Error(`array storage: ${name} is not implemented`);
}

const unsupported = new Proxy({} as never, {
  get: (_target, prop) => () => notImplemented(String(prop)),
});

/** Creates an empty array-backed storage. */
export function createArrayStorage(): ArrayStorage {
  const customers = new Map<string, Customer>();
  const orders = new Map<string, Order>();
  const events = new Map<string, CustomerEvent>();
  const calls: StorageCalls = { upsertMany: 0, getMany: 0, appendOrders: 0, appendEvents: 0 };
  const sorted = () => [...customers.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  function append<T extends { id: string; customerId: string }>(
    items: readonly T[],
    seen: Map<string, T>,
    apply: (c: Customer, item: T) => Customer,
  ): AppendResult {
    const applied: string[] = [];
    const duplicates: string[] = [];
    const missingCustomer: string[] = [];
    for (const item of items) {
      const customer = customers.get(item.customerId);
      if (seen.has(item.id)) duplicates.push(item.id);
      else if (customer === undefined) missingCustomer.push(item.id);
      else {
        seen.set(item.id, item);
        customers.set(customer.id, apply(customer, item));
        applied.push(item.id);
      }
    }
    return { applied, duplicates, missingCustomer };
  }

  return {
    calls,
    dump: sorted,
    customers: {
      async upsertMany(list: readonly CustomerUpsert[], now: Date): Promise<UpsertResult> {
        calls.upsertMany += 1;
        const created: string[] = [];
        const updated: string[] = [];
        for (const upsert of list) {
          const existing = customers.get(upsert.id) ?? null;
          customers.set(upsert.id, applyCustomerUpsert(existing, upsert, now));
          (existing === null ? created : updated).push(upsert.id);
        }
        return { created, updated };
      },
      async get(id) {
        return customers.get(id) ?? null;
      },
      async getMany(ids) {
        calls.getMany += 1;
        return ids.map((id) => customers.get(id) ?? null);
      },
      async list(options) {
        return page(sorted(), options);
      },
      async size() {
        return customers.size;
      },
    },
    activity: {
      async appendOrders(list, now) {
        calls.appendOrders += 1;
        return append(list, orders, (c, o) => applyOrder(c, o, now));
      },
      async appendEvents(list, now) {
        calls.appendEvents += 1;
        return append(list, events, (c, e) => applyEvent(c, e, now));
      },
      async listOrders(customerId, options) {
        const mine = [...orders.values()].filter((o) => o.customerId === customerId);
        return page(mine, options);
      },
      async listEvents(customerId, options) {
        const mine = [...events.values()].filter((e) => e.customerId === customerId);
        return page(mine, options);
      },
    },
    segments: unsupported,
    campaigns: unsupported,
    deliveries: unsupported,
    receipts: unsupported,
  };
}

function field(name: string, type: FieldType, builtIn: boolean, options?: string[]): FieldDefinition {
  return {
    name,
    label: name,
    type,
    operators: OPERATORS_BY_TYPE[type],
    builtIn,
    ...(options ? { options: options.map((value) => ({ value, label: value })) } : {}),
  };
}

/** A hand-built catalog: the built-ins plus age (number), city (string), vip (boolean), birthday (date), tier (enum), tags (tags). */
export function testCatalog(): FieldCatalog {
  const fields: FieldDefinition[] = [
    field('id', 'string', true),
    field('name', 'string', true),
    field('email', 'string', true),
    field('phone', 'string', true),
    field('totalSpend', 'number', true),
    field('orderCount', 'number', true),
    field('visits', 'number', true),
    field('firstOrderAt', 'date', true),
    field('lastOrderAt', 'date', true),
    field('lastVisitAt', 'date', true),
    field('createdAt', 'date', true),
    field('updatedAt', 'date', true),
    field('attributes.age', 'number', false),
    field('attributes.city', 'string', false),
    field('attributes.vip', 'boolean', false),
    field('attributes.birthday', 'date', false),
    field('attributes.tier', 'enum', false, ['gold', 'silver']),
    field('attributes.tags', 'tags', false),
  ];
  const byName = new Map(fields.map((f) => [f.name, f]));
  return { fields, get: (name) => byName.get(name) };
}

/** Ingestion deps over `storage` with a manual clock at 2024-06-01T00:00:00Z and USD. */
export function testDeps(
  storage: Storage,
  currency = { code: 'USD', exponent: 2 },
): IngestionDeps & { clock: ManualClock } {
  return {
    storage,
    catalog: testCatalog(),
    clock: new ManualClock(Date.parse('2024-06-01T00:00:00Z')),
    currency,
  };
}
