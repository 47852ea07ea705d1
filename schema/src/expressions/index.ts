export * from './expression.js';
export * from './template.js';
export * from './limits.js';
