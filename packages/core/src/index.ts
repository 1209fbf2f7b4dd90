/**
 * @minicrm/core: segment-targeted messaging campaigns on pluggable storage, queue, bus and channels.
 * @packageDocumentation
 */

export * from './adapters/memory/index.js';
export * from './campaign/campaign-service.js';
export * from './campaign/completion.js';
export * from './campaign/input.js';
export * from './campaign/state-machine.js';
export * from './campaign/test-send.js';
export * from './channel/index.js';
export * from './delivery/create.js';
export * from './delivery/id.js';
export * from './delivery/status.js';
export * from './delivery/transition.js';
export * from './demo/demo-data.js';
export * from './demo/demo-segments.js';
export type * from './domain/activity.js';
export * from './domain/campaign.js';
export * from './domain/customer.js';
export * from './domain/delivery.js';
export * from './domain/receipt.js';
export type * from './domain/segment.js';
export * from './engine/context.js';
export * from './engine/guard.js';
export * from './errors.js';
export * from './facade/customer-service.js';
export * from './facade/minicrm.js';
export * from './facade/receipt-service.js';
export * from './facade/segment-service.js';
export * from './ingestion/aggregates.js';
export * from './ingestion/index.js';
export * from './money/index.js';
export type * from './ports/channel.js';
export type * from './ports/clock.js';
export type * from './ports/event-bus.js';
export type * from './ports/id-generator.js';
export type * from './ports/job-queue.js';
export type * from './ports/storage.js';
export * from './receipt/receipt-effect.js';
export * from './receipt/receipt-processor.js';
export * from './receipt/schema.js';
export * from './retry/index.js';
export * from './segment/catalog.js';
export * from './segment/index.js';
export * from './segment/types.js';
export * from './stats/campaign-stats.js';
export * from './stats/stats-publisher.js';
export * from './template/index.js';
export * from './time/ids.js';
export * from './time/manual-clock.js';
export * from './time/system-clock.js';
export * from './util/cursor.js';
export { ENTITY_ID_PATTERN, MAX_ID_LENGTH } from './util/id-schema.js';
export * from './util/random.js';
export * from './worker/worker.js';
