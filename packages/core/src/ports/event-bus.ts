import type { CampaignState } from '../domain/campaign.js';
import type { DeliveryCounts, DeliveryStatus } from '../domain/delivery.js';

/** Live statistics of a campaign, published as `campaign.stats`. */
export interface CampaignStats extends DeliveryCounts {
  readonly campaignId: string;
  readonly state: CampaignState;
  /** Customers matched by the audience (0 before launch). */
  readonly audienceSize: number;
  /** Epoch ms when these stats were read. */
  readonly at: number;
}

/** Domain events and their payloads. */
export interface MiniCrmEvents {
  'campaign.stats': CampaignStats;
  'campaign.state': {
    readonly campaignId: string;
    readonly from: CampaignState;
    readonly to: CampaignState;
    readonly at: number;
  };
  'delivery.updated': {
    readonly campaignId: string;
    readonly deliveryId: string;
    readonly customerId: string;
    readonly status: DeliveryStatus;
    readonly attempts: number;
    readonly at: number;
  };
  'customer.created': { readonly customerId: string; readonly at: number };
}

/** The name of a domain event. */
export type MiniCrmEventType = keyof MiniCrmEvents;

/** Stops a subscription. */
export type Unsubscribe = () => Promise<void>;

/** Publish/subscribe of domain events: in-process, or across processes (Redis pub/sub). */
export interface EventBus {
  /** Delivers the event to every subscriber of `type` (in every process, for a shared bus). */
  publish<K extends MiniCrmEventType>(type: K, payload: MiniCrmEvents[K]): Promise<void>;
  /** Calls `handler` for each event of `type` published after the returned promise resolves. */
  subscribe<K extends MiniCrmEventType>(
    type: K,
    handler: (payload: MiniCrmEvents[K]) => void,
  ): Promise<Unsubscribe>;
}
