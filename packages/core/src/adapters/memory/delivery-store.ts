import type { DeliveryCountsDelta, DeliveryTransition } from '../../delivery/transition.js';
import {
  addDeliveryCounts,
  applyDeliveryTransition,
  deliveryCountsDelta,
  emptyDeliveryCounts,
} from '../../delivery/transition.js';
import type { Delivery, DeliveryCounts, DeliveryStatus } from '../../domain/delivery.js';
import type { DeliveryStore, Page, PageOptions } from '../../ports/storage.js';
import { decodeIdCursor, pageOfIds } from './cursor.js';
import { adoptDelivery, freezeOwnedDelivery } from './freeze.js';
import { SortedIds } from './sorted-ids.js';

/** One campaign's delivery ids and counters, maintained incrementally. */
interface CampaignDeliveries {
  readonly ids: SortedIds;
  counts: DeliveryCounts;
}

/** Deltas of one call, summed in place per campaign, then added once with `addDeliveryCounts`. */
class DeltaSums {
  private readonly sums = new Map<
    CampaignDeliveries,
    { -readonly [K in keyof DeliveryCountsDelta]: DeliveryCountsDelta[K] }
  >();

  add(campaign: CampaignDeliveries, delta: DeliveryCountsDelta): void {
    let sum = this.sums.get(campaign);
    if (sum === undefined) {
      sum = { total: 0, byStatus: {}, attempts: 0, retries: 0, opened: 0, clicked: 0 };
      this.sums.set(campaign, sum);
    }
    sum.total += delta.total;
    sum.attempts += delta.attempts;
    sum.retries += delta.retries;
    sum.opened += delta.opened;
    sum.clicked += delta.clicked;
    const byStatus = sum.byStatus;
    for (const status in delta.byStatus) {
      const s = status as DeliveryStatus;
      byStatus[s] = (byStatus[s] ?? 0) + (delta.byStatus[s] ?? 0);
    }
  }

  /** Moves every campaign's counters by its summed deltas. */
  flush(): void {
    for (const [campaign, sum] of this.sums) campaign.counts = addDeliveryCounts(campaign.counts, sum);
  }
}

/** The memory storage's deliveries, counters and vendor-id index. */
export interface DeliveryTable {
  /** Frozen deliveries by id. */
  readonly byId: Map<string, Delivery>;
  readonly byCampaign: Map<string, CampaignDeliveries>;
  /** Vendor message id → delivery id, for the latest accepted attempt of each delivery. */
  readonly byVendorId: Map<string, string>;
}

/** An empty {@link DeliveryTable}. */
export function createDeliveryTable(): DeliveryTable {
  return { byId: new Map(), byCampaign: new Map(), byVendorId: new Map() };
}

const EMPTY_COUNTS: DeliveryCounts = Object.freeze({
  ...emptyDeliveryCounts(),
  byStatus: Object.freeze(emptyDeliveryCounts().byStatus),
});

/**
 * A {@link DeliveryStore} on maps. `createMany` takes ownership of the deliveries it inserts: it
 * freezes those objects in place instead of copying them. Every operation is O(1) per delivery (listing: O(log n) to find the
 * cursor plus the page); counters move with each write, so `counts` is O(1).
 */
export function createMemoryDeliveryStore(table: DeliveryTable = createDeliveryTable()): DeliveryStore {
  const { byId, byCampaign, byVendorId } = table;

  function campaignOf(campaignId: string): CampaignDeliveries {
    let entry = byCampaign.get(campaignId);
    if (entry === undefined) {
      entry = { ids: new SortedIds(), counts: emptyDeliveryCounts() };
      byCampaign.set(campaignId, entry);
    }
    return entry;
  }

  function indexVendorId(before: Delivery | null, after: Delivery): void {
    const old = before?.vendorMessageId;
    const next = after.vendorMessageId;
    if (old === next) return;
    if (old !== undefined && byVendorId.get(old) === after.id) byVendorId.delete(old);
    if (next !== undefined) byVendorId.set(next, after.id);
  }

  return {
    async createMany(deliveries: readonly Delivery[]): Promise<readonly string[]> {
      const inserted: string[] = [];
      const sums = new DeltaSums();
      for (const delivery of deliveries) {
        if (byId.has(delivery.id)) continue;
        const stored = adoptDelivery(delivery);
        byId.set(stored.id, stored);
        const campaign = campaignOf(stored.campaignId);
        campaign.ids.add(stored.id);
        sums.add(campaign, deliveryCountsDelta(null, stored));
        indexVendorId(null, stored);
        inserted.push(stored.id);
      }
      sums.flush();
      return inserted;
    },

    async get(id: string): Promise<Delivery | null> {
      return byId.get(id) ?? null;
    },

    async getMany(ids: readonly string[]): Promise<(Delivery | null)[]> {
      return ids.map((id) => byId.get(id) ?? null);
    },

    async transitionMany(transitions: readonly DeliveryTransition[]): Promise<(Delivery | null)[]> {
      const sums = new DeltaSums();
      const results = transitions.map((t) => {
        const current = byId.get(t.id);
        if (current === undefined) return null;
        const next = applyDeliveryTransition(current, t);
        if (next === null) return null;
        const stored = freezeOwnedDelivery(next);
        byId.set(stored.id, stored);
        sums.add(campaignOf(stored.campaignId), deliveryCountsDelta(current, stored));
        indexVendorId(current, stored);
        return stored;
      });
      sums.flush();
      return results;
    },

    async list(
      campaignId: string,
      options: PageOptions & { readonly statuses?: readonly DeliveryStatus[] },
    ): Promise<Page<Delivery>> {
      const after = decodeIdCursor(options.cursor);
      const campaign = byCampaign.get(campaignId);
      if (campaign === undefined) return { items: [], nextCursor: null };
      const all = campaign.ids.all();
      const start = campaign.ids.startAfter(after);
      const statuses = options.statuses;
      const filter =
        statuses === undefined
          ? undefined
          : (d: Delivery) => (statuses as readonly string[]).includes(d.status);
      return pageOfIds(all, start, options.limit, (id) => byId.get(id), filter);
    },

    async counts(campaignId: string): Promise<DeliveryCounts> {
      const campaign = byCampaign.get(campaignId);
      if (campaign === undefined) return EMPTY_COUNTS;
      const counts = campaign.counts;
      if (!Object.isFrozen(counts)) {
        Object.freeze(counts.byStatus);
        Object.freeze(counts);
      }
      return counts;
    },

    async findByVendorMessageIds(vendorMessageIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
      const found = new Map<string, string>();
      for (const vendorId of vendorMessageIds) {
        const id = byVendorId.get(vendorId);
        if (id !== undefined) found.set(vendorId, id);
      }
      return found;
    },
  };
}
