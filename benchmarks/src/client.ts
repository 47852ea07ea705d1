// `npm run bench:client`: the web client in headless Chromium against a real Tandem API:
// the first page's gzipped JavaScript, the editor's time-to-interactive with a 500-node
// workflow, and frame times while panning it. See docs/performance.md, "Web client".
import { register } from 'node:module';

// The server's type-graphql classes need decorator metadata, which tsx does not emit (see api.ts).
register('./api/source-hook.mjs', import.meta.url);
await import('./client/main.js');
