/**
 * @minicrm/adapters-redis: a durable job queue on Redis Streams, a cross-process event bus on Redis
 * pub/sub, and complete MiniCRM storage on Redis. Built on `ioredis`.
 * @packageDocumentation
 */

export * from './bus/index.js';
export * from './connection.js';
export * from './queue/index.js';
export * from './storage/index.js';
