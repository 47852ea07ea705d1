// The structured diff of two workflow documents, shared by the API (workflowDiff) and the client's version view.
export { diffJson, type JsonChange } from './json.js';
export * from './text.js';
export * from './workflow.js';
