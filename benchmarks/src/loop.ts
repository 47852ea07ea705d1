// `npm run bench:loop`: a 10,000-iteration forEach loop through the interpreter, with
// continue-as-new; prints wall time, the Temporal runs it took, and history size per run.
// @tandem/ops loads the API server's source, which needs decorator metadata: the hook compiles it first.
import { register } from 'node:module';

register('./api/source-hook.mjs', import.meta.url);
await import('./loop/main.js');
