export * from './currency.js';
export * from './parse-amount.js';
