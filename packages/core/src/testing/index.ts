/**
 * `@minicrm/core/testing`: the adapter conformance suite. Storage, job queue and event bus adapters
 * run the same checks in a few lines; groups compose, options cover legitimate differences, and a
 * back door reads raw stored records so a broken write cannot hide behind a matching broken read.
 * Requires `vitest` (an optional peer dependency of `@minicrm/core`).
 *
 * @example
 * import { createMemoryStorage, memoryStorageBackdoor } from '@minicrm/core';
 * import { storageConformance } from '@minicrm/core/testing';
 * storageConformance({ name: 'memory', createStorage: createMemoryStorage, backdoor: memoryStorageBackdoor });
 * @packageDocumentation
 */
export { activityStoreTests } from './activity-tests.js';
export { campaignStoreTests } from './campaign-tests.js';
export { cursorTests, FOREIGN_CURSORS } from './cursor-tests.js';
export { customerStoreTests } from './customer-tests.js';
export { deliveryStoreTests } from './delivery-tests.js';
export { eventBusConformance } from './event-bus-tests.js';
export * from './fixtures.js';
export type { RawExpectation, StorageHarness } from './harness.js';
export { drain, eventually, expectRaw, seededRandom, toEpochMs, toNumber, useStorage } from './harness.js';
export { jobQueueConformance } from './job-queue-tests.js';
export type * from './options.js';
export { receiptStoreTests } from './receipt-tests.js';
export { segmentStoreTests } from './segment-tests.js';
export { storageConformance } from './storage-conformance.js';
