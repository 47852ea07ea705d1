export * from './config.js';
export * from './temporal.js';
export * from './client.js';
