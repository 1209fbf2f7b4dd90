import type { Campaign } from '../../domain/campaign.js';
import type { Customer } from '../../domain/customer.js';
import type { Delivery } from '../../domain/delivery.js';
import type { Storage } from '../../ports/storage.js';
import { createActivityTable, createMemoryActivityStore } from './activity-store.js';
import type { CampaignTable } from './campaign-store.js';
import { createMemoryCampaignStore } from './campaign-store.js';
import { createCustomerTable, createMemoryCustomerStore } from './customer-store.js';
import { createDeliveryTable, createMemoryDeliveryStore } from './delivery-store.js';
import { createMemoryReceiptStore } from './receipt-store.js';
import { createMemorySegmentStore } from './segment-store.js';

/**
 * Raw read access to what a memory storage holds, bypassing its read methods. For the conformance
 * suite's back door (`@minicrm/core/testing`) and for debugging; the records are the stored, frozen
 * objects themselves.
 */
export interface MemoryStorageBackdoor {
  /** The stored customer record, or `null`. */
  customer(id: string): Promise<Customer | null>;
  /** The stored delivery record, or `null`. */
  delivery(id: string): Promise<Delivery | null>;
  /** The stored campaign record, or `null`. */
  campaign(id: string): Promise<Campaign | null>;
}

const backdoors = new WeakMap<Storage, MemoryStorageBackdoor>();

/**
 * In-process storage: the embedded default. Everything lives in maps of frozen records, so reads
 * return stored objects directly (no copies) and callers cannot change stored state through them.
 * Writes copy what they take from the caller, except `deliveries.createMany`, which (on the hot path
 * of a launch) freezes the delivery objects it is given instead of copying them. `Date` fields are
 * shared, not copied: treat them as immutable. Everything is lost when the process exits.
 *
 * @example
 * const crm = createMiniCrm({ storage: createMemoryStorage() });
 */
export function createMemoryStorage(): Storage {
  const customerTable = createCustomerTable();
  const campaignTable: CampaignTable = new Map();
  const deliveryTable = createDeliveryTable();
  // Not frozen: core wraps adapters in a Proxy, which must be free to return wrapped members.
  const storage: Storage = {
    customers: createMemoryCustomerStore(customerTable),
    activity: createMemoryActivityStore(customerTable, createActivityTable()),
    segments: createMemorySegmentStore(),
    campaigns: createMemoryCampaignStore(campaignTable),
    deliveries: createMemoryDeliveryStore(deliveryTable),
    receipts: createMemoryReceiptStore(),
  };
  backdoors.set(storage, {
    customer: async (id) => customerTable.byId.get(id) ?? null,
    delivery: async (id) => deliveryTable.byId.get(id) ?? null,
    campaign: async (id) => campaignTable.get(id) ?? null,
  });
  return storage;
}

/**
 * The raw-record back door of a storage made by {@link createMemoryStorage}. Pass it to the
 * conformance suite: `storageConformance({ createStorage: createMemoryStorage, backdoor: memoryStorageBackdoor })`.
 * Throws for any other storage.
 */
export function memoryStorageBackdoor(storage: Storage): MemoryStorageBackdoor {
  const backdoor = backdoors.get(storage);
  if (backdoor === undefined) throw new TypeError('not a storage made by createMemoryStorage()');
  return backdoor;
}
