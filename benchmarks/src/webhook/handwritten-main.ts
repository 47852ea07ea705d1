// The hand-written baseline of `npm run bench:webhook`: the flow as a plain Temporal workflow
// behind a minimal node:http front, worker and client in one Node process, on its own task
// queue. Compiled to JavaScript by the benchmark (swc) and run with plain `node`, as a
// deployed program would run. Configured by environment: TEMPORAL_ADDRESS, TASK_QUEUE,
// WORKFLOWS_PATH (handwritten-workflow.ts). Prints `listening <port>` once it serves.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('WARN') });
const address = process.env.TEMPORAL_ADDRESS!;
const taskQueue = process.env.TASK_QUEUE!;

const workflowBundle = await bundleWorkflowCode({
  workflowsPath: process.env.WORKFLOWS_PATH!,
  logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
});
const worker = await Worker.create({
  connection: await NativeConnection.connect({ address }),
  taskQueue,
  workflowBundle,
  // As Tandem's worker; everything else is the SDK's default.
  maxConcurrentWorkflowTaskExecutions: 100,
  maxConcurrentActivityTaskExecutions: 100,
});
const running = worker.run();
const client = new Client({ connection: await Connection.connect({ address }) });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let input: unknown;
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"not JSON"}');
      return;
    }
    client.workflow.execute('webhookFlow', { taskQueue, workflowId: `hand-${randomUUID()}`, args: [input] }).then(
      (result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'COMPLETED', result })),
      (error: Error) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'FAILED', error: error.message })),
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const port = (server.address() as { port: number }).port;
  console.log(`listening ${port}`);
});

process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  worker.shutdown();
});
await running;
process.exit(0);
