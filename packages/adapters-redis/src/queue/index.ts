export { createRedisJobQueue } from './job-queue.js';
export { queueKeys, type RedisQueueKeys } from './keys.js';
export type { RedisJobQueue, RedisJobQueueOptions } from './types.js';
