export * from './expression.js';
export * from './template.js';
export * from './limits.js';
export { clearExpressionCheckCache } from './check-cache.js';
