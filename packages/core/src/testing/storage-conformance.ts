import { activityStoreTests } from './activity-tests.js';
import { campaignStoreTests } from './campaign-tests.js';
import { cursorTests } from './cursor-tests.js';
import { customerStoreTests } from './customer-tests.js';
import { deliveryStoreTests } from './delivery-tests.js';
import type { StorageConformanceOptions } from './options.js';
import { receiptStoreTests } from './receipt-tests.js';
import { segmentStoreTests } from './segment-tests.js';

/**
 * The whole storage suite: every store group. Call it at the top level of a test file; each group
 * is a `describe` block and each test gets a fresh storage from `createStorage`.
 *
 * @example
 * import { storageConformance } from '@minicrm/core/testing';
 * storageConformance({ name: 'redis storage', createStorage: () => redisStorage(client, fresh()), backdoor });
 */
export function storageConformance(options: StorageConformanceOptions): void {
  customerStoreTests(options);
  activityStoreTests(options);
  segmentStoreTests(options);
  campaignStoreTests(options);
  deliveryStoreTests(options);
  receiptStoreTests(options);
  cursorTests(options);
}
