import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test-support/eventually.js';
import { startApi, type Api } from './api-harness.js';

const APPROVAL = {
  format: 'tandem.workflow/v1',
  name: 'Approval',
  description: '',
  nodes: [
    { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    { id: 'approve', type: 'wait.signal', position: { x: 200, y: 0 }, config: { signal: 'approve' } },
    { id: 'out', type: 'output', position: { x: 400, y: 0 }, config: { expression: "'approved by ' & nodes.approve.by" } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'approve' },
    { id: 'e2', source: 'approve', target: 'out' },
  ],
};

const EXECUTION = `query($id: ID!) { execution(id: $id) { status result liveState } }`;

describe('controlling runs through the API', () => {
  let api: Api;
  let token: string;
  let workflowId: string;
  beforeAll(async () => {
    api = await startApi({ database: 'sqlite' });
    token = (await api.user()).token;
    const created = await api.gql<{ createWorkflow: { id: string } }>(
      'mutation($d: JSON!) { createWorkflow(input: { name: "Approval", definition: $d }) { id } }',
      { d: APPROVAL },
      token,
    );
    workflowId = created.data!.createWorkflow.id;
    await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: workflowId }, token);
  });
  afterAll(async () => {
    await api?.close();
  });

  async function start(): Promise<string> {
    const started = await api.gql<{ startExecution: { id: string } }>(
      'mutation($id: ID!) { startExecution(workflowId: $id) { id } }',
      { id: workflowId },
      token,
    );
    return started.data!.startExecution.id;
  }

  async function until(id: string, predicate: (execution: { status: string; result: unknown; liveState: Record<string, unknown> | null }) => boolean) {
    return eventually(
      async () => {
        const execution = (
          await api.gql<{ execution: { status: string; result: unknown; liveState: Record<string, unknown> | null } }>(EXECUTION, { id }, token)
        ).data!.execution;
        if (!predicate(execution)) throw new Error(`not reached; last: ${JSON.stringify(execution)}`);
        return execution;
      },
      { timeoutMs: 20_000, intervalMs: 150 },
    );
  }

  it('shows a waiting run as WAITING with what it waits for, and an approval signal completes it', async () => {
    const id = await start();
    const waiting = await until(id, (e) => e.status === 'WAITING');
    expect(waiting.liveState).toMatchObject({ status: 'WAITING', waitingFor: [{ nodeId: 'approve', signal: 'approve' }] });
    const signalled = await api.gql('mutation($id: ID!) { signalExecution(id: $id, name: "approve", payload: { by: "Ada" }) { id } }', { id }, token);
    expect(signalled.errors).toBeUndefined();
    const done = await until(id, (e) => e.status === 'COMPLETED');
    expect(done).toMatchObject({ result: 'approved by Ada', liveState: null });
  });

  it('pauses and resumes a run, with PAUSED in between', async () => {
    const id = await start();
    await until(id, (e) => e.status === 'WAITING');
    await api.gql('mutation($id: ID!) { pauseExecution(id: $id) { id } }', { id }, token);
    expect((await until(id, (e) => e.status === 'PAUSED')).liveState).toMatchObject({ paused: true });
    await api.gql('mutation($id: ID!) { resumeExecution(id: $id) { id } }', { id }, token);
    await until(id, (e) => e.status === 'WAITING');
    await api.gql('mutation($id: ID!) { signalExecution(id: $id, name: "approve", payload: { by: "Bo" }) { id } }', { id }, token);
    expect((await until(id, (e) => e.status === 'COMPLETED')).result).toBe('approved by Bo');
  });

  it('cancels a run, and refuses to control one that has ended', async () => {
    const id = await start();
    await until(id, (e) => e.status === 'WAITING');
    await api.gql('mutation($id: ID!) { cancelExecution(id: $id) { id } }', { id }, token);
    await until(id, (e) => e.status === 'CANCELLED');
    const late = await api.gql('mutation($id: ID!) { signalExecution(id: $id, name: "approve") { id } }', { id }, token);
    expect(late.errors![0]!.extensions!.code).toBe('CONFLICT');
    const badName = await api.gql('mutation($id: ID!) { signalExecution(id: $id, name: "no spaces allowed") { id } }', { id }, token);
    expect(badName.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });
});
