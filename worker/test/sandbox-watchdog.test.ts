import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import workerThreads from 'node:worker_threads';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { SANDBOX_CALL_LIMIT_MS, SANDBOX_STUCK_EXIT_CODE, sandboxWatchdog, type SandboxWatchdogOptions, type StuckRun } from '../src/sandbox-watchdog.js';
import { withTandemWorkflowThreads } from '../src/workflow-threads.js';

// The SDK runs every call into a workflow's sandbox under a per-call timeout, for which Node
// starts and joins a thread each time; Tandem runs them without it and watches each workflow
// thread from the main thread instead (src/sandbox-watchdog.ts).

const NodeWorker = workerThreads.Worker;

/** Creates a worker whose workflow threads are watched and changed in nothing else. */
const withWatchedSandboxes = <T>(create: () => Promise<T>, options: SandboxWatchdogOptions = {}) =>
  withTandemWorkflowThreads(create, [sandboxWatchdog(options)]);
const stuck: Array<{ busyMs: number; run: StuckRun | undefined }> = [];
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
        // One thread: the runs of the naming test share it.
        workflowThreadPoolSize: 1,
        // Were the SDK's per-call timeout still in force, a call held longer than this would be
        // cut (an option the SDK reads but no longer declares).
        ...({ isolateExecutionTimeout: '500ms' } as object),
      }),
    { limitMs: 300, intervalMs: 25, onStuck: (busyMs, run) => stuck.push({ busyMs, run }) },
  );
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await client?.connection.close();
});

const held = (ms: number, workflowId = `block-${randomUUID()}`) => client.workflow.execute('block', { taskQueue, workflowId, args: [ms] });

describe('the sandbox watchdog', () => {
  it('lets a short call be', async () => {
    expect(await held(0)).toBe('held 0 ms');
    expect(stuck).toEqual([]);
  });

  it('runs a call without the per-call timeout, and reports one that runs past its limit, naming its run', async () => {
    // Other runs on the thread: some before it, and one waiting, which a query reaches while the
    // stuck call holds the thread (its request is posted after the stuck one's). The report names
    // the stuck run, not one of theirs.
    await Promise.all([held(0), held(0), held(0)]);
    const waiting = await client.workflow.start('idle', { taskQueue, workflowId: `idle-${randomUUID()}` });
    await waiting.query('__temporal_workflow_metadata');
    const workflowId = `block-${randomUUID()}`;
    const result = held(1_200, workflowId);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const queried = waiting.query('__temporal_workflow_metadata');
    expect(await result).toBe('held 1200 ms');
    await queried;
    await waiting.terminate('test over');
    expect(stuck).toHaveLength(1);
    expect(stuck[0]!.busyMs).toBeGreaterThan(300);
    expect(stuck[0]!.busyMs).toBeLessThan(1_200);
    const runId = (await client.workflow.getHandle(workflowId).describe()).runId;
    expect(stuck[0]!.run).toEqual({ workflowId, runId });
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

describe("a Tandem worker's own process", () => {
  it('ends with its exit code and a fatal line naming the run when a workflow task is stuck past the limit', async () => {
    const queue = `sandbox-stuck-${randomUUID()}`;
    const child = spawn(
      process.execPath,
      [
        createRequire(import.meta.url).resolve('tsx/cli'),
        '--conditions=tandem-source',
        fileURLToPath(new URL('./sandbox/stuck-worker.ts', import.meta.url)),
        inject('temporalAddress'),
        queue,
      ],
      { env: { ...process.env, TANDEM_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await vi.waitFor(() => expect(output).toContain('worker running'), { timeout: 60_000, interval: 100 });
      const workflowId = `stuck-${randomUUID()}`;
      // Held twice the limit: the watchdog ends the process first.
      const handle = await client.workflow.start('block', { taskQueue: queue, workflowId, args: [SANDBOX_CALL_LIMIT_MS * 2] });
      expect(await exited).toBe(SANDBOX_STUCK_EXIT_CODE);
      const fatal = output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line.level === 'fatal');
      expect(fatal).toMatchObject({ temporalWorkflowId: workflowId, temporalRunId: handle.firstExecutionRunId, limitMs: SANDBOX_CALL_LIMIT_MS });
      expect(fatal!.busyMs as number).toBeGreaterThan(SANDBOX_CALL_LIMIT_MS);
      await handle.terminate('test over');
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
