import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { compileWorkflow } from '@tandem/schema';
import { createTandemWorker, InProcessEventBus, INTERPRETER_WORKFLOW, interpreterWorkflowId } from '@tandem/worker';
import { listInterpreterRuns, REPO_ROOT, replayCheck, replayWorkflow, runReplayCommand, summaryTable, workflowIdOf } from '@tandem/ops';
import { eventually } from '../../test-support/eventually.js';

/**
 * `npm run workflow -- replay` and `replay-check` against the suite's Temporal: runs made by a
 * real worker replay OK with the code that made them, and a build that would decide otherwise
 * (here: a bundle whose delay node no longer sleeps) is reported as non-deterministic.
 */
let connection: Connection;
let client: Client;
let nativeConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let dir: string;
let goodBundle: string;
let changedBundle: string;
const taskQueue = `replay-cli-${randomUUID()}`;
const executionIds: string[] = [];

/** trigger -> delay -> output: the delay is a Temporal timer the changed bundle does not start. */
const document = {
  format: 'tandem.workflow/v1',
  name: 'replay',
  description: '',
  params: {},
  nodes: [
    { id: 't', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    { id: 'wait', type: 'delay', position: { x: 200, y: 0 }, config: { durationMs: 20 } },
    { id: 'out', type: 'output', position: { x: 400, y: 0 }, config: { expression: 'input.n * 2' } },
  ],
  edges: [
    { id: 'e0', source: 't', target: 'wait' },
    { id: 'e1', source: 'wait', target: 'out' },
  ],
};

const quiet = { log: () => {}, progress: () => {} };
const context = (lines: string[] = []) => ({
  address: inject('temporalAddress'),
  namespace: 'default',
  log: (line: string) => lines.push(line),
  progress: (line: string) => lines.push(line),
});

beforeAll(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Installed by an earlier file in this process.
  }
  dir = mkdtempSync(join(tmpdir(), 'tandem-replay-'));
  goodBundle = inject('workflowBundlePath');
  const code = readFileSync(goodBundle, 'utf8');
  const at = code.indexOf('config.durationMs > 0');
  expect(at, 'the delay executor is in the bundle').toBeGreaterThan(0);
  // The next build "forgets" the delay node's timer: runs in flight recorded one.
  changedBundle = join(dir, 'changed-bundle.js');
  writeFileSync(changedBundle, code.replace('config.durationMs > 0', 'config.durationMs < 0'));

  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
  nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
  worker = await createTandemWorker({ connection: nativeConnection, taskQueue, bus: new InProcessEventBus(), workflowBundle: { code } });
  running = worker.run();

  const compiled = compileWorkflow(document);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  for (let n = 1; n <= 3; n++) {
    const executionId = randomUUID();
    executionIds.push(executionId);
    const handle = await client.workflow.start(INTERPRETER_WORKFLOW, {
      taskQueue,
      workflowId: interpreterWorkflowId(executionId),
      args: [{ executionId, plan: compiled.plan, input: { n } }],
    });
    expect(await handle.result()).toBe(n * 2);
  }
  // Visibility is eventually consistent: wait until the listing shows the three closed runs.
  await eventually(async () => {
    const runs = await listInterpreterRuns(client, { limit: 10, taskQueue });
    expect(runs.filter((r) => r.status.name === 'COMPLETED')).toHaveLength(3);
  });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await nativeConnection?.close();
  await connection?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('replay', () => {
  it('resolves execution ids to the interpreter workflow id and keeps workflow ids', () => {
    expect(workflowIdOf('0b6c')).toBe('tandem-0b6c');
    expect(workflowIdOf('tandem-s-abc-2024')).toBe('tandem-s-abc-2024');
    expect(workflowIdOf('orders-42', true)).toBe('orders-42');
  });

  it('replays one run OK with the build that ran it', async () => {
    const report = await replayWorkflow(client, workflowIdOf(executionIds[0]!), { workflowBundle: { codePath: goodBundle } });
    expect(report.ok).toBe(true);
    expect(report.rows).toEqual([expect.objectContaining({ workflowId: interpreterWorkflowId(executionIds[0]!), verdict: 'ok' })]);
  });

  it('reports non-determinism for a build that decides otherwise', async () => {
    const report = await replayWorkflow(client, workflowIdOf(executionIds[0]!), { workflowBundle: { codePath: changedBundle } });
    expect(report.ok).toBe(false);
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]!.verdict).toBe('nondeterminism');
    expect(report.rows[0]!.message).toMatch(/nondeterminism/i);
  });

  it('prints OK per run and exits 0, or 1 for an unknown run, or 2 for bad usage', async () => {
    const lines: string[] = [];
    expect(await runReplayCommand('replay', [executionIds[1]!, '--bundle', goodBundle], context(lines))).toBe(0);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^tandem-${executionIds[1]} \\S+: OK$`))]);
    const missing: string[] = [];
    expect(await runReplayCommand('replay', ['--workflow-id', `nothing-${randomUUID()}`, '--bundle', goodBundle], context(missing))).toBe(1);
    expect(missing.join('\n')).toMatch(/replay failed: .*not found/i);
    expect(await runReplayCommand('replay', [], { ...context(), ...quiet })).toBe(2);
    expect(await runReplayCommand('replay-check', ['--limit', 'many'], { ...context(), ...quiet })).toBe(2);
  });
});

describe('replay-check', () => {
  it('replays the most recent runs of the task queue, all OK, with progress and a summary', async () => {
    const progress: string[] = [];
    const report = await replayCheck(client, {
      limit: 50,
      taskQueue,
      workflowBundle: { codePath: goodBundle },
      onResult: (_row, index, total) => progress.push(`${index}/${total}`),
    });
    expect(report.ok).toBe(true);
    expect(report.rows.map((r) => r.workflowId).sort()).toEqual(executionIds.map(interpreterWorkflowId).sort());
    expect(report.rows.every((r) => r.verdict === 'ok' && r.status === 'COMPLETED')).toBe(true);
    expect(progress).toEqual(['1/3', '2/3', '3/3']);
    expect(summaryTable(report.rows)).toMatch(/3 runs replayed: 3 OK, 0 non-deterministic, 0 failed$/);
  });

  it('stops at --limit', async () => {
    const report = await replayCheck(client, { limit: 2, taskQueue, workflowBundle: { codePath: goodBundle } });
    expect(report.rows).toHaveLength(2);
  });

  it('reports every run as non-deterministic against the changed build, and fails', async () => {
    const lines: string[] = [];
    const code = await runReplayCommand('replay-check', ['--task-queue', taskQueue, '--bundle', changedBundle], context(lines));
    expect(code).toBe(1);
    const out = lines.join('\n');
    expect(out).toContain('3 runs replayed: 0 OK, 3 non-deterministic, 0 failed');
    expect(out).toMatch(/^3\/3 tandem-\S+ \S+ \(COMPLETED\): NON-DETERMINISM: /m);
  });

  it('exits non-zero from the command line when a run would break', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        let output = '';
        const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=tandem-source', join(REPO_ROOT, 'ops/src/cli.ts'), ...args], {
          cwd: REPO_ROOT,
          env: { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: 'default' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.once('exit', (code) => resolve({ code, output }));
      });
    const broken = await run(['replay-check', '--task-queue', taskQueue, '--bundle', changedBundle]);
    expect(broken.output).toContain('3 runs replayed: 0 OK, 3 non-deterministic, 0 failed');
    expect(broken.code).toBe(1);
    // The verdicts say it; the SDK core's own non-determinism warnings stay out of the output.
    expect(broken.output).not.toMatch(/\bWARN\b/);
    const fine = await run(['replay', executionIds[2]!, '--bundle', goodBundle]);
    expect(fine.output).toMatch(/: OK$/m);
    expect(fine.code).toBe(0);
  });
});
