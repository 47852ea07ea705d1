export * from './config.js';
export * from './temporal.js';
export * from './client.js';
export * from './task-queue.js';
export * from './quarantine.js';
export * from './replay.js';
export * from './backup/index.js';
export * from './health.js';
