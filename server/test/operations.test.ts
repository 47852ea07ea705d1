import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { interpreterWorkflowId, RedisEventBus } from '@tandem/worker';
import { eventually } from '../../test-support/eventually.js';
import { collect, startApi, SUM_WORKFLOW, type Api } from './api-harness.js';

const CREATE = `mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }`;
const START = `mutation($id: ID!, $input: JSON) { startExecution(workflowId: $id, input: $input) { id status } }`;
const EXECUTION = `query($id: ID!) { execution(id: $id) { id status result } }`;

const WAITING_WORKFLOW = {
  ...SUM_WORKFLOW,
  nodes: [
    ...SUM_WORKFLOW.nodes.filter((n) => n.id !== 'out'),
    { id: 'pause', type: 'delay', position: { x: 300, y: 0 }, config: { durationMs: 2_500 } },
    { id: 'out', type: 'output', position: { x: 400, y: 0 }, config: { expression: 'nodes.add.total' } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'add' },
    { id: 'e2', source: 'add', target: 'pause' },
    { id: 'e3', source: 'pause', target: 'out' },
  ],
};

async function deploy(api: Api, token: string, definition: unknown = SUM_WORKFLOW): Promise<string> {
  const created = await api.gql<{ createWorkflow: { id: string } }>(CREATE, { input: { name: 'W', definition } }, token);
  await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: created.data!.createWorkflow.id }, token);
  return created.data!.createWorkflow.id;
}

async function waitForStatus(api: Api, token: string, id: string, status: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  return eventually(
    async () => {
      const execution = (await api.gql<{ execution: Record<string, unknown> }>(EXECUTION, { id }, token)).data!.execution;
      if (execution.status !== status) throw new Error(`execution stayed ${String(execution.status)}`);
      return execution;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

describe('operating the API server', () => {
  let api: Api;
  let token: string;
  beforeAll(async () => {
    api = await startApi({ database: 'sqlite', config: { subscriberBuffer: 5, maxBodyBytes: 50_000 } });
    token = (await api.user()).token;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers /healthz and /readyz with every part named', async () => {
    expect(await (await fetch(`${api.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', temporal: 'ok', eventBus: 'ok', worker: 'ok', eventLag: 'ok' } });
  });

  it('says which part is not ready: 503 naming the event bus when Redis is unreachable', async () => {
    const bus = new RedisEventBus({ url: 'redis://127.0.0.1:1' });
    const degraded = await startApi({ database: 'sqlite', bus, worker: false });
    try {
      const ready = await fetch(`${degraded.url}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { status: string; checks: Record<string, string> };
      // No worker here either: the queue has nobody polling it.
      expect(body.status).toBe('not ready: eventBus, worker');
      expect(body.checks).toMatchObject({ database: 'ok', temporal: 'ok', eventBus: expect.stringContaining('not reachable') });
      expect((await fetch(`${degraded.url}/healthz`)).status).toBe(200);
    } finally {
      await degraded.close();
      await bus.close();
    }
  });

  it('refuses operations that are too complex or too large', async () => {
    const costly = await api.gql('{ workflows(first: 100) { edges { node { versions(first: 100) { edges { node { id } } } } } } }', {}, token);
    expect(costly.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', maxComplexity: 5000 } });
    expect(costly.status).toBe(400);
    const big = await api.gql(CREATE, { input: { name: 'x'.repeat(60_000), definition: SUM_WORKFLOW } }, token);
    expect(big.status).toBe(413);
    expect(big.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const garbage = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":' });
    expect(((await garbage.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('applies auth and limits on graphql-ws too', async () => {
    const anonymous = collect(api.ws(null), 'subscription { executionUpdated(workflowId: "x") { id } }', {});
    await anonymous.done;
    expect(JSON.stringify(anonymous.errors)).toContain('UNAUTHENTICATED');
    const forged = collect(api.ws('tdm_s_forgedforgedforgedforgedforged'), 'subscription { executionUpdated(workflowId: "x") { id } }', {});
    await forged.done;
    expect((forged.errors[0] as { code?: number }).code).toBe(4403);
    const deep = collect(api.ws(token), 'subscription { executionUpdated(workflowId: "x") { id } } ', {});
    await deep.done;
    expect(JSON.stringify(deep.errors)).toContain('NOT_FOUND');
  });

  it('refuses websocket upgrades from origins that are not allowed', async () => {
    const socket = new WebSocket(`${api.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { origin: 'https://evil.example' });
    const outcome = await new Promise<string>((resolve) => {
      socket.on('open', () => resolve('open'));
      socket.on('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
      socket.on('error', () => resolve('error'));
    });
    expect(outcome).toMatch(/^refused 40\d$/);
  });

  it('streams status changes of a workflow’s runs to dashboards', async () => {
    const id = await deploy(api, token);
    const client = api.ws(token);
    const updates = collect<{ executionUpdated: { id: string; status: string } }>(
      client,
      'subscription($id: ID!) { executionUpdated(workflowId: $id) { id status } }',
      { id },
      (items) => items.some((i) => i.executionUpdated.status === 'COMPLETED'),
    );
    await eventually(() => api.server.services.events.followersOf(id) > 0, { what: 'the subscription registers' });
    const started = await api.gql<{ startExecution: { id: string } }>(START, { id, input: { a: 1, b: 2 } }, token);
    await updates.done;
    expect(updates.items.map((i) => i.executionUpdated)).toEqual([
      { id: started.data!.startExecution.id, status: 'RUNNING' },
      { id: started.data!.startExecution.id, status: 'COMPLETED' },
    ]);
  });

  it('tells a subscriber that fell behind to resume with after, instead of buffering without bound', async () => {
    const id = await deploy(api, token);
    const executionId = (await api.gql<{ startExecution: { id: string } }>(START, { id, input: { a: 1, b: 2 } }, token)).data!.startExecution.id;
    await waitForStatus(api, token, executionId, 'COMPLETED');
    const events = api.server.services.events;
    const stream = events.stream(executionId, 0);
    const first = await stream.next();
    expect(first.value).toMatchObject({ sequence: 1 });
    // While this subscriber does not read, ten more events arrive (past its buffer of 5)…
    // a stream reading stored events first gets them from the log, so pull the stored ones first.
    const stored: number[] = [1];
    for (;;) {
      const next = await stream.next();
      stored.push((next.value as { sequence: number }).sequence);
      if ((next.value as { type: string }).type === 'EXECUTION_COMPLETED') break;
    }
    expect(stored).toEqual(stored.map((_, i) => i + 1));
    const live = events.stream(executionId, stored.length);
    const pending = live.next();
    for (let i = 1; i <= 10; i++) {
      await api.server.services.eventIngest.ingest({
        executionId,
        sequence: stored.length + i,
        type: 'STEP_COMPLETED',
        nodeId: 'late',
        at: new Date().toISOString(),
        temporalWorkflowId: interpreterWorkflowId(executionId),
        temporalRunId: 'r',
        data: {},
      });
    }
    expect(await pending).toMatchObject({ value: { sequence: stored.length + 1 } });
    const error = await live.next().then(
      () => null,
      (e: Error & { extensions?: Record<string, unknown> }) => e,
    );
    expect(error?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(error?.message).toContain('subscribe again with after');
  });

  it('keeps statuses right when the worker and the server restart mid-run', async () => {
    const id = await deploy(api, token, WAITING_WORKFLOW);
    const executionId = (await api.gql<{ startExecution: { id: string } }>(START, { id, input: { a: 20, b: 22 } }, token)).data!.startExecution.id;
    // Mid-run: the run is in its 2.5 s delay.
    await eventually(
      async () => {
        const events = (
          await api.gql<{ execution: { events: { edges: Array<{ node: { type: string; nodeId: string | null } }> } } }>(
            'query($id: ID!) { execution(id: $id) { events(first: 100) { edges { node { type nodeId } } } } }',
            { id: executionId },
            token,
          )
        ).data!.execution.events.edges;
        return events.some((e) => e.node.type === 'STEP_STARTED' && e.node.nodeId === 'pause');
      },
      { what: 'the run reaches its delay' },
    );
    await api.stopWorker();
    await api.restartServer();
    await api.startWorker();
    const done = await waitForStatus(api, token, executionId, 'COMPLETED');
    expect(done.result).toBe(42);
  });

  it('masks internal errors: no SQL or stack, a request id to quote', async () => {
    const other = await startApi({ database: 'sqlite', worker: false, taskQueue: `unused-${randomUUID()}` });
    const user = await other.user();
    await other.server.db.close(true);
    const response = await fetch(`${other.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}`, 'x-request-id': 'req-123' },
      body: JSON.stringify({ query: '{ workflows { totalCount } }' }),
    });
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    expect(body.errors[0]!.extensions).toEqual({ code: 'INTERNAL', requestId: 'req-123' });
    expect(body.errors[0]!.message).toBe('internal error (request req-123)');
    expect(response.headers.get('x-request-id')).toBe('req-123');
    expect(JSON.stringify(body)).not.toMatch(/select|sqlite|stack|\/work\//i);
    await other.close().catch(() => {});
  });
});

describe('two API servers behind one Temporal, through Redis', () => {
  it('each delivers every event of a run to its own subscribers', async () => {
    const stream = `tandem:test:${randomUUID()}`;
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const a = await startApi({ database: 'postgres', bus: new RedisEventBus({ url, stream }) });
    const b = await startApi({
      database: 'postgres',
      databaseUrl: (a.server.db.config.get('clientUrl') as string) ?? undefined,
      bus: new RedisEventBus({ url, stream }),
      worker: false,
      taskQueue: a.taskQueue,
    });
    try {
      const ada = await a.user();
      const id = await deploy(a, ada.token);
      const executionId = (await a.gql<{ startExecution: { id: string } }>(START, { id, input: { a: 5, b: 6 } }, ada.token)).data!.startExecution.id;
      const query = 'subscription($id: ID!) { executionEvents(executionId: $id) { sequence type } }';
      const onA = collect<{ executionEvents: { sequence: number; type: string } }>(a.ws(ada.token), query, { id: executionId });
      const onB = collect<{ executionEvents: { sequence: number; type: string } }>(b.ws(ada.token), query, { id: executionId });
      await Promise.all([onA.done, onB.done]);
      expect(onA.errors).toEqual([]);
      expect(onB.errors).toEqual([]);
      const sequences = onA.items.map((i) => i.executionEvents.sequence);
      expect(sequences).toEqual(sequences.map((_, i) => i + 1));
      expect(onB.items).toEqual(onA.items);
      expect(onB.items.at(-1)!.executionEvents.type).toBe('EXECUTION_COMPLETED');
    } finally {
      await b.close();
      await a.close();
    }
  });
});
