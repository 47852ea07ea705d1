import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test-support/eventually.js';
import { collect, startApi, type Api } from './api-harness.js';

const doc = (name: string, nodes: Array<{ id: string; type: string; config?: Record<string, unknown> }>, edges: Array<[string, string]>) => ({
  format: 'tandem.workflow/v1',
  name,
  description: '',
  nodes: nodes.map((n, i) => ({ id: n.id, type: n.type, position: { x: i * 200, y: 0 }, config: n.config ?? {} })),
  edges: edges.map(([source, target], i) => ({ id: `e${i}`, source, target })),
});

describe('sub-workflows', () => {
  let api: Api;
  let token: string;
  beforeAll(async () => {
    api = await startApi({ database: 'sqlite' });
    token = (await api.user()).token;
  });
  afterAll(async () => {
    await api?.close();
  });

  async function create(definition: unknown, deploy = true): Promise<string> {
    const created = await api.gql<{ createWorkflow: { id: string } }>(
      'mutation($d: JSON!) { createWorkflow(input: { name: "W", definition: $d }) { id } }',
      { d: definition },
      token,
    );
    const id = created.data!.createWorkflow.id;
    if (deploy) await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id }, token);
    return id;
  }

  const parentOf = (childId: string) =>
    doc(
      'Parent',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'call', type: 'subworkflow', config: { workflowId: childId, inputExpression: "{ 'x': input.n }" } },
        { id: 'out', type: 'output', config: { expression: 'nodes.call + 1' } },
      ],
      [
        ['t', 'call'],
        ['call', 'out'],
      ],
    );

  async function run(workflowId: string, input: unknown) {
    const started = await api.gql<{ startExecution: { id: string } }>(
      'mutation($id: ID!, $input: JSON) { startExecution(workflowId: $id, input: $input) { id } }',
      { id: workflowId, input },
      token,
    );
    if (started.errors) return { errors: started.errors };
    const id = started.data!.startExecution.id;
    const stream = collect(api.ws(token), 'subscription($id: ID!) { executionEvents(executionId: $id) { type } }', { id });
    await stream.done;
    const execution = await api.gql<{
      execution: { status: string; result: unknown; error: { message: string } | null; children: Array<Record<string, unknown>> };
    }>('query($id: ID!) { execution(id: $id) { status result error children { status result parentExecutionId parentNodeId } } }', { id }, token);
    return { id, execution: execution.data!.execution };
  }

  it('runs a deployed workflow as a child, returns its result, and links the two runs', async () => {
    const child = await create(
      doc(
        'Double',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'out', type: 'output', config: { expression: 'input.x * 2' } },
        ],
        [['t', 'out']],
      ),
    );
    const parent = await create(parentOf(child));
    const outcome = await run(parent, { n: 20 });
    expect(outcome.execution).toMatchObject({ status: 'COMPLETED', result: 41 });
    // The child's row appears when its first event is stored.
    const children = await eventually(
      async () => {
        const found = (
          await api.gql<{ execution: { children: Array<Record<string, unknown>> } }>(
            'query($id: ID!) { execution(id: $id) { children { status result parentExecutionId parentNodeId } } }',
            { id: outcome.id },
            token,
          )
        ).data!.execution.children;
        return found.length > 0 && found;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: "the child's row" },
    );
    expect(children).toEqual([{ status: 'COMPLETED', result: 40, parentExecutionId: outcome.id, parentNodeId: 'call' }]);
  });

  it('fails the parent naming its node when the child fails', async () => {
    const child = await create(
      doc(
        'Broken',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'stop', type: 'fail', config: { message: 'no stock for {{ input.x }}' } },
        ],
        [['t', 'stop']],
      ),
    );
    const outcome = await run(await create(parentOf(child)), { n: 7 });
    expect(outcome.execution!.status).toBe('FAILED');
    expect(outcome.execution!.error!.message).toMatch(/node "call" \(subworkflow\) failed: sub-workflow failed: .*no stock for 7/);
  });

  it('refuses to start when a sub-workflow is not deployed, or when sub-workflows form a cycle', async () => {
    const draft = await create(doc('Draft', [{ id: 't', type: 'trigger.manual' }], []), false);
    const missing = await run(await create(parentOf(draft)), { n: 1 });
    expect(missing.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(missing.errors![0]!.message).toContain('node "call"');
    const a = await create(doc('A', [{ id: 't', type: 'trigger.manual' }], []));
    const b = await create(parentOf(a));
    await api.gql('mutation($id: ID!, $d: JSON!) { updateWorkflowDefinition(id: $id, definition: $d) { id } }', { id: a, d: parentOf(b) }, token);
    await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: a }, token);
    const cycle = await run(a, { n: 1 });
    expect(cycle.errors![0]!.message).toContain('cycle');
  });
});
