import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmittedEvent } from '@tandem/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test-support/eventually.js';
import { DATABASES, startApi, type Api } from './api-harness.js';
import { RedisEventBus } from '@tandem/worker';

/** A mode 'fail' run ends at a fail node; a key starting with 'retry' is refused once by the HTTP service, then served. */
function mixWorkflow(serviceUrl: string) {
  return {
    format: 'tandem.workflow/v1',
    name: 'Mix',
    description: '',
    nodes: [
      { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
      { id: 'check', type: 'condition', position: { x: 200, y: 0 }, config: { expression: "input.mode = 'fail'" } },
      { id: 'boom', type: 'fail', position: { x: 400, y: -100 }, config: { message: 'boom' } },
      {
        id: 'call',
        type: 'http.request',
        position: { x: 400, y: 100 },
        config: { url: `${serviceUrl}/flaky?key={{ input.key }}`, retry: { maxAttempts: 3, initialIntervalMs: 10 } },
      },
      { id: 'out', type: 'output', position: { x: 600, y: 100 }, config: { expression: 'nodes.call.status' } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'check' },
      { id: 'e2', source: 'check', sourceHandle: 'true', target: 'boom' },
      { id: 'e3', source: 'check', sourceHandle: 'false', target: 'call' },
      { id: 'e4', source: 'call', target: 'out' },
    ],
  };
}

/** An HTTP service that answers every request with 200 `{"ok":true}`. */
async function answeringOk(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Creates the Mix workflow calling `serviceUrl` and deploys it; its id. */
async function deployMix(api: Api, token: string, serviceUrl: string): Promise<string> {
  const created = await api.gql<{ createWorkflow: { id: string } }>(
    'mutation($d: JSON!) { createWorkflow(input: { name: "Mix", definition: $d }) { id } }',
    { d: mixWorkflow(serviceUrl) },
    token,
  );
  const workflowId = created.data!.createWorkflow.id;
  await api.gql('mutation($id: ID!) { deployWorkflow(id: $id, message: "first") { number } }', { id: workflowId }, token);
  return workflowId;
}

const METRICS = `query($id: ID!, $from: DateTimeISO!, $to: DateTimeISO!, $step: Int) {
  workflowMetrics(workflowId: $id, from: $from, to: $to, step: $step) {
    step sketchRelativeAccuracy
    totals { started completed failed cancelled retries successRate durationP50 durationP95 durationP99 firstStepP50 }
    points { at started completed failed }
    nodes { nodeId nodeType totals { completed failed retries durationP50 durationP95 } }
    deploys { version at }
    inProgress { running waiting paused }
  }
}`;

interface Figures {
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  retries: number;
  successRate: number | null;
  durationP50: number | null;
  durationP95: number | null;
  durationP99: number | null;
  firstStepP50: number | null;
}
interface WorkflowMetrics {
  step: number;
  sketchRelativeAccuracy: number;
  totals: Figures;
  points: Array<{ at: string; started: number; completed: number; failed: number }>;
  nodes: Array<{ nodeId: string; nodeType: string; totals: Figures }>;
  deploys: Array<{ version: number; at: string }>;
  inProgress: { running: number; waiting: number; paused: number };
}

/** Nearest-rank quantile, the definition the sketch approximates. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

describe.each(DATABASES)('workflow metrics on %s', (database) => {
  let api: Api;
  let service: Server;
  let serviceUrl: string;
  let token: string;
  let workflowId: string;
  const seen = new Set<string>();
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = () => new Date(Date.now() + 120_000).toISOString();

  beforeAll(async () => {
    service = createServer((request, response) => {
      const key = new URL(request.url ?? '/', 'http://x').searchParams.get('key') ?? '';
      const refuse = key.startsWith('retry') && !seen.has(key);
      seen.add(key);
      response.writeHead(refuse ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: !refuse }));
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
    api = await startApi({ database, httpAllow: ['127.0.0.1'], config: { metricsFlushMs: 100 } });
    token = (await api.user()).token;
    workflowId = await deployMix(api, token, serviceUrl);
  });
  afterAll(async () => {
    await api?.close();
    await new Promise<void>((resolve) => service?.close(() => resolve()));
  });

  async function runAll(inputs: Array<Record<string, string>>): Promise<string[]> {
    const ids: string[] = [];
    for (const input of inputs) {
      const started = await api.gql<{ startExecution: { id: string } }>(
        'mutation($id: ID!, $input: JSON) { startExecution(workflowId: $id, input: $input) { id } }',
        { id: workflowId, input },
        token,
      );
      ids.push(started.data!.startExecution.id);
    }
    await eventually(
      async () => {
        const page = await api.gql<{ executions: { edges: Array<{ node: { status: string } }> } }>(
          'query($id: ID!) { executions(first: 100, filter: { workflowId: $id }) { edges { node { status } } } }',
          { id: workflowId },
          token,
        );
        return page.data!.executions.edges.every((e) => !['RUNNING', 'WAITING', 'PAUSED'].includes(e.node.status));
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'every run ended' },
    );
    return ids;
  }

  async function metrics(asToken = token) {
    await api.server.services.eventIngest.drained();
    await api.server.services.metrics.flush();
    return api.gql<{ workflowMetrics: WorkflowMetrics }>(METRICS, { id: workflowId, from, to: to(), step: 3600 }, asToken);
  }

  it('counts a known mix of runs exactly, and its percentiles match the stored events within the sketch accuracy', async () => {
    const ids = await runAll([
      { mode: 'ok', key: 'a' },
      { mode: 'ok', key: 'b' },
      { mode: 'ok', key: 'c' },
      { mode: 'ok', key: 'retry-1' },
      { mode: 'ok', key: 'retry-2' },
      { mode: 'fail' },
      { mode: 'fail' },
    ]);
    const result = await metrics();
    expect(result.errors).toBeUndefined();
    const m = result.data!.workflowMetrics;
    expect(m.totals).toMatchObject({ started: 7, completed: 5, failed: 2, cancelled: 0, retries: 2 });
    expect(m.totals.successRate).toBeCloseTo(5 / 7, 10);
    const node = (id: string) => m.nodes.find((n) => n.nodeId === id)!;
    expect(node('call')).toMatchObject({ nodeType: 'http.request', totals: { completed: 5, failed: 0, retries: 2 } });
    expect(node('boom')).toMatchObject({ nodeType: 'fail', totals: { completed: 0, failed: 2 } });
    expect(node('check').totals).toMatchObject({ completed: 7, failed: 0 });
    expect(m.deploys).toEqual([expect.objectContaining({ version: 1 })]);
    expect(m.inProgress).toEqual({ running: 0, waiting: 0, paused: 0 });
    expect(m.points.reduce((sum, p) => sum + p.started, 0)).toBe(7);

    // The exact figures, computed directly from the stored runs and events.
    const runDurations: number[] = [];
    const callDurations: number[] = [];
    for (const id of ids) {
      const run = await api.gql<{
        execution: {
          startedAt: string;
          finishedAt: string;
          events: { edges: Array<{ node: { type: string; nodeId: string | null; data: { durationMs?: number } } }> };
        };
      }>('query($id: ID!) { execution(id: $id) { startedAt finishedAt events(first: 100) { edges { node { type nodeId data } } } } }', { id }, token);
      const execution = run.data!.execution;
      runDurations.push(Date.parse(execution.finishedAt) - Date.parse(execution.startedAt));
      for (const { node: e } of execution.events.edges) if (e.type === 'STEP_COMPLETED' && e.nodeId === 'call') callDurations.push(e.data.durationMs!);
    }
    const within = (estimate: number | null, exact: number) => {
      expect(estimate).not.toBeNull();
      expect(Math.abs(estimate! - exact)).toBeLessThanOrEqual(exact * m.sketchRelativeAccuracy + 1e-9);
    };
    within(m.totals.durationP50, quantile(runDurations, 0.5));
    within(m.totals.durationP95, quantile(runDurations, 0.95));
    within(m.totals.durationP99, quantile(runDurations, 0.99));
    within(node('call').totals.durationP50, quantile(callDurations, 0.5));
    within(node('call').totals.durationP95, quantile(callDurations, 0.95));
    expect(m.totals.firstStepP50).toBeGreaterThanOrEqual(0);
  });

  it('exposes Prometheus families at /metrics, with labels that never name a workflow or user', async () => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(text).toContain('tandem_runs_started_total 7');
    expect(text).toContain('tandem_runs_finished_total{status="COMPLETED"} 5');
    expect(text).toContain('tandem_runs_finished_total{status="FAILED"} 2');
    expect(text).toContain('tandem_step_retries_total{node_type="http.request"} 2');
    expect(text).toMatch(/tandem_graphql_operation_duration_seconds_count\{operation="startExecution",kind="mutation"\} 7\b/);
    expect(text).toMatch(/tandem_step_duration_seconds_count\{node_type="fail",status="FAILED"\} 2\b/);
    expect(text).toMatch(/tandem_task_queue_pollers\{type="workflow"\} [1-9]/);
    expect(text).toContain('tandem_dependency_up{dependency="database"} 1');
    expect(text).toMatch(/tandem_event_lag_seconds_count [1-9]/);
    expect(text).toMatch(/tandem_runs_in_progress\{status="WAITING"\} 0/);
    expect(text).toContain('tandem_websocket_connections{endpoint="graphql"}');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).not.toContain(workflowId);
    const labelValues = [...text.matchAll(/="([^"]*)"/g)].map((m) => m[1]!);
    for (const value of labelValues) expect(value).not.toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it('counts a redelivered event once, keeps the figures across a restart, and rolls minutes into hours without changing them', async () => {
    const before = (await metrics()).data!.workflowMetrics;
    // Every stored event of every run delivered again, as a bus redelivers after a restart.
    const page = await api.gql<{ executions: { edges: Array<{ node: { id: string } }> } }>(
      'query($id: ID!) { executions(first: 100, filter: { workflowId: $id }) { edges { node { id } } } }',
      { id: workflowId },
      token,
    );
    expect(page.data!.executions.edges.length).toBeGreaterThan(0);
    for (const { node } of page.data!.executions.edges) {
      const { execution: run } = (
        await api.gql<{
          execution: {
            temporalWorkflowId: string;
            temporalRunId: string;
            events: { edges: Array<{ node: { sequence: number; type: EmittedEvent['type']; nodeId: string | null; at: string; data: EmittedEvent['data'] } }> };
          };
        }>(
          'query($id: ID!) { execution(id: $id) { temporalWorkflowId temporalRunId events(first: 100) { edges { node { sequence type nodeId at data } } } } }',
          { id: node.id },
          token,
        )
      ).data!;
      for (const { node: e } of run.events.edges) {
        const event: EmittedEvent = { ...e, executionId: node.id, temporalWorkflowId: run.temporalWorkflowId, temporalRunId: run.temporalRunId };
        await api.server.services.eventIngest.ingest(event);
        api.server.services.metrics.stored(event);
      }
    }
    const redelivered = (await metrics()).data!.workflowMetrics;
    expect(redelivered.totals).toEqual(before.totals);
    expect(redelivered.nodes).toEqual(before.nodes);
    await api.restartServer({ config: { metricsToken: 'scrape-secret' } });
    expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${api.url}/metrics`, { headers: { authorization: 'Bearer scrape-secret' } })).status).toBe(200);
    const after = (await metrics()).data!.workflowMetrics;
    expect(after.totals).toEqual(before.totals);
    expect(after.nodes).toEqual(before.nodes);
    // Roll up everything (as if a day had passed): the same figures, now from hour buckets.
    await api.server.services.metrics.store.rollUp(Date.now() + 2 * 3_600_000);
    const rolled = (await metrics()).data!.workflowMetrics;
    expect(rolled.totals).toEqual(before.totals);
    expect(rolled.nodes).toEqual(before.nodes);
  });

  it('shows a workflow only to those it is shared with, and in their overview', async () => {
    const stranger = (await api.user('Eve')).token;
    const refused = await metrics(stranger);
    expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const overview = (token: string) =>
      api.gql<{
        metricsOverview: {
          totals: Figures;
          workflows: Array<{ workflowId: string }>;
          topFailingNodes: Array<{ nodeId: string; totals: Figures }>;
          slowestNodes: Array<{ nodeId: string }>;
        };
      }>(
        'query($from: DateTimeISO!, $to: DateTimeISO!) { metricsOverview(from: $from, to: $to) { totals { started failed } workflows { workflowId } topFailingNodes { nodeId totals { failed } } slowestNodes { nodeId } } }',
        { from, to: to() },
        token,
      );
    const mine = (await overview(token)).data!.metricsOverview;
    expect(mine.workflows.map((w) => w.workflowId)).toEqual([workflowId]);
    expect(mine.totals).toMatchObject({ started: 7, failed: 2 });
    expect(mine.topFailingNodes[0]).toMatchObject({ nodeId: 'boom', totals: { failed: 2 } });
    expect(mine.slowestNodes.length).toBeGreaterThan(0);
    const theirs = (await overview(stranger)).data!.metricsOverview;
    expect(theirs.workflows).toEqual([]);
    expect(theirs.totals.started).toBe(0);
  });

  it('refuses a range that is backwards or has too many points, naming what is wrong', async () => {
    const backwards = await api.gql(METRICS, { id: workflowId, from: to(), to: from }, token);
    expect(backwards.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(backwards.errors?.[0]?.message).toMatch(/must be after/);
    const tooFine = await api.gql(METRICS, { id: workflowId, from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z', step: 60 }, token);
    expect(tooFine.errors?.[0]?.message).toMatch(/more than 1440 points/);
  });

  it('tells a metricsUpdated subscriber when a run of the workflow is counted', async () => {
    const ws = api.ws(token);
    const updates: Array<{ workflowIds: string[] }> = [];
    const unsubscribe = ws.subscribe<{ metricsUpdated: { workflowIds: string[] } }>(
      { query: 'subscription($id: ID) { metricsUpdated(workflowId: $id) { workflowIds at } }', variables: { id: workflowId } },
      { next: (message) => message.data && updates.push(message.data.metricsUpdated), error: () => {}, complete: () => {} },
    );
    // graphql-ws has no "subscribed" acknowledgement: keep starting runs until one is heard of.
    await eventually(
      async () => {
        if (updates.length > 0) return true;
        await runAll([{ mode: 'ok', key: `live-${updates.length}-${Date.now()}` }]);
        return false;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'a metricsUpdated message' },
    );
    unsubscribe();
    expect(updates[0]!.workflowIds).toEqual([workflowId]);
  });
});

describe('two API servers counting the same runs (PostgreSQL, events through Redis)', () => {
  it('count every run once, whichever server started it, and answer the same figures', async () => {
    const service = await answeringOk();
    // Both servers store every event from the stream: counting must still take each run once.
    const stream = `tandem:test:${randomUUID()}`;
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const a = await startApi({ database: 'postgres', bus: new RedisEventBus({ url, stream }), httpAllow: ['127.0.0.1'], config: { metricsFlushMs: 100 } });
    const b = await startApi({
      database: 'postgres',
      databaseUrl: a.server.db.config.get('clientUrl') as string,
      bus: new RedisEventBus({ url, stream }),
      worker: false,
      taskQueue: a.taskQueue,
      config: { metricsFlushMs: 100 },
    });
    try {
      const { token } = await a.user();
      const workflowId = await deployMix(a, token, service.url);
      const start = (api: Api, input: Record<string, string>) =>
        api.gql('mutation($id: ID!, $input: JSON) { startExecution(workflowId: $id, input: $input) { id } }', { id: workflowId, input }, token);
      for (const key of ['a', 'b', 'c']) await start(a, { mode: 'ok', key });
      for (const key of ['d', 'e']) await start(b, { mode: 'ok', key });
      await start(b, { mode: 'fail' });
      await eventually(
        async () => {
          const page = await a.gql<{ executions: { edges: Array<{ node: { status: string } }> } }>(
            'query($id: ID!) { executions(first: 100, filter: { workflowId: $id }) { edges { node { status } } } }',
            { id: workflowId },
            token,
          );
          const statuses = page.data!.executions.edges.map((e) => e.node.status);
          return statuses.length === 6 && statuses.every((status) => status === 'COMPLETED' || status === 'FAILED');
        },
        { timeoutMs: 30_000, intervalMs: 100, what: 'all six runs ended' },
      );
      const figures = async (api: Api) => {
        await api.server.services.eventIngest.drained();
        await api.server.services.metrics.flush();
        const window = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 120_000).toISOString() };
        return api.gql<{ workflowMetrics: WorkflowMetrics }>(METRICS, { id: workflowId, ...window, step: 3600 }, token);
      };
      await eventually(
        async () => {
          const [onA, onB] = [await figures(a), await figures(b)];
          expect(onA.errors).toBeUndefined();
          expect(onA.data!.workflowMetrics.totals).toMatchObject({ started: 6, completed: 5, failed: 1, cancelled: 0, retries: 0 });
          expect(onB.data!.workflowMetrics.totals).toEqual(onA.data!.workflowMetrics.totals);
          expect(onB.data!.workflowMetrics.nodes).toEqual(onA.data!.workflowMetrics.nodes);
          return true;
        },
        { timeoutMs: 15_000, intervalMs: 200, what: 'both servers give the exact counts' },
      );
    } finally {
      await b.close();
      await a.close();
      await service.close();
    }
  });
});

describe('TANDEM_METRICS=off', () => {
  it('collects and serves nothing while off; turned on again, the last day’s runs are counted', async () => {
    const service = await answeringOk();
    const api = await startApi({ database: 'sqlite', httpAllow: ['127.0.0.1'], config: { metrics: false, metricsFlushMs: 100 } });
    try {
      const { token } = await api.user();
      const workflowId = await deployMix(api, token, service.url);
      for (const mode of ['ok', 'ok', 'fail']) {
        await api.gql(
          'mutation($id: ID!, $input: JSON) { startExecution(workflowId: $id, input: $input) { id } }',
          { id: workflowId, input: { mode, key: mode } },
          token,
        );
      }
      const statuses = async () => {
        const page = await api.gql<{ executions: { edges: Array<{ node: { status: string } }> } }>(
          'query($id: ID!) { executions(first: 100, filter: { workflowId: $id }) { edges { node { status } } } }',
          { id: workflowId },
          token,
        );
        return page.data!.executions.edges.map((e) => e.node.status).sort();
      };
      await eventually(async () => JSON.stringify(await statuses()) === '["COMPLETED","COMPLETED","FAILED"]', {
        timeoutMs: 30_000,
        intervalMs: 100,
        what: 'the three runs ended',
      });
      const totals = async () => {
        await api.server.services.eventIngest.drained();
        await api.server.services.metrics.flush();
        const window = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 120_000).toISOString() };
        const answer = await api.gql<{ workflowMetrics: WorkflowMetrics }>(METRICS, { id: workflowId, ...window, step: 3600 }, token);
        expect(answer.errors).toBeUndefined();
        return answer.data!.workflowMetrics.totals;
      };
      expect(await totals()).toMatchObject({ started: 0, completed: 0, failed: 0 });
      expect((await fetch(`${api.url}/metrics`)).status).toBe(404);

      // On again: the runs that moved in the last day are counted once the server starts.
      await api.restartServer({ config: { metrics: true } });
      await eventually(
        async () => {
          expect(await totals()).toMatchObject({ started: 3, completed: 2, failed: 1 });
          return true;
        },
        { timeoutMs: 15_000, intervalMs: 200, what: 'the runs counted after metrics were turned on' },
      );
      const scraped = await fetch(`${api.url}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('tandem_runs_finished_total{status="FAILED"} 1');
    } finally {
      await api.close();
      await service.close();
    }
  });

  it('is read from TANDEM_METRICS as on or off, and anything else is refused by name', async () => {
    const { readServerConfig } = await import('@tandem/server');
    expect(readServerConfig({}).metrics).toBe(true);
    expect(readServerConfig({ TANDEM_METRICS: 'off' }).metrics).toBe(false);
    expect(readServerConfig({ TANDEM_METRICS: 'ON' }).metrics).toBe(true);
    expect(() => readServerConfig({ TANDEM_METRICS: 'sometimes' })).toThrow('TANDEM_METRICS must be on or off, not "sometimes"');
  });
});
