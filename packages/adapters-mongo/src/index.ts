/**
 * @minicrm/adapters-mongo: MiniCRM storage on MongoDB with segment push-down (rule tree → MongoDB
 * filter) and indexes. Built on the official `mongodb` driver.
 * @packageDocumentation
 */
export { decodeCustomer, encodeCustomer } from './codec/customer.js';
export type { CompileMongoFilterOptions } from './filter/compile-filter.js';
export { compileMongoFilter } from './filter/compile-filter.js';
export { DEFAULT_CUSTOMER_INDEX_FIELDS, indexPlan } from './indexes.js';
export type { MongoStorage, MongoStorageOptions } from './storage.js';
export { createMongoStorage } from './storage.js';
