// `npm run test:load`: executions held in flight at once, then released, with reads and
// subscriptions alongside, driven by k6. See docs/performance.md, "Load test (test:load)".
import { register } from 'node:module';

// @tandem/ops re-exports modules that load the server's type-graphql classes, which need
// decorator metadata that tsx does not emit (see api.ts). Tandem itself runs from dist.
register('./api/source-hook.mjs', import.meta.url);
await import('./load/main.js');
