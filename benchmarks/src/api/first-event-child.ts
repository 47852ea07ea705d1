// Child process of the start → first event measurement (first-event.ts): one graphql-ws
// connection, then the runs given in its input; prints every run's timings as JSON.
import { childInput, childResult } from './child.js';
import type { FirstEventSpec } from './first-event.js';
import { connectWs, runFirstEventLoad } from './subscriptions.js';

const spec = childInput<FirstEventSpec>();
const ws = await connectWs(spec.url, spec.token);
try {
  childResult(
    await runFirstEventLoad({ url: spec.url, token: spec.token, workflowId: spec.workflowId, ws }, spec.runs, spec.concurrency, spec.warmup, spec.firstN),
  );
} finally {
  await ws.dispose();
}
