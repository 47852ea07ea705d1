// `npm run bench:api`: GraphQL read latency over HTTP against a bare in-process execute(),
// and start → first event at a subscriber, on a real stack (Temporal dev server, worker, API
// server). See docs/performance.md, section "API".
import { register } from 'node:module';

// tsx does not emit decorator metadata, which the server's type-graphql classes need: the
// server's source is compiled by this hook (swc) instead. It must be in place before anything
// imports the server, hence the dynamic import below.
register('./api/source-hook.mjs', import.meta.url);
await import('./api/main.js');
