// `npm run bench:webhook`: the issue 17 webhook flow through Tandem (run as `npm start` runs it)
// against the same flow hand-written on Temporal. See docs/performance.md, section "Webhook flow".
import { register } from 'node:module';

// @tandem/ops re-exports modules that load the server's type-graphql classes, which need
// decorator metadata that tsx does not emit (see api.ts). Tandem itself runs from dist.
register('./api/source-hook.mjs', import.meta.url);
await import('./webhook/main.js');
