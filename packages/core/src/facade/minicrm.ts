import { createMemoryEventBus, createMemoryJobQueue, createMemoryStorage } from '../adapters/memory/index.js';
import { CampaignService } from '../campaign/campaign-service.js';
import { Launcher } from '../campaign/launch.js';
import { createSimulatorChannel } from '../channel/simulator.js';
import type { Campaign } from '../domain/campaign.js';
import { type EngineContext, type Logger, silentLogger } from '../engine/context.js';
import { guardAdapter } from '../engine/guard.js';
import type { Channel } from '../ports/channel.js';
import type { Clock } from '../ports/clock.js';
import type { EventBus, MiniCrmEvents, MiniCrmEventType, Unsubscribe } from '../ports/event-bus.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { Storage } from '../ports/storage.js';
import { type ReceiptBatchOptions, ReceiptProcessor } from '../receipt/receipt-processor.js';
import type { RetryPolicy } from '../retry/retry-policy.js';
import type { AttributeDeclaration, FieldCatalog } from '../segment/catalog.js';
import { StatsPublisher } from '../stats/stats-publisher.js';
import { randomIds } from '../time/ids.js';
import { systemClock } from '../time/system-clock.js';
import { Worker, type WorkerOptions } from '../worker/worker.js';
import { checkMiniCrmOptions } from './check-options.js';
import { CustomerService } from './customer-service.js';
import { ReceiptService } from './receipt-service.js';
import { SegmentService } from './segment-service.js';

/** Options of {@link createMiniCrm}. Everything is optional: the defaults are the embedded, in-memory setup. */
export interface MiniCrmOptions {
  /** Where everything is stored. @default in-memory storage */
  readonly storage?: Storage;
  /** Where send jobs wait. @default in-memory queue */
  readonly queue?: JobQueue;
  /** Where domain events go. @default in-process bus */
  readonly bus?: EventBus;
  /** Channels campaigns can use, by `name`. @default simulator channels `sms` and `email` (90% sent / 10% failed) */
  readonly channels?: readonly Channel[];
  /** Custom customer attributes usable in segment rules and templates. */
  readonly attributes?: readonly AttributeDeclaration[];
  /** ISO 4217 store currency: orders are in it, spend aggregates are kept in its minor units. @default 'USD' */
  readonly currency?: string;
  /** Engine-wide retry policy (a value or a function); a campaign's `retry` settings override it. @default 3 attempts, 1 s base, 60 s cap, full jitter */
  readonly retry?: RetryPolicy;
  /** Time source. @default the system clock */
  readonly clock?: Clock;
  /** Id source for campaigns, segments, workers. @default random ids */
  readonly ids?: IdGenerator;
  /** Random source for retry jitter. @default Math.random */
  readonly random?: () => number;
  /** Structured logger (pino-compatible). @default silent */
  readonly logger?: Logger;
  /** Receipt batching. */
  readonly receipts?: ReceiptBatchOptions;
  /** Customers per launch batch (the launcher reads the next batch while writing one). @default 1000 */
  readonly launchBatchSize?: number;
  /** How long a launcher holds a launch before another process may resume it (ms). @default 30000 */
  readonly launchLeaseMs?: number;
  /** Least time between two `campaign.stats` events of one campaign (ms). @default 250 */
  readonly statsIntervalMs?: number;
  /** Publish a `delivery.updated` event per delivery change (costly on big campaigns). @default false */
  readonly deliveryEvents?: boolean;
}

/** A MiniCRM engine: the public facade over storage, queue, bus and channels. */
export interface MiniCrm {
  /** Every field segment rules may use. */
  readonly catalog: FieldCatalog;
  /** Customers: upsert, get, list, CSV import; their orders and events. */
  readonly customers: CustomerService;
  /** Segments: save, preview, count. */
  readonly segments: SegmentService;
  /** Campaigns: create, launch, pause, resume, cancel, retry failed, stats, delivery log. */
  readonly campaigns: CampaignService;
  /** Delivery receipts from channels and webhooks. */
  readonly receipts: ReceiptService;
  /** Shared services, for adapters and advanced use. */
  readonly context: EngineContext;
  /**
   * A worker that sends messages, retries, launches scheduled campaigns and resumes stalled
   * launches. Call `start()` on it; run one per process, any number of processes on a shared queue.
   */
  createWorker(options?: WorkerOptions): Worker;
  /** Subscribes to domain events (`campaign.stats`, `campaign.state`, …). */
  subscribe<K extends MiniCrmEventType>(
    type: K,
    handler: (payload: MiniCrmEvents[K]) => void,
  ): Promise<Unsubscribe>;
  /** Resolves when the campaign is `completed`, `cancelled` or `failed` (or rejects after `timeoutMs`). */
  waitForCampaign(id: string, options?: { timeoutMs?: number }): Promise<Campaign>;
  /** Stops the workers it created, applies waiting receipts, publishes pending stats. Closes no adapter. */
  close(): Promise<void>;
}

/**
 * Wires storage, queue, bus and channels into a MiniCRM engine.
 *
 * @example
 * const crm = createMiniCrm();
 * await crm.customers.upsert({ id: 'c1', name: 'Ada', phone: '+15550100' });
 * const campaign = await crm.campaigns.create({
 *   name: 'Welcome', channel: 'sms', template: 'Hi {{ customer.name }}!',
 *   rules: { combinator: 'and', rules: [{ field: 'visits', operator: '<=', value: 3 }] },
 * });
 * const worker = crm.createWorker();
 * worker.start();
 * await crm.campaigns.launch(campaign.id);
 * await crm.waitForCampaign(campaign.id);
 * await crm.close();
 */
export function createMiniCrm(options: MiniCrmOptions = {}): MiniCrm {
  const clock = options.clock ?? systemClock;
  const { currency, catalog, channels } = checkMiniCrmOptions(options, () => [
    createSimulatorChannel({ name: 'sms', clock }),
    createSimulatorChannel({ name: 'email', clock }),
  ]);
  const ctx: EngineContext = {
    storage: guardAdapter('storage', options.storage ?? createMemoryStorage()),
    queue: guardAdapter('queue', options.queue ?? createMemoryJobQueue({ clock })),
    bus: guardAdapter('bus', options.bus ?? createMemoryEventBus()),
    channels,
    clock,
    ids: options.ids ?? randomIds,
    catalog,
    currency,
    retry: options.retry ?? {},
    random: options.random ?? Math.random,
    logger: options.logger ?? silentLogger,
    launchBatchSize: options.launchBatchSize ?? 1000,
    launchLeaseMs: options.launchLeaseMs ?? 30_000,
    deliveryEvents: options.deliveryEvents ?? false,
  };
  const stats = new StatsPublisher(ctx, options.statsIntervalMs ?? 250);
  const launcher = new Launcher(ctx, stats);
  const campaigns = new CampaignService(ctx, launcher, stats);
  const processor = new ReceiptProcessor(ctx, stats, options.receipts);
  const receipts = new ReceiptService(ctx, processor);
  for (const channel of channels.values()) {
    channel.connect?.(async (input) => {
      await receipts.ingest(input);
    });
  }
  const workers = new Set<Worker>();
  const maintenance = async () => {
    await campaigns.launchDue();
    await campaigns.resumeStalledLaunches();
  };

  return {
    catalog: ctx.catalog,
    customers: new CustomerService(ctx),
    segments: new SegmentService(ctx),
    campaigns,
    receipts,
    context: ctx,
    createWorker(workerOptions?: WorkerOptions): Worker {
      const worker = new Worker(ctx, { stats, maintenance }, workerOptions);
      workers.add(worker);
      return worker;
    },
    subscribe: (type, handler) => ctx.bus.subscribe(type, handler),
    async waitForCampaign(id: string, waitOptions: { timeoutMs?: number } = {}): Promise<Campaign> {
      const timeoutMs = waitOptions.timeoutMs ?? 60_000;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const campaign = await campaigns.get(id);
        if (campaign === null) throw new Error(`campaign "${id}" does not exist`);
        if (campaign.state === 'completed' || campaign.state === 'cancelled' || campaign.state === 'failed') {
          return campaign;
        }
        if (Date.now() > deadline) {
          throw new Error(`campaign "${id}" still ${campaign.state} after ${timeoutMs} ms`);
        }
        await new Promise<void>((resolve) => setTimeout(resolve, 10));
      }
    },
    async close(): Promise<void> {
      await Promise.all([...workers].map((w) => w.stop()));
      await processor.flush();
      await stats.close();
    },
  };
}
