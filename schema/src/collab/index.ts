// The Yjs side of the schema package. A separate entry point, so code that never
// touches documents (the worker's workflow bundle) does not load yjs.
export * from './document.js';
export { jsonEqual } from './json-equal.js';
export * from './protocol.js';
