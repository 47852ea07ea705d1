import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startApi, SUM_WORKFLOW, type Api } from './api-harness.js';

// Temporal refuses the start (here: a namespace it does not have): the run's row must say so.
describe.each(DATABASES)('a run Temporal refuses to start, on %s', (database) => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi({ database, worker: false, config: { temporalNamespace: 'no-such-namespace' } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('is stored as FAILED with the reason, and the mutation reports the error', async () => {
    const { token } = await api.user();
    const created = await api.gql<{ createWorkflow: { id: string } }>(
      'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
      { input: { name: 'W', definition: SUM_WORKFLOW } },
      token,
    );
    const workflowId = created.data!.createWorkflow.id;
    await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: workflowId }, token);
    const started = await api.gql('mutation($id: ID!) { startExecution(workflowId: $id, input: { a: 1, b: 2 }) { id } }', { id: workflowId }, token);
    expect(started.errors).toBeDefined();
    const runs = await api.gql<{
      workflow: { executions: { edges: Array<{ node: { status: string; error: { message: string } | null; finishedAt: string | null } }> } };
    }>('query($id: ID!) { workflow(id: $id) { executions(first: 5) { edges { node { status error finishedAt } } } } }', { id: workflowId }, token);
    expect(runs.errors).toBeUndefined();
    const [run] = runs.data!.workflow.executions.edges.map((edge) => edge.node);
    expect(run).toMatchObject({ status: 'FAILED' });
    expect(run!.error!.message).toMatch(/^the run could not be started: /);
    expect(run!.finishedAt).not.toBeNull();
  });
});
