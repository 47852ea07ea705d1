import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test-support/eventually.js';
import { histogramQuantile } from '../src/metrics/histogram-quantile.js';
import { collect, startApi, SUM_WORKFLOW, type Api } from './api-harness.js';

const SYSTEM = `{ systemMetrics {
  at since
  operations { operation kind count errors p50Ms p95Ms p99Ms meanMs }
  errors { operation code count }
  taskQueue { name backlog workflowPollers activityPollers }
  eventLag { count p50Ms p95Ms p99Ms meanMs waiting oldestWaitingMs }
  websocketConnections { graphql collab }
} }`;

interface SystemMetrics {
  at: string;
  since: string;
  operations: Array<{ operation: string; kind: string; count: number; errors: number; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null }>;
  errors: Array<{ operation: string; code: string; count: number }>;
  taskQueue: { name: string; backlog: number; workflowPollers: number; activityPollers: number } | null;
  eventLag: { count: number; p50Ms: number | null; p95Ms: number | null; waiting: number; oldestWaitingMs: number };
  websocketConnections: { graphql: number; collab: number };
}

describe('histogram quantiles', () => {
  it('interpolate within the bucket the rank falls in, as Prometheus does', () => {
    const buckets = { bounds: [0.01, 0.1, 1, Infinity], counts: [0, 10, 20, 20] };
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1);
    expect(histogramQuantile(0.25, buckets)).toBeCloseTo(0.055);
    expect(histogramQuantile(0.75, buckets)).toBeCloseTo(0.55);
    // Beyond the last finite bound: that bound; nothing observed: null.
    expect(histogramQuantile(0.99, { bounds: [1, Infinity], counts: [1, 5] })).toBe(1);
    expect(histogramQuantile(0.5, { bounds: [1, Infinity], counts: [0, 0] })).toBeNull();
  });
});

describe('systemMetrics', () => {
  let api: Api;
  let owner: string;
  let other: string;

  beforeAll(async () => {
    api = await startApi({ database: 'sqlite' });
    owner = (await api.user('Owner')).token;
    other = (await api.user('Other')).token;
  });
  afterAll(async () => {
    await api?.close();
  });

  it("is the installation owner's: anyone else is refused", async () => {
    expect((await api.gql(SYSTEM, {}, other)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await api.gql(SYSTEM, {}, null)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('reports GraphQL latency and errors by operation, the task queue, event lag and websockets', async () => {
    // Known traffic: three reads of a missing workflow (NOT_FOUND each), a deployed run to its end, a subscriber.
    for (let i = 0; i < 3; i++) expect((await api.gql('{ workflow(id: "missing") { id } }', {}, owner)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const created = await api.gql<{ createWorkflow: { id: string } }>(
      'mutation($d: JSON!) { createWorkflow(input: { name: "Sum", definition: $d }) { id } }',
      { d: SUM_WORKFLOW },
      owner,
    );
    const workflowId = created.data!.createWorkflow.id;
    await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: workflowId }, owner);
    const started = await api.gql<{ startExecution: { id: string } }>(
      'mutation($id: ID!, $input: JSON) { startExecution(workflowId: $id, input: $input) { id } }',
      { id: workflowId, input: { a: 1, b: 2 } },
      owner,
    );
    const executionId = started.data!.startExecution.id;
    await eventually(
      async () => {
        const read = await api.gql<{ execution: { status: string } }>('query($id: ID!) { execution(id: $id) { status } }', { id: executionId }, owner);
        expect(read.data!.execution.status).toBe('COMPLETED');
      },
      { timeoutMs: 30_000 },
    );
    await api.server.services.eventIngest.drained();
    const client = api.ws(owner);
    const subscription = collect(client, 'subscription { metricsUpdated { workflowIds } }', {});

    let figures!: SystemMetrics;
    await eventually(
      async () => {
        const result = await api.gql<{ systemMetrics: SystemMetrics }>(SYSTEM, {}, owner);
        expect(result.errors).toBeUndefined();
        figures = result.data!.systemMetrics;
        expect(figures.websocketConnections.graphql).toBe(1);
      },
      { timeoutMs: 10_000, what: 'the subscriber counted' },
    );

    const workflow = figures.operations.find((o) => o.operation === 'workflow')!;
    expect(workflow).toMatchObject({ kind: 'query', count: 3, errors: 3 });
    expect(workflow.p50Ms).toBeGreaterThan(0);
    expect(workflow.p99Ms).toBeGreaterThanOrEqual(workflow.p50Ms!);
    expect(figures.operations.find((o) => o.operation === 'startExecution')).toMatchObject({ kind: 'mutation', count: 1, errors: 0 });
    expect(figures.errors).toContainEqual({ operation: 'workflow', code: 'NOT_FOUND', count: 3 });
    expect(figures.errors).toContainEqual({ operation: 'systemMetrics', code: 'FORBIDDEN', count: 1 });

    // The harness's worker polls the installation's queue; the finished run left nothing behind.
    expect(figures.taskQueue).toMatchObject({ name: api.taskQueue, backlog: 0 });
    expect(figures.taskQueue!.workflowPollers).toBeGreaterThanOrEqual(1);
    expect(figures.taskQueue!.activityPollers).toBeGreaterThanOrEqual(1);

    // Every event of the run was stored, each with its lag measured.
    const events = await api.gql<{ execution: { events: { totalCount: number } } }>(
      'query($id: ID!) { execution(id: $id) { events(first: 1) { totalCount } } }',
      { id: executionId },
      owner,
    );
    expect(figures.eventLag.count).toBe(events.data!.execution.events.totalCount);
    expect(figures.eventLag.p95Ms).not.toBeNull();
    expect(figures.eventLag.waiting).toBe(0);
    expect(figures.websocketConnections.collab).toBe(0);
    expect(new Date(figures.since).getTime()).toBeLessThanOrEqual(new Date(figures.at).getTime());

    await client.dispose();
    await subscription.done;
  });
});
