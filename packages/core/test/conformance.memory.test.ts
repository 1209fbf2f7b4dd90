import {
  createMemoryEventBus,
  createMemoryJobQueue,
  createMemoryStorage,
  memoryStorageBackdoor,
} from '../src/index.js';
import { eventBusConformance, jobQueueConformance, storageConformance } from '../src/testing/index.js';

storageConformance({
  name: 'memory storage',
  createStorage: createMemoryStorage,
  backdoor: memoryStorageBackdoor,
});

jobQueueConformance({
  name: 'memory job queue (manual clock)',
  createQueue: ({ clock, maxDeliveries }) => createMemoryJobQueue({ clock, maxDeliveries }),
});

jobQueueConformance({
  name: 'memory job queue (real timers)',
  createQueue: ({ maxDeliveries }) => createMemoryJobQueue({ maxDeliveries }),
  realTimers: true,
  unitMs: 20,
});

eventBusConformance({
  name: 'memory event bus',
  createBus: () => createMemoryEventBus({ onError: () => {} }),
});
