import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Execution } from '../src/db/entities.js';
import { DATABASES, startApi, type Api } from './api-harness.js';
import { countStatements, type StatementCounter } from './statement-counter.js';

/** The flow of `npm run bench:webhook` (benchmarks/src/webhook/flow.ts): compute, enrich, answer synchronously. */
const WEBHOOK_WORKFLOW = {
  format: 'tandem.workflow/v1',
  name: 'Webhook bench',
  description: '',
  nodes: [
    { id: 'hook', type: 'trigger.webhook', position: { x: 0, y: 0 }, config: { path: 'bench', respond: true } },
    {
      id: 'compute',
      type: 'transform',
      position: { x: 200, y: 0 },
      config: { expression: "{ 'total': input.body.a + input.body.b, 'name': $uppercase(input.body.name) }" },
    },
    {
      id: 'enrich',
      type: 'transform',
      position: { x: 400, y: 0 },
      config: { expression: "$merge([nodes.compute, { 'greeting': 'Hello, ' & nodes.compute.name, 'double': nodes.compute.total * 2 }])" },
    },
    { id: 'out', type: 'output', position: { x: 600, y: 0 }, config: { expression: 'nodes.enrich' } },
  ],
  edges: [
    { id: 'e1', source: 'hook', target: 'compute' },
    { id: 'e2', source: 'compute', target: 'enrich' },
    { id: 'e3', source: 'enrich', target: 'out' },
  ],
};
const REQUEST_BODY = { a: 2, b: 3, name: 'bench' };
const EXPECTED_RESULT = { total: 5, name: 'BENCH', greeting: 'Hello, BENCH', double: 10 };

/** Runs measured after the first (which also reads the version and its node types once per server). */
const RUNS = 10;

/**
 * The most statements one webhook run of the benchmark's flow (webhook → two transforms →
 * output, answered synchronously) may send to the database besides `begin` and `commit`,
 * counted at the driver: the delivery's workflow read, the run's row at start and end, its ten
 * events, and its share of counting the ten runs' metrics at once (15.0 on both databases; a
 * minute boundary between the runs adds about 0.1). A change that adds a statement to this
 * path has to raise the ceiling.
 */
const CEILING: Record<(typeof DATABASES)[number], number> = { sqlite: 15.5, postgres: 15.5 };
/** Events a run of the flow stores: its start and end, and each of four steps started and completed. */
const EVENTS_PER_RUN = 10;

const STEP_EVENTS = ['STEP_STARTED', 'STEP_COMPLETED'];

describe.each(DATABASES)('statements per webhook run on %s', (database) => {
  let api: Api;
  let token: string;
  let workflowId: string;
  let secret: string;
  let counter: StatementCounter;

  beforeAll(async () => {
    // Metrics are counted when the test says so, not when a timer fires between two runs.
    api = await startApi({ database, config: { metricsFlushMs: 3_600_000 } });
    token = (await api.user()).token;
    const created = await api.gql<{ createWorkflow: { id: string; webhookSecret: string } }>(
      'mutation($d: JSON!) { createWorkflow(input: { name: "Webhook bench", definition: $d }) { id webhookSecret } }',
      { d: WEBHOOK_WORKFLOW },
      token,
    );
    ({ id: workflowId, webhookSecret: secret } = created.data!.createWorkflow);
    await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: workflowId }, token);
    counter = await countStatements(api.server.db);
  });
  afterAll(async () => {
    counter?.stop();
    await api?.close();
  });

  async function deliver(): Promise<{ executionId: string; status: string; result: unknown }> {
    const response = await fetch(`${api.url}/hooks/${workflowId}/bench`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tandem-webhook-secret': secret },
      body: JSON.stringify(REQUEST_BODY),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { executionId: string; status: string; result: unknown };
  }

  /** Waits until everything the runs sent is stored and counted. */
  async function settle(): Promise<void> {
    await api.server.services.eventIngest.drained();
    await api.server.services.metrics.flush();
  }

  it('stores each run, its events and its metrics with few statements', async () => {
    // The rows the streams were told of (the webhook answers from them), to compare with the stored rows.
    const announced = new Map<string, Execution>();
    const streams = api.server.services.events;
    const announce = streams.announce.bind(streams);
    streams.announce = (execution) => {
      announced.set(execution.id, execution);
      announce(execution);
    };
    const ids = [(await deliver()).executionId];
    await settle();
    counter.reset();
    for (let i = 0; i < RUNS; i++) {
      const answer = await deliver();
      expect(answer).toMatchObject({ status: 'COMPLETED', result: EXPECTED_RESULT });
      ids.push(answer.executionId);
    }
    await settle();
    const counts = counter.counts();
    const perRun = counter.total() / RUNS;
    if (process.env.TANDEM_PRINT_STATEMENTS) {
      const lines = [...counts].sort((a, b) => b[1] - a[1]).map(([sql, n]) => `${(n / RUNS).toFixed(1).padStart(5)}  ${sql.slice(0, 160)}`);
      console.log(`${database}: ${perRun.toFixed(1)} statements per run\n${lines.join('\n')}`);
    }
    // How many transactions ingest needs depends on how events happen to arrive (each batch is
    // one), so they are bounded, not counted: at most one per event, and one for the metrics.
    const begins = counts.get('BEGIN;') ?? 0;
    expect(counts.get('COMMIT;') ?? 0).toBe(begins);
    expect(begins).toBeLessThanOrEqual(RUNS * EVENTS_PER_RUN + 1);
    expect((counter.total() - 2 * begins) / RUNS).toBeLessThanOrEqual(CEILING[database]);

    // What the statements wrote is exactly what a run leaves: its row, its events in order, its figures.
    const em = api.server.db.em.fork();
    for (const id of ids) {
      const row = await em.findOneOrFail(Execution, { id });
      expect(row).toMatchObject({ status: 'COMPLETED', result: EXPECTED_RESULT, workflowId, versionNumber: 1 });
      expect(row.temporalRunId).not.toBe('');
      expect(row.finishedAt).toBeInstanceOf(Date);
      expect(row.updatedAt.getTime()).toBeGreaterThanOrEqual(row.finishedAt!.getTime());
      expect({ ...announced.get(id) }).toEqual({ ...row });
      const events = await api.gql<{ execution: { events: { edges: Array<{ node: { sequence: number; type: string; nodeId: string | null } }> } } }>(
        'query($id: ID!) { execution(id: $id) { events(first: 100) { edges { node { sequence type nodeId } } } } }',
        { id },
        token,
      );
      const stored = events.data!.execution.events.edges.map((e) => e.node);
      expect(stored.map((e) => e.sequence)).toEqual(stored.map((_, i) => i + 1));
      expect(stored.map((e) => [e.type, e.nodeId])).toEqual([
        ['EXECUTION_STARTED', null],
        ...['hook', 'compute', 'enrich', 'out'].flatMap((node) => STEP_EVENTS.map((type) => [type, node])),
        ['EXECUTION_COMPLETED', null],
      ]);
    }
    const metrics = await api.gql<{ workflowMetrics: { totals: { started: number; completed: number; failed: number } } }>(
      'query($id: ID!, $from: DateTimeISO!, $to: DateTimeISO!) { workflowMetrics(workflowId: $id, from: $from, to: $to) { totals { started completed failed } } }',
      { id: workflowId, from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 120_000).toISOString() },
      token,
    );
    expect(metrics.data!.workflowMetrics.totals).toEqual({ started: RUNS + 1, completed: RUNS + 1, failed: 0 });
  });
});
