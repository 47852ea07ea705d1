// `npm run bench:collab`: edit propagation between y-websocket clients on one and on two API
// servers, load time of a 500-node document and memory per open room, beside a bare
// @y/websocket-server (no auth, no persistence). See docs/performance.md, "Collaboration".
import { register } from 'node:module';

// The server's type-graphql classes need decorator metadata, which tsx does not emit (see api.ts).
register('./api/source-hook.mjs', import.meta.url);
await import('./collab/main.js');
