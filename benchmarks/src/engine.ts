// `npm run bench:engine`: the interpreter against hand-written Temporal workflows, and
// validate + compile of a large graph. Prints a table and writes benchmarks/results/engine-latest.json.
// @tandem/ops loads the API server's source, which needs decorator metadata: the hook compiles it first.
import { register } from 'node:module';

register('./api/source-hook.mjs', import.meta.url);
await import('./engine/main.js');
