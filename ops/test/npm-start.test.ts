import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { REPO_ROOT } from '@tandem/ops';
import { eventually } from '../../test-support/eventually.js';
import { freePort } from '../../test-support/free-port.js';
import { deployWorkflow, startTandemProcess, tandemGql, type StartedTandem } from '../../test-support/tandem-process.js';

// `npm start` as a user runs it (built, as `npm start` builds first): API server in the process, the
// worker in a supervised child. A run that used to abort the worker process took the API down
// with it and crash-looped on every restart.

let dataDir: string;
let port: number;
let tandem: StartedTandem | undefined;

function startTandem(): Promise<StartedTandem> {
  return startTandemProcess({ port, dataDir, temporalAddress: inject('temporalAddress') });
}

function gql<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  return tandemGql<T>(`http://127.0.0.1:${port}`, query, variables, token);
}

function workflow(nodes: Array<{ id: string; type: string; config?: Record<string, unknown> }>): unknown {
  return {
    format: 'tandem.workflow/v1',
    name: 'w',
    description: '',
    nodes: nodes.map((n, i) => ({ id: n.id, type: n.type, position: { x: i * 200, y: 0 }, config: n.config ?? {} })),
    edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: n.id })),
  };
}

let token: string;

function deploy(definition: unknown): Promise<string> {
  return deployWorkflow(`http://127.0.0.1:${port}`, definition, token);
}

async function run(workflowId: string, input: unknown = {}): Promise<{ status: string; result: unknown; error: { message: string } | null }> {
  const { startExecution } = await gql<{ startExecution: { id: string } }>(
    'mutation($id: ID!, $input: JSON) { startExecution(workflowId: $id, input: $input) { id } }',
    { id: workflowId, input },
    token,
  );
  let execution!: { status: string; result: unknown; error: { message: string } | null };
  await eventually(
    async () => {
      ({ execution } = await gql<{ execution: typeof execution }>(
        'query($id: ID!) { execution(id: $id) { status result error } }',
        { id: startExecution.id },
        token,
      ));
      expect(['COMPLETED', 'FAILED', 'CANCELLED']).toContain(execution.status);
    },
    { timeoutMs: 60_000 },
  );
  return execution;
}

const sum = workflow([
  { id: 't', type: 'trigger.manual' },
  { id: 'out', type: 'output', config: { expression: 'input.a + input.b' } },
]);
const pad = "{{ $pad('x', 100000) }}";
const poisoned = workflow([
  { id: 't', type: 'trigger.manual' },
  { id: 'boom', type: 'fail', config: { message: `${pad}${pad}${pad}` } },
]);

beforeAll(async () => {
  // What `npm start` does before it starts (tsc emits the decorator metadata the API needs).
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, [join(REPO_ROOT, 'worker/dist/write-bundle.js')], { cwd: REPO_ROOT, stdio: 'inherit' });
  dataDir = mkdtempSync(join(tmpdir(), 'tandem-start-'));
  port = await freePort();
  tandem = await startTandem();
  const { signUp } = await gql<{ signUp: { token: string } }>(
    'mutation { signUp(email: "ops@example.com", password: "correct horse battery", name: "Ops") { token } }',
  );
  token = signUp.token;
}, 600_000);

afterAll(async () => {
  await tandem?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('runs the worker in its own process on a task queue of this installation', () => {
    expect(tandem!.output()).toMatch(/worker process started \(pid \d+\)/);
    expect(tandem!.output()).toMatch(/worker polling task queue \\"tandem-[0-9a-f]{8}\\"/);
  });

  it('a poisoned run fails with a clear error; the API and other runs are unaffected', async () => {
    const [bad, good] = await Promise.all([deploy(poisoned), deploy(sum)]);
    const [failed, completed] = await Promise.all([run(bad), run(good, { a: 1, b: 2 })]);
    expect(failed.status).toBe('FAILED');
    expect(failed.error?.message).toMatch(/^node "boom" \(fail\) failed: x {10}/);
    expect(failed.error!.message.length).toBeLessThan(5_000);
    expect(completed).toMatchObject({ status: 'COMPLETED', result: 3 });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(tandem!.output()).not.toContain('async hook stack');
  });

  it('when the worker process dies, the API keeps answering and the worker is restarted', async () => {
    const pid = Number(/worker process started \(pid (\d+)\)/.exec(tandem!.output())![1]);
    process.kill(pid, 'SIGKILL');
    await eventually(() => expect(tandem!.output()).toContain('the worker process died (SIGKILL)'), { timeoutMs: 10_000 });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await eventually(() => expect(tandem!.output().match(/worker process started/g)).toHaveLength(2), { timeoutMs: 30_000 });
    const good = await deploy(sum);
    expect(await run(good, { a: 20, b: 22 })).toMatchObject({ status: 'COMPLETED', result: 42 });
  });

  it('a restart serves the same installation, queue and runs, without crashing', async () => {
    const queue = /worker polling task queue \\"([^"\\]+)\\"/.exec(tandem!.output())![1];
    expect(await tandem!.stop()).toBe(0);
    tandem = await startTandem();
    expect(tandem.output()).toContain(`worker polling task queue \\"${queue}\\"`);
    const good = await deploy(sum);
    expect(await run(good, { a: 1, b: 1 })).toMatchObject({ status: 'COMPLETED', result: 2 });
    expect(tandem.output()).not.toContain('async hook stack');
  });
});
