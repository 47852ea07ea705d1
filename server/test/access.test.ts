import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startApi, SUM_WORKFLOW, type Api } from './api-harness.js';

// Reading a run checks the reader's role on its workflow (one statement on SQLite, the ORM on
// PostgreSQL: server/src/db/workflow-role.ts): owner, editor, viewer, or nobody.

const READ = 'query($id: ID!) { execution(id: $id) { id status workflowId } }';
const CANCEL = 'mutation($id: ID!) { cancelExecution(id: $id) { id } }';
const SHARE = 'mutation($w: ID!, $e: String!, $r: WorkflowRole!) { shareWorkflow(workflowId: $w, email: $e, role: $r) { role } }';
const UNSHARE = 'mutation($w: ID!, $e: String!) { unshareWorkflow(workflowId: $w, email: $e) }';

describe.each(DATABASES)('who may read and control a run, on %s', (database) => {
  let api: Api;
  let owner: { token: string };
  let workflowId: string;
  let runId: string;
  beforeAll(async () => {
    // No worker: the run stays RUNNING, which is all these reads need.
    api = await startApi({ database, worker: false });
    owner = await api.user('Olive');
    workflowId = (
      await api.gql<{ createWorkflow: { id: string } }>(
        'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
        { input: { name: 'Shared', definition: SUM_WORKFLOW } },
        owner.token,
      )
    ).data!.createWorkflow.id;
    await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: workflowId }, owner.token);
    runId = (
      await api.gql<{ startExecution: { id: string } }>(
        'mutation($id: ID!) { startExecution(workflowId: $id, input: { a: 1, b: 2 }) { id } }',
        { id: workflowId },
        owner.token,
      )
    ).data!.startExecution.id;
  });
  afterAll(async () => {
    await api?.close();
  });

  const codeOf = (response: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => response.errors?.[0]?.extensions?.code;

  it('lets the owner, an editor and a viewer read the run, and nobody else learns it exists', async () => {
    expect((await api.gql(READ, { id: runId }, owner.token)).data).toEqual({ execution: { id: runId, status: 'RUNNING', workflowId } });

    const viewer = await api.user('Vera');
    const stranger = await api.user('Mallory');
    expect(codeOf(await api.gql(READ, { id: runId }, viewer.token))).toBe('NOT_FOUND');
    await api.gql(SHARE, { w: workflowId, e: viewer.email, r: 'VIEWER' }, owner.token);
    expect((await api.gql(READ, { id: runId }, viewer.token)).data).toEqual({ execution: { id: runId, status: 'RUNNING', workflowId } });

    // A viewer is told which role controlling the run needs.
    const refused = await api.gql(CANCEL, { id: runId }, viewer.token);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', role: 'VIEWER', requiredRole: 'EDITOR' });

    for (const id of [runId, 'no-such-run', 'x'.repeat(101)]) {
      const answer = await api.gql(READ, { id }, stranger.token);
      expect(codeOf(answer)).toBe('NOT_FOUND');
      expect(answer.errors?.[0]?.message).toContain(id.slice(0, 20));
    }

    // Unshared: the run is out of reach again.
    await api.gql(UNSHARE, { w: workflowId, e: viewer.email }, owner.token);
    expect(codeOf(await api.gql(READ, { id: runId }, viewer.token))).toBe('NOT_FOUND');
  });

  it('lets an editor control the run', async () => {
    const editor = await api.user('Eddie');
    await api.gql(SHARE, { w: workflowId, e: editor.email, r: 'EDITOR' }, owner.token);
    const cancelled = await api.gql(CANCEL, { id: runId }, editor.token);
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data).toEqual({ cancelExecution: { id: runId } });
  });

  it('lets the owner and an editor start a run, tells a viewer the role it needs, and hides the workflow from anybody else', async () => {
    const START = 'mutation($id: ID!) { startExecution(workflowId: $id, input: { a: 1, b: 2 }) { id workflowId versionNumber } }';
    const started = await api.gql<{ startExecution: { workflowId: string; versionNumber: number } }>(START, { id: workflowId }, owner.token);
    expect(started.errors).toBeUndefined();
    expect(started.data?.startExecution).toMatchObject({ workflowId, versionNumber: 1 });

    const [editor, viewer, stranger] = [await api.user('Edna'), await api.user('Vince'), await api.user('Mal')];
    await api.gql(SHARE, { w: workflowId, e: editor.email, r: 'EDITOR' }, owner.token);
    await api.gql(SHARE, { w: workflowId, e: viewer.email, r: 'VIEWER' }, owner.token);
    expect((await api.gql(START, { id: workflowId }, editor.token)).errors).toBeUndefined();
    expect((await api.gql(START, { id: workflowId }, viewer.token)).errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      role: 'VIEWER',
      requiredRole: 'EDITOR',
    });
    for (const id of [workflowId, 'no-such-workflow', 'x'.repeat(101)]) {
      expect(codeOf(await api.gql(START, { id }, stranger.token))).toBe('NOT_FOUND');
    }
  });
});
