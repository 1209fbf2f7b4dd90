import type { Redis } from 'ioredis';
import type { StorageKeys } from './keys.js';

/** What every Redis store needs: the client and the key layout. */
export interface StoreContext {
  readonly client: Redis;
  readonly keys: StorageKeys;
}
