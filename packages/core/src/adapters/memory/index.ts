/**
 * The in-memory adapters: the embedded default of MiniCRM (storage, job queue, event bus).
 * @module
 */
export type { MemoryEventBusOptions } from './event-bus.js';
export { createMemoryEventBus } from './event-bus.js';
export type { MemoryJobQueueOptions } from './job-queue.js';
export { createMemoryJobQueue } from './job-queue.js';
export type { MemoryStorageBackdoor } from './storage.js';
export { createMemoryStorage, memoryStorageBackdoor } from './storage.js';
