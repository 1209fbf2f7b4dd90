/**
 * @minicrm/core: segment-targeted messaging campaigns on pluggable storage, queue, bus and channels.
 * @packageDocumentation
 */

export * from './delivery/id.js';
export * from './delivery/status.js';
export * from './delivery/transition.js';
export type * from './domain/activity.js';
export * from './domain/campaign.js';
export * from './domain/customer.js';
export * from './domain/delivery.js';
export * from './domain/receipt.js';
export type * from './domain/segment.js';
export * from './errors.js';
export * from './ingestion/aggregates.js';
export type * from './ports/channel.js';
export type * from './ports/clock.js';
export type * from './ports/event-bus.js';
export type * from './ports/id-generator.js';
export type * from './ports/job-queue.js';
export type * from './ports/storage.js';
export * from './segment/catalog.js';
export * from './segment/types.js';
export * from './time/ids.js';
export * from './time/manual-clock.js';
export * from './time/system-clock.js';
