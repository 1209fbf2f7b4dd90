export { decodeJson, encodeJson } from './codec.js';
export { createRedisEventBus, type RedisEventBus, type RedisEventBusOptions } from './event-bus.js';
