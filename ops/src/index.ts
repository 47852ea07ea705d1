export * from './config.js';
export * from './temporal.js';
