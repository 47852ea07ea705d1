// A Tandem worker alone in its own process, running the blocking workflow (blocking-workflow.js):
// worker/test/sandbox-watchdog.test.ts starts it to see how createTandemWorker ends a process
// whose workflow task is stuck in the sandbox. Arguments: the Temporal address and a task queue.
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createTandemWorker } from '../../src/worker.js';
import { InProcessEventBus } from '../../src/events/index.js';

const [address, taskQueue] = process.argv.slice(2);
if (!address || !taskQueue) throw new Error('usage: stuck-worker.ts <temporal address> <task queue>');
Runtime.install({ logger: new DefaultLogger('ERROR') });
const workflowBundle = await bundleWorkflowCode({
  workflowsPath: fileURLToPath(new URL('./blocking-workflow.js', import.meta.url)),
  logger: new DefaultLogger('ERROR'),
});
const worker = await createTandemWorker({
  connection: await NativeConnection.connect({ address }),
  taskQueue,
  bus: new InProcessEventBus(),
  workflowBundle,
});
process.stdout.write('worker running\n');
await worker.run();
