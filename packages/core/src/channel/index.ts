export * from './address.js';
export * from './simulator.js';
