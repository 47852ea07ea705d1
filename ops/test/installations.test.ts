import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { assertQueueNotShared, quarantinePoisonedRuns, QueueSharedError } from '@tandem/ops';
import { loadInstallation, readServerConfig, startTandemServer, type TandemServer } from '@tandem/server';
import { createTandemWorker, InProcessEventBus, QUARANTINE_REASON, workerIdentity } from '@tandem/worker';
import { eventually } from '../../test-support/eventually.js';

// Two Tandem installations pointed at one Temporal server. With one shared default queue,
// each one's worker ran the other's runs, and the events went to the wrong installation.

interface Installation {
  server: TandemServer;
  worker: Worker;
  running: Promise<void>;
  dataDir: string;
  gql<T>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T>;
}

let connection: NativeConnection;
let temporal: Connection;
const installations: Installation[] = [];

async function install(): Promise<Installation> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-installation-'));
  const bus = new InProcessEventBus();
  const config = { ...readServerConfig({}), port: 0, host: '127.0.0.1', dataDir, temporalAddress: inject('temporalAddress'), taskQueue: undefined };
  const server = await startTandemServer({ config, bus, log: () => {} });
  const worker = await createTandemWorker({
    connection,
    taskQueue: server.taskQueue,
    bus,
    identity: workerIdentity(server.installation.id, hostname(), process.pid),
    workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') },
  });
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };
  const installation = { server, worker, running: worker.run(), dataDir, gql };
  installations.push(installation);
  return installation;
}

const sum = {
  format: 'tandem.workflow/v1',
  name: 'Sum',
  description: '',
  nodes: [
    { id: 't', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    { id: 'out', type: 'output', position: { x: 200, y: 0 }, config: { expression: 'input.a + input.b' } },
  ],
  edges: [{ id: 'e', source: 't', target: 'out' }],
};

/** Signs up, deploys Sum, runs it and returns the stored run with its events. */
async function runSum(tandem: Installation) {
  const { signUp } = await tandem.gql<{ signUp: { token: string } }>(
    'mutation($email: String!) { signUp(email: $email, password: "correct horse battery", name: "Ada") { token } }',
    { email: `ada-${randomUUID()}@example.com` },
  );
  const token = signUp.token;
  const { createWorkflow } = await tandem.gql<{ createWorkflow: { id: string } }>(
    'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
    { input: { name: 'Sum', description: '', definition: sum } },
    token,
  );
  await tandem.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: createWorkflow.id }, token);
  const { startExecution } = await tandem.gql<{ startExecution: { id: string } }>(
    'mutation($id: ID!) { startExecution(workflowId: $id, input: {a: 2, b: 3}) { id } }',
    { id: createWorkflow.id },
    token,
  );
  type Run = { status: string; result: unknown; events: { totalCount: number; edges: Array<{ node: { type: string } }> } };
  let execution!: Run;
  await eventually(
    async () => {
      ({ execution } = await tandem.gql<{ execution: Run }>(
        'query($id: ID!) { execution(id: $id) { status result events(first: 50) { totalCount edges { node { type } } } } }',
        { id: startExecution.id },
        token,
      ));
      expect(execution.status).toBe('COMPLETED');
      expect(execution.events.edges.map((e) => e.node.type)).toContain('EXECUTION_COMPLETED');
    },
    { timeoutMs: 30_000 },
  );
  return execution;
}

beforeAll(async () => {
  connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  temporal = await Connection.connect({ address: inject('temporalAddress') });
});

afterAll(async () => {
  for (const tandem of installations) {
    await tandem.server.close();
    tandem.worker.shutdown();
    await tandem.running;
    rmSync(tandem.dataDir, { recursive: true, force: true });
  }
  await connection?.close();
  await temporal?.close();
});

describe('installations on one Temporal server', () => {
  it('each gets a task queue of its own, and runs only its own runs with all their events', async () => {
    const [a, b] = [await install(), await install()];
    expect(a.server.taskQueue).toMatch(/^tandem-[0-9a-f]{8}$/);
    expect(b.server.taskQueue).not.toBe(a.server.taskQueue);
    const runs = await Promise.all([runSum(a), runSum(b), runSum(a), runSum(b)]);
    for (const run of runs) {
      expect(run.result).toBe(5);
      expect(run.events.totalCount).toBe(6);
    }
  });

  it('keeps its queue across restarts (it is stored), and an installation with history keeps the old shared queue', async () => {
    const a = installations[0]!;
    expect(await loadInstallation(a.server.db)).toEqual(a.server.installation);
    // An installation from before per-installation queues: it has deployed and run workflows.
    const sql = a.server.db.em.getConnection();
    await sql.execute('delete from server_secrets where name = ?', ['installation-task-queue']);
    expect((await loadInstallation(a.server.db)).taskQueue).toBe('tandem');
    await sql.execute('update server_secrets set value = ? where name = ?', [a.server.taskQueue, 'installation-task-queue']);
  });

  it("refuses to serve a queue another installation's workers poll", async () => {
    const [a, b] = installations;
    await expect(assertQueueNotShared(temporal, 'default', a!.server.taskQueue, b!.server.installation.id)).rejects.toThrow(QueueSharedError);
    await expect(assertQueueNotShared(temporal, 'default', a!.server.taskQueue, b!.server.installation.id)).rejects.toThrow(/another Tandem installation/);
    await expect(assertQueueNotShared(temporal, 'default', a!.server.taskQueue, a!.server.installation.id)).resolves.toBeUndefined();
  });
});

describe('quarantine', () => {
  it('terminates a run whose workflow task keeps failing, with a reason that says so, and leaves healthy runs alone', async () => {
    const a = installations[0]!;
    const client = new Client({ connection: temporal });
    // A workflow type the worker does not have: every workflow task fails, as a poisoned one would.
    const poisoned = await client.workflow.start('noSuchWorkflow', { taskQueue: a.server.taskQueue, workflowId: `poison-${randomUUID()}`, args: [] });
    const healthy = await client.workflow.start('interpreterWorkflow', {
      taskQueue: `idle-${randomUUID()}`,
      workflowId: `idle-${randomUUID()}`,
      args: [],
    });
    await eventually(
      async () => {
        const attempt = (await poisoned.describe()).raw.pendingWorkflowTask?.attempt ?? 0;
        expect(attempt).toBeGreaterThanOrEqual(3);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const quarantined = await quarantinePoisonedRuns(client, a.server.taskQueue);
    expect(quarantined).toEqual([poisoned.workflowId]);
    expect((await poisoned.describe()).status.name).toBe('TERMINATED');
    const history = await poisoned.fetchHistory();
    const reason = history.events!.at(-1)!.workflowExecutionTerminatedEventAttributes!.reason!;
    expect(reason.startsWith(QUARANTINE_REASON)).toBe(true);
    expect((await healthy.describe()).status.name).toBe('RUNNING');
    await healthy.terminate();
  });

  it('a quarantined Tandem run is stored as FAILED with the reason; one terminated by hand as CANCELLED', async () => {
    const a = installations[0]!;
    const { signUp } = await a.gql<{ signUp: { token: string } }>(
      'mutation { signUp(email: "q@example.com", password: "correct horse battery", name: "Q") { token } }',
    );
    const waiting = { ...sum, nodes: [sum.nodes[0], { id: 'out', type: 'wait.signal', position: { x: 200, y: 0 }, config: { signal: 'go' } }] };
    const { createWorkflow } = await a.gql<{ createWorkflow: { id: string } }>(
      'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
      { input: { name: 'W', description: '', definition: waiting } },
      signUp.token,
    );
    await a.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: createWorkflow.id }, signUp.token);
    const client = new Client({ connection: temporal });
    const outcome = async (reason: string) => {
      const { startExecution } = await a.gql<{ startExecution: { id: string; temporalWorkflowId: string } }>(
        'mutation($id: ID!) { startExecution(workflowId: $id) { id temporalWorkflowId } }',
        { id: createWorkflow.id },
        signUp.token,
      );
      await client.workflow.getHandle(startExecution.temporalWorkflowId).terminate(reason);
      const row = await a.server.db.em.fork().findOneOrFail('Execution', { id: startExecution.id });
      return a.server.services.executions.reconcile(row as never);
    };
    expect(await outcome(`${QUARANTINE_REASON}: its workflow task failed 3 times`)).toMatchObject({
      status: 'FAILED',
      error: { message: `${QUARANTINE_REASON}: its workflow task failed 3 times` },
    });
    expect(await outcome('stopped by an operator')).toMatchObject({ status: 'CANCELLED' });
  });
});
