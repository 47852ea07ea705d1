export * from './run-state.js';
export * from './replay.js';
export * from './retry.js';
