import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import workerThreads from 'node:worker_threads';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { withWatchedSandboxes } from '../src/sandbox-watchdog.js';

// The SDK runs every call into a workflow's sandbox under a per-call timeout, for which Node
// starts and joins a thread each time; Tandem runs them without it and watches each workflow
// thread from the main thread instead (src/sandbox-watchdog.ts).

const NodeWorker = workerThreads.Worker;
const stuck: number[] = [];
let worker: Worker;
let running: Promise<void>;
let client: Client;
let taskQueue: string;

beforeAll(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // installed by an earlier file in this process
  }
  const address = inject('temporalAddress');
  taskQueue = `sandbox-watchdog-${randomUUID()}`;
  client = new Client({ connection: await Connection.connect({ address }) });
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./sandbox/blocking-workflow.js', import.meta.url)),
    logger: new DefaultLogger('ERROR'),
  });
  const connection = await NativeConnection.connect({ address });
  worker = await withWatchedSandboxes(
    () =>
      Worker.create({
        connection,
        taskQueue,
        workflowBundle,
        // Were the SDK's per-call timeout still in force, a call held longer than this would be
        // cut (an option the SDK reads but no longer declares).
        ...({ isolateExecutionTimeout: '500ms' } as object),
      }),
    { limitMs: 300, intervalMs: 25, onStuck: (busyMs) => stuck.push(busyMs) },
  );
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await client?.connection.close();
});

const held = (ms: number) => client.workflow.execute('block', { taskQueue, workflowId: `block-${randomUUID()}`, args: [ms] });

describe('the sandbox watchdog', () => {
  it('lets a short call be', async () => {
    expect(await held(0)).toBe('held 0 ms');
    expect(stuck).toEqual([]);
  });

  it('runs a call without the per-call timeout, and reports one that runs past its limit', async () => {
    expect(await held(1_200)).toBe('held 1200 ms');
    expect(stuck).toHaveLength(1);
    expect(stuck[0]).toBeGreaterThan(300);
    expect(stuck[0]).toBeLessThan(1_200);
  });

  it("puts Node's Worker back once the worker is created", () => {
    expect(workerThreads.Worker).toBe(NodeWorker);
  });

  it('leaves other threads started meanwhile as they were: their own vm timeouts still fire', async () => {
    const code = `
      const { parentPort } = require('node:worker_threads');
      try {
        require('node:vm').runInNewContext('for (;;) {}', {}, { timeout: 50 });
        parentPort.postMessage('not cut');
      } catch (error) {
        parentPort.postMessage(error.code);
      }`;
    const thread = await withWatchedSandboxes(async () => new workerThreads.Worker(code, { eval: true }));
    expect(await new Promise((resolve) => thread.once('message', resolve))).toBe('ERR_SCRIPT_EXECUTION_TIMEOUT');
    await thread.terminate();
  });
});
