/**
 * MiniCRM storage on Redis.
 * @module
 */
export type { StorageKeys } from './keys.js';
export { deliveryTag, storageKeys } from './keys.js';
export type { RedisStorage } from './storage.js';
export { createRedisStorage } from './storage.js';
