export * from './run-state.js';
export * from './replay.js';
