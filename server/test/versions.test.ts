import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../test-support/eventually.js';
import { DATABASES, startApi, type Api } from './api-harness.js';

/** A workflow whose version 1 and 2 differ in a transform, a moved node, a label and the webhook path. */
const document = (variant: 1 | 2, extra: { schedule?: boolean } = {}) => ({
  format: 'tandem.workflow/v1',
  name: 'Orders',
  description: '',
  params: { rate: variant === 1 ? 2 : 3 },
  nodes: [
    { id: 'manual', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    {
      id: 'hook',
      type: 'trigger.webhook',
      position: { x: 0, y: 100 },
      config: { path: variant === 1 ? 'orders/v1' : 'orders/v2', respond: true, responseTimeoutMs: 20_000 },
    },
    ...(extra.schedule ? [{ id: 'nightly', type: 'trigger.schedule', position: { x: 0, y: 200 }, config: { cron: '0 3 * * *' } }] : []),
    {
      id: 'price',
      type: 'transform',
      ...(variant === 2 ? { name: 'Price' } : {}),
      position: { x: 200, y: 0 },
      config: { expression: variant === 1 ? "{ 'total': input.a * params.rate }" : "{ 'total': input.a * params.rate + 1 }" },
    },
    { id: 'out', type: 'output', position: variant === 1 ? { x: 400, y: 0 } : { x: 420, y: 60 }, config: { expression: 'nodes.price' } },
  ],
  edges: [
    { id: 'e0', source: 'manual', target: 'price' },
    { id: 'e1', source: 'hook', target: 'price' },
    ...(extra.schedule ? [{ id: 'e2', source: 'nightly', target: 'price' }] : []),
    { id: 'e3', source: 'price', target: 'out' },
  ],
});

const DIFF = `query($id: ID!, $from: WorkflowRevision!, $to: WorkflowRevision!) {
  workflowDiff(workflowId: $id, from: $from, to: $to) {
    fromVersion toVersion identical
    metadata { field before after }
    params { name change before after }
    nodes { nodeId change mark name { before after } position { before after } config { field change kind before after text { op text } } }
    edges { edgeId change }
    toDefinition
  }
}`;

interface Diff {
  fromVersion: number | null;
  toVersion: number | null;
  identical: boolean;
  params: unknown[];
  nodes: Array<{
    nodeId: string;
    change: string;
    mark: string;
    name: unknown;
    position: unknown;
    config: Array<{ field: string; change: string; kind: string; text: Array<{ op: string; text: string }> }>;
  }>;
  edges: Array<{ edgeId: string; change: string }>;
  toDefinition: { nodes: unknown[] };
}

describe.each(DATABASES)('version history on %s', (database) => {
  let api: Api;
  let owner: { token: string };
  let viewer: { token: string; email: string };
  let workflowId: string;
  beforeAll(async () => {
    api = await startApi({ database });
    owner = await api.user('Ada');
    viewer = await api.user('Vic');
    const created = await api.gql<{ createWorkflow: { id: string } }>(
      'mutation($d: JSON!) { createWorkflow(input: { name: "Orders", definition: $d }) { id } }',
      { d: document(1) },
      owner.token,
    );
    workflowId = created.data!.createWorkflow.id;
    await api.gql(
      'mutation($id: ID!, $e: String!) { shareWorkflow(workflowId: $id, email: $e, role: VIEWER) { role } }',
      { id: workflowId, e: viewer.email },
      owner.token,
    );
  });
  afterAll(async () => {
    await api?.gql('mutation($id: ID!) { deleteWorkflow(id: $id) }', { id: workflowId }, owner.token).catch(() => {});
    await api?.close();
  });

  const deploy = async (message: string) => {
    const result = await api.gql<{ deployWorkflow: { number: number } }>(
      'mutation($id: ID!, $m: String) { deployWorkflow(id: $id, message: $m) { number } }',
      { id: workflowId, m: message },
      owner.token,
    );
    expect(result.errors).toBeUndefined();
    return result.data!.deployWorkflow.number;
  };
  const update = (definition: unknown, token = owner.token) =>
    api.gql<{ updateWorkflowDefinition: { problems: Array<{ code: string; nodeId: string | null; message: string }> } }>(
      'mutation($id: ID!, $d: JSON!) { updateWorkflowDefinition(id: $id, definition: $d) { problems { code nodeId message } } }',
      { id: workflowId, d: definition },
      token,
    );
  const diff = (from: number | null, to: number | null, token = owner.token) =>
    api.gql<{ workflowDiff: Diff }>(DIFF, { id: workflowId, from: { version: from }, to: { version: to } }, token);

  it('compares two versions, and a version with the draft, for anyone who may read the workflow', async () => {
    expect(await deploy('first')).toBe(1);
    expect((await update(document(2))).errors).toBeUndefined();
    expect(await deploy('second')).toBe(2);

    const result = await diff(1, 2, viewer.token);
    expect(result.errors).toBeUndefined();
    const d = result.data!.workflowDiff;
    expect(d).toMatchObject({ fromVersion: 1, toVersion: 2, identical: false, params: [{ name: 'rate', change: 'CHANGED', before: 2, after: 3 }], edges: [] });
    expect(d.nodes.map((n) => [n.nodeId, n.change, n.mark])).toEqual([
      ['hook', 'CHANGED', 'CHANGED'],
      ['out', 'CHANGED', 'MOVED'],
      ['price', 'CHANGED', 'CHANGED'],
    ]);
    const price = d.nodes.find((n) => n.nodeId === 'price')!;
    expect(price.name).toEqual({ before: null, after: 'Price' });
    expect(price.config).toEqual([
      {
        field: 'expression',
        change: 'CHANGED',
        kind: 'EXPRESSION',
        before: "{ 'total': input.a * params.rate }",
        after: "{ 'total': input.a * params.rate + 1 }",
        text: [
          { op: 'EQUAL', text: "{ 'total': input.a * params.rate " },
          { op: 'INSERT', text: '+ 1 ' },
          { op: 'EQUAL', text: '}' },
        ],
      },
    ]);
    expect(d.nodes.find((n) => n.nodeId === 'hook')!.config[0]).toMatchObject({ field: 'path', kind: 'LITERAL' });

    // The draft, with a node added since version 2; the draft on both sides is identical.
    const draft = document(2);
    draft.nodes.push({ id: 'note', type: 'transform', position: { x: 600, y: 0 }, config: { expression: '1' } });
    expect((await update(draft)).errors).toBeUndefined();
    const toDraft = (await diff(2, null, viewer.token)).data!.workflowDiff;
    expect(toDraft).toMatchObject({ fromVersion: 2, toVersion: null, nodes: [{ nodeId: 'note', change: 'ADDED', mark: 'ADDED' }] });
    expect(toDraft.toDefinition.nodes).toHaveLength(5);
    expect((await diff(null, null)).data!.workflowDiff.identical).toBe(true);

    expect((await diff(1, 9)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const stranger = await api.user('Eve');
    expect((await diff(1, 2, stranger.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('stores an incomplete draft and returns its problems; deploy refuses it; a malformed one is refused naming the node', async () => {
    const draft = document(2);
    draft.nodes.push({ id: 'loose', type: 'transform', position: { x: 0, y: 300 }, config: { expression: '' } });
    const stored = await update(draft);
    expect(stored.errors).toBeUndefined();
    const problems = stored.data!.updateWorkflowDefinition.problems;
    expect(problems.filter((p) => p.nodeId === 'loose').map((p) => p.code)).toContain('unreachable');
    expect(problems.every((p) => p.nodeId === 'loose')).toBe(true);
    const exported = await api.gql<{ exportWorkflow: { nodes: Array<{ id: string }> } }>(
      'query($id: ID!) { exportWorkflow(id: $id) }',
      { id: workflowId },
      owner.token,
    );
    expect(exported.data!.exportWorkflow.nodes.map((n) => n.id)).toContain('loose');

    const refused = await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: workflowId }, owner.token);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toContain('loose');

    const malformed = document(2);
    (malformed.nodes[2] as Record<string, unknown>).position = 'left';
    const bad = await update(malformed);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toMatch(/not a well-formed.*node "price"/);
    expect(bad.errors?.[0]?.extensions?.problems).toEqual([expect.objectContaining({ nodeId: 'price', path: 'nodes[2].position' })]);
    // The refused document changed nothing.
    const after = await api.gql<{ exportWorkflow: { nodes: Array<{ id: string }> } }>(
      'query($id: ID!) { exportWorkflow(id: $id) }',
      { id: workflowId },
      owner.token,
    );
    expect(after.data!.exportWorkflow.nodes.map((n) => n.id)).toContain('loose');
  });

  it('restores a version into the draft, and shows each version’s runs and success rate', async () => {
    const restored = await api.gql<{ restoreWorkflowVersion: { problems: unknown[] } }>(
      'mutation($id: ID!) { restoreWorkflowVersion(id: $id, version: 1) { problems { code } } }',
      { id: workflowId },
      owner.token,
    );
    expect(restored.data!.restoreWorkflowVersion.problems).toEqual([]);
    expect((await diff(1, null)).data!.workflowDiff.identical).toBe(true);
    expect(
      (await api.gql('mutation($id: ID!) { restoreWorkflowVersion(id: $id, version: 1) { id } }', { id: workflowId }, viewer.token)).errors?.[0]?.extensions
        ?.code,
    ).toBe('FORBIDDEN');

    const start = (version: number, input: unknown) =>
      api.gql<{ startExecution: { id: string } }>(
        'mutation($id: ID!, $v: Int, $i: JSON) { startExecution(workflowId: $id, version: $v, input: $i) { id } }',
        { id: workflowId, v: version, i: input },
        owner.token,
      );
    // Version 1: one success and one failure (a string times a number); version 2: one success.
    const ids = [
      (await start(1, { a: 2 })).data!.startExecution.id,
      (await start(1, { a: 'x' })).data!.startExecution.id,
      (await start(2, { a: 1 })).data!.startExecution.id,
    ];
    await eventually(
      async () => {
        const runs = await Promise.all(
          ids.map((id) => api.gql<{ execution: { status: string } }>('query($id: ID!) { execution(id: $id) { status } }', { id }, owner.token)),
        );
        return runs.every((r) => ['COMPLETED', 'FAILED'].includes(r.data!.execution.status));
      },
      { timeoutMs: 30_000, what: 'three finished runs' },
    );
    const versions = await api.gql<{
      workflow: { versions: { edges: Array<{ node: { number: number; runCount: number; finishedRunCount: number; successRate: number | null } }> } };
    }>(
      'query($id: ID!) { workflow(id: $id) { versions { edges { node { number runCount finishedRunCount successRate } } } } }',
      { id: workflowId },
      viewer.token,
    );
    expect(versions.data!.workflow.versions.edges.map((e) => e.node)).toEqual([
      { number: 2, runCount: 1, finishedRunCount: 1, successRate: 1 },
      { number: 1, runCount: 2, finishedRunCount: 2, successRate: 0.5 },
    ]);
  });
});

describe.each(DATABASES)('roll back on %s', (database) => {
  let api: Api;
  let token: string;
  let workflowId: string;
  let secret: string;
  let temporal: Connection;
  beforeAll(async () => {
    api = await startApi({ database });
    token = (await api.user()).token;
    const created = await api.gql<{ createWorkflow: { id: string; webhookSecret: string } }>(
      'mutation($d: JSON!) { createWorkflow(input: { name: "Orders", definition: $d }) { id webhookSecret } }',
      { d: document(1, { schedule: true }) },
      token,
    );
    ({ id: workflowId, webhookSecret: secret } = created.data!.createWorkflow);
    temporal = await Connection.connect({ address: inject('temporalAddress') });
  });
  afterAll(async () => {
    await api?.gql('mutation($id: ID!) { deleteWorkflow(id: $id) }', { id: workflowId }, token).catch(() => {});
    await temporal?.close();
    await api?.close();
  });

  const hook = (path: string) =>
    fetch(`${api.url}/hooks/${workflowId}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tandem-webhook-secret': secret },
      body: JSON.stringify({ a: 5 }),
    });
  /** The version number the Temporal Schedule of the nightly node starts runs of. */
  const scheduledVersion = async () => {
    const description = await new Client({ connection: temporal }).schedule
      .getHandle(api.server.services.schedules.scheduleId(workflowId, 'nightly'))
      .describe();
    const action = description.action as { args?: Array<{ origin?: { versionNumber?: number } }> };
    return action.args?.[0]?.origin?.versionNumber;
  };

  it('deploys the earlier version again as the next number; schedules and webhooks follow it', async () => {
    await api.gql('mutation($id: ID!) { deployWorkflow(id: $id, message: "first") { number } }', { id: workflowId }, token);
    expect(await scheduledVersion()).toBe(1);
    await api.gql('mutation($id: ID!, $d: JSON!) { updateWorkflowDefinition(id: $id, definition: $d) { id } }', { id: workflowId, d: document(2) }, token);
    await api.gql('mutation($id: ID!) { deployWorkflow(id: $id, message: "second") { number } }', { id: workflowId }, token);
    // Version 2 has no schedule node and a new webhook path.
    await expect(scheduledVersion()).rejects.toThrow();
    expect((await hook('orders/v1')).status).toBe(404);

    const rolled = await api.gql<{ rollbackWorkflow: { number: number; message: string; definition: unknown } }>(
      'mutation($id: ID!) { rollbackWorkflow(id: $id, version: 1) { number message definition } }',
      { id: workflowId },
      token,
    );
    expect(rolled.errors).toBeUndefined();
    expect(rolled.data!.rollbackWorkflow).toMatchObject({ number: 3, message: 'Roll back to version 1', definition: document(1, { schedule: true }) });
    expect(await scheduledVersion()).toBe(3);

    const response = await hook('orders/v1');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { executionId: string; status: string };
    expect(body.status).toBe('COMPLETED');
    const run = await api.gql<{ execution: { versionNumber: number } }>(
      'query($id: ID!) { execution(id: $id) { versionNumber } }',
      { id: body.executionId },
      token,
    );
    expect(run.data!.execution.versionNumber).toBe(3);
    expect((await hook('orders/v2')).status).toBe(404);

    // The draft is untouched: still version 2's document.
    const diff = await api.gql<{ workflowDiff: { identical: boolean } }>(
      'query($id: ID!) { workflowDiff(workflowId: $id, from: { version: 2 }, to: {}) { identical } }',
      { id: workflowId },
      token,
    );
    expect(diff.data!.workflowDiff.identical).toBe(true);

    const again = await api.gql('mutation($id: ID!) { rollbackWorkflow(id: $id, version: 3) { number } }', { id: workflowId }, token);
    expect(again.errors?.[0]?.message).toContain('already the live version');
    const custom = await api.gql<{ rollbackWorkflow: { number: number; message: string } }>(
      'mutation($id: ID!) { rollbackWorkflow(id: $id, version: 2, message: "v1 was slow") { number message } }',
      { id: workflowId },
      token,
    );
    expect(custom.data!.rollbackWorkflow).toEqual({ number: 4, message: 'Roll back to version 2: v1 was slow' });
    await eventually(async () => (await scheduledVersion().catch(() => 'gone')) === 'gone', { what: 'the schedule removed with version 4' });
  });
});
