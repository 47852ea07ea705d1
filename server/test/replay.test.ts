import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test-support/eventually.js';
// The outside services http.request calls, as the worker's own tests stand them up.
// eslint-disable-next-line no-restricted-imports
import { json, startHttpServer, type TestHttpServer } from '../../worker/test/http-server.js';
import { DATABASES, startApi, type Api } from './api-harness.js';

const CREATE = `mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }`;
const UPDATE = `mutation($id: ID!, $d: JSON!) { updateWorkflowDefinition(id: $id, definition: $d) { id } }`;
const DEPLOY = `mutation($id: ID!) { deployWorkflow(id: $id) { number } }`;
const START = `mutation($id: ID!, $input: JSON) { startExecution(workflowId: $id, input: $input) { id } }`;
const SET_SECRET = `mutation($name: String!, $value: String!) { setSecret(name: $name, value: $value) { name } }`;
const RETRY = `mutation($id: ID!, $from: ID, $version: Int) { retryExecution(id: $id, fromNodeId: $from, version: $version) { id versionNumber retryFromNodeId retryOf { id } } }`;
const RERUN = `mutation($id: ID!) { rerunExecution(id: $id) { id retryFromNodeId retryOf { id } } }`;
const RUN = `query($id: ID!) { execution(id: $id) {
  id status result error versionNumber retryFromNodeId retryOf { id } retries { id }
  events(first: 100) { edges { node { type nodeId data } } } } }`;
const STEP = `query($id: ID!, $node: ID!, $iteration: Int) { execution(id: $id) { step(nodeId: $node, iteration: $iteration) {
  nodeId iteration nodeType status startedAt finishedAt input output error causes reused
  attempts { attempt at error delayMs }
  http { request { method url headers } response { status bodyExcerpt } } } } }`;

const SECRET_VALUE = 'sk-live-4f1c9a7e2b6d';
/** Over the 16 KiB an event carries, well under the 1 MiB stored per step. */
const BIG = 'x'.repeat(40_000);

/** The parts of an ExecutionStep the tests read. */
interface Step {
  nodeId: string;
  status: string;
  reused: boolean;
  input: { lookup: { status: number; body: { big: string } } };
  output: { status: number; body: { big: string; seen: string } };
  causes: Array<Record<string, unknown>>;
  http: { request: { method: string; url: string; headers: Record<string, string> }; response: { status: number; bodyExcerpt: string } | null };
}

interface Run {
  id: string;
  status: string;
  result: unknown;
  error: { nodeId?: string } | null;
  versionNumber: number;
  retryFromNodeId: string | null;
  retryOf: { id: string } | null;
  retries: Array<{ id: string }>;
  events: { edges: Array<{ node: { type: string; nodeId: string | null; data: Record<string, unknown> } }> };
}

/**
 * start → lookup (GET, sends the secret, answers a large body that echoes it) → charge (POST
 * to `chargePath`) → out. With `/broken` the charge is refused (400, not retried).
 */
function shop(url: string, chargePath: string): Record<string, unknown> {
  const node = (id: string, type: string, config: Record<string, unknown>, x: number) => ({ id, type, position: { x, y: 0 }, config });
  return {
    format: 'tandem.workflow/v1',
    name: 'Shop',
    description: '',
    nodes: [
      node('start', 'trigger.manual', {}, 0),
      node(
        'lookup',
        'http.request',
        { method: 'GET', url: `${url}/lookup`, headers: { authorization: 'Bearer {{ secrets.API_TOKEN }}' }, retry: { maxAttempts: 1 } },
        200,
      ),
      node(
        'charge',
        'http.request',
        { method: 'POST', url: `${url}${chargePath}`, bodyExpression: "{ 'order': input.order }", retry: { maxAttempts: 1 } },
        400,
      ),
      node('out', 'output', { expression: "{ 'size': $length(nodes.lookup.body.big), 'charged': nodes.charge.body.ok }" }, 600),
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'lookup' },
      { id: 'e2', source: 'lookup', target: 'charge' },
      { id: 'e3', source: 'charge', target: 'out' },
    ],
  };
}

async function finished(api: Api, id: string, token: string): Promise<Run> {
  return eventually(
    async () => {
      const run = (await api.gql<{ execution: Run }>(RUN, { id }, token)).data!.execution;
      expect(['COMPLETED', 'FAILED', 'CANCELLED']).toContain(run.status);
      return run;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

describe.each(DATABASES)('replay and retry on %s', (database) => {
  let api: Api;
  let http: TestHttpServer;
  let owner: { token: string; id: string; email: string };
  let workflowId: string;
  let failed: Run;

  beforeAll(async () => {
    http = await startHttpServer({
      '/lookup': (req, res) => json(res, 200, { seen: req.headers.authorization, big: BIG }),
      '/broken': (_req, res) => json(res, 400, { error: 'no such account' }),
      '/charge': (_req, res, body) => json(res, 200, { ok: true, got: JSON.parse(body) as unknown }),
    });
    api = await startApi({ database, httpAllow: ['127.0.0.1'] });
    owner = await api.user('Owner');
    await api.gql(SET_SECRET, { name: 'API_TOKEN', value: SECRET_VALUE }, owner.token);
    workflowId = (await api.gql<{ createWorkflow: { id: string } }>(CREATE, { input: { name: 'Shop', definition: shop(http.url, '/broken') } }, owner.token))
      .data!.createWorkflow.id;
    await api.gql(DEPLOY, { id: workflowId }, owner.token);
    const id = (await api.gql<{ startExecution: { id: string } }>(START, { id: workflowId, input: { order: 7 } }, owner.token)).data!.startExecution.id;
    failed = await finished(api, id, owner.token);
  });

  afterAll(async () => {
    await api?.close();
    await http?.close();
  });

  it('the run fails at the charge, after one lookup', () => {
    expect(failed.status).toBe('FAILED');
    expect(failed.error?.nodeId).toBe('charge');
    expect(http.hits.get('/lookup')).toBe(1);
    expect(http.hits.get('/broken')).toBe(1);
  });

  it('Execution.step returns the whole output the event had to cut, with the secret masked', async () => {
    const completed = failed.events.edges.find((e) => e.node.type === 'STEP_COMPLETED' && e.node.nodeId === 'lookup')!.node;
    expect(completed.data.output).toMatchObject({ truncated: true });

    const step = (await api.gql<{ execution: { step: Step } }>(STEP, { id: failed.id, node: 'lookup' }, owner.token)).data!.execution.step;
    expect(step).toMatchObject({ nodeId: 'lookup', iteration: 0, nodeType: 'http.request', status: 'SUCCEEDED', reused: false });
    expect(step.output.status).toBe(200);
    expect(step.output.body.big).toBe(BIG);
    // The request shows which secret it used; the answer that echoed the value has it hidden.
    expect(step.http.request).toEqual({ method: 'GET', url: `${http.url}/lookup`, headers: { authorization: 'Bearer [secret API_TOKEN]' } });
    expect(step.output.body.seen).toBe('Bearer ***');
    expect(step.http.response?.status).toBe(200);
    expect(JSON.stringify(step)).not.toContain(SECRET_VALUE);
  });

  it('Execution.step of the failed step has its error, cause chain and the response', async () => {
    const step = (await api.gql<{ execution: { step: Step } }>(STEP, { id: failed.id, node: 'charge' }, owner.token)).data!.execution.step;
    expect(step.status).toBe('FAILED');
    expect(step.input).toEqual({ lookup: expect.objectContaining({ status: 200 }) });
    expect(step.input.lookup.body.big).toBe(BIG);
    expect(step.causes.length).toBe(2);
    expect(step.causes[1]).toMatchObject({ type: 'HttpClientError' });
    expect(step.http.request).toMatchObject({ method: 'POST', url: `${http.url}/broken` });
    expect(step.http.response).toEqual({ status: 400, bodyExcerpt: expect.stringContaining('no such account') });
    const none = await api.gql<{ execution: { step: null } }>(STEP, { id: failed.id, node: 'out' }, owner.token);
    expect(none.data!.execution.step).toBeNull();
  });

  it('refuses a retry from a node the version does not have, and one by a user who cannot see the run', async () => {
    const missing = await api.gql(RETRY, { id: failed.id, from: 'nope' }, owner.token);
    expect(missing.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(missing.errors?.[0]?.message).toContain('node "nope" does not exist in version 1');
    const other = await api.user('Other');
    const foreign = await api.gql(RETRY, { id: failed.id }, other.token);
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('after a fix and a deploy, a retry reuses the lookup (no second call) and completes; both runs show the link', async () => {
    await api.gql(UPDATE, { id: workflowId, d: shop(http.url, '/charge') }, owner.token);
    await api.gql(DEPLOY, { id: workflowId }, owner.token);
    const retry = await api.gql<{ retryExecution: { id: string; versionNumber: number; retryFromNodeId: string; retryOf: { id: string } } }>(
      RETRY,
      { id: failed.id, version: 2 },
      owner.token,
    );
    expect(retry.errors).toBeUndefined();
    expect(retry.data!.retryExecution).toMatchObject({ versionNumber: 2, retryFromNodeId: 'charge', retryOf: { id: failed.id } });

    const run = await finished(api, retry.data!.retryExecution.id, owner.token);
    expect(run.status).toBe('COMPLETED');
    expect(run.result).toEqual({ size: BIG.length, charged: true });
    expect(http.hits.get('/lookup')).toBe(1);
    expect(http.hits.get('/charge')).toBe(1);
    const lookupEvents = run.events.edges.filter((e) => e.node.nodeId === 'lookup').map((e) => [e.node.type, e.node.data.reused]);
    expect(lookupEvents).toEqual([
      ['STEP_STARTED', true],
      ['STEP_COMPLETED', true],
    ]);
    const reused = (await api.gql<{ execution: { step: Step } }>(STEP, { id: run.id, node: 'lookup' }, owner.token)).data!.execution.step;
    expect(reused.reused).toBe(true);
    expect(reused.output.body.big).toBe(BIG);

    const original = (await api.gql<{ execution: Run }>(RUN, { id: failed.id }, owner.token)).data!.execution;
    expect(original.status).toBe('FAILED');
    expect(original.retries).toEqual([{ id: run.id }]);
    expect(original.events.edges.length).toBe(failed.events.edges.length);
  });

  it('runs a run again with the same input, executing every step', async () => {
    const before = http.hits.get('/lookup')!;
    const again = await api.gql<{ rerunExecution: { id: string; retryFromNodeId: null; retryOf: { id: string } } }>(RERUN, { id: failed.id }, owner.token);
    expect(again.data!.rerunExecution).toMatchObject({ retryFromNodeId: null, retryOf: { id: failed.id } });
    const run = await finished(api, again.data!.rerunExecution.id, owner.token);
    // Version 1 still calls /broken: the same input, the same failure, every step executed.
    expect(run.status).toBe('FAILED');
    expect(run.versionNumber).toBe(1);
    expect(http.hits.get('/lookup')).toBe(before + 1);
  });

  it.runIf(database === 'sqlite')('downloads the Temporal history for the owner only', async () => {
    const query = await api.gql<{ execution: { temporalHistoryUrl: string; temporalRuns: Array<{ runId: string; events: number; historyUrl: string }> } }>(
      `query($id: ID!) { execution(id: $id) { temporalHistoryUrl temporalRuns { runId status events historyUrl } } }`,
      { id: failed.id },
      owner.token,
    );
    const runs = await eventually(async () => {
      const result = (
        await api.gql<typeof query.data>(
          `query($id: ID!) { execution(id: $id) { temporalRuns { runId status events historyUrl } } }`,
          { id: failed.id },
          owner.token,
        )
      ).data!.execution.temporalRuns;
      expect(result.length).toBe(1);
      return result;
    });
    expect(runs[0]!.events).toBeGreaterThan(5);

    const download = await fetch(`${api.url}${runs[0]!.historyUrl}`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(download.status).toBe(200);
    const history = (await download.json()) as { events: Array<{ eventType: string; eventId: string }> };
    expect(history.events.length).toBe(runs[0]!.events);
    expect(history.events[0]!.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(history.events.at(-1)!.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_FAILED');
    const current = await fetch(`${api.url}${query.data!.execution.temporalHistoryUrl}`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(((await current.json()) as { events: unknown[] }).events.length).toBe(runs[0]!.events);

    const other = await api.user('Mallory');
    const refused = await fetch(`${api.url}${runs[0]!.historyUrl}`, { headers: { authorization: `Bearer ${other.token}` } });
    expect(refused.status).toBe(404);
    const viewer = await api.user('Vera');
    await api.gql(
      `mutation($w: ID!, $e: String!) { shareWorkflow(workflowId: $w, email: $e, role: VIEWER) { role } }`,
      { w: workflowId, e: viewer.email },
      owner.token,
    );
    const forbidden = await fetch(`${api.url}${runs[0]!.historyUrl}`, { headers: { authorization: `Bearer ${viewer.token}` } });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    const anonymous = await fetch(`${api.url}${runs[0]!.historyUrl}`);
    expect(anonymous.status).toBe(401);
  });

  it.runIf(database === 'sqlite')('lists the chain of Temporal runs of a loop that continued as new, each downloadable', async () => {
    const node = (id: string, type: string, config: Record<string, unknown> = {}) => ({ id, type, position: { x: 0, y: 0 }, config });
    const loop = {
      format: 'tandem.workflow/v1',
      name: 'Loop',
      description: '',
      nodes: [
        node('t', 'trigger.manual'),
        node('each', 'loop', { mode: 'forEach', expression: 'input.items', continueAsNewEvery: 10 }),
        node('body', 'transform', { expression: 'loop.item' }),
        node('out', 'output', { expression: "'done'" }),
      ],
      edges: [
        { id: 'e1', source: 't', target: 'each' },
        { id: 'e2', source: 'each', target: 'body', sourceHandle: 'body' },
        { id: 'e3', source: 'body', target: 'each' },
        { id: 'e4', source: 'each', target: 'out', sourceHandle: 'done' },
      ],
    };
    const id = (await api.gql<{ createWorkflow: { id: string } }>(CREATE, { input: { name: 'Loop', definition: loop } }, owner.token)).data!.createWorkflow.id;
    await api.gql(DEPLOY, { id }, owner.token);
    const started = (await api.gql<{ startExecution: { id: string } }>(START, { id, input: { items: Array.from({ length: 25 }, (_, i) => i) } }, owner.token))
      .data!.startExecution.id;
    expect((await finished(api, started, owner.token)).status).toBe('COMPLETED');

    const runs = await eventually(async () => {
      const result = (
        await api.gql<{ execution: { temporalRuns: Array<{ runId: string; status: string; historyUrl: string }> } }>(
          `query($id: ID!) { execution(id: $id) { temporalRuns { runId status historyUrl } } }`,
          { id: started },
          owner.token,
        )
      ).data!.execution.temporalRuns;
      expect(result.map((r) => r.status)).toEqual(['CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'COMPLETED']);
      return result;
    });
    expect(new Set(runs.map((r) => r.runId)).size).toBe(3);
    const first = (await (await fetch(`${api.url}${runs[0]!.historyUrl}`, { headers: { authorization: `Bearer ${owner.token}` } })).json()) as {
      events: Array<{ eventType: string }>;
    };
    expect(first.events.at(-1)!.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
  });
});
