// `npm run docs`: builds the documentation site into docs/.vitepress/dist (served at /docs).
// With --if-stale, only when it is missing or older than its sources (as `npm start` does).
import { buildDocs, ensureDocsBuilt } from './docs/build.js';

const ok = process.argv.includes('--if-stale') ? ensureDocsBuilt() : buildDocs();
process.exit(ok ? 0 : 1);
