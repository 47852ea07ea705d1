import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EmittedEvent } from '@tandem/schema';
import { interpreterWorkflowId } from '@tandem/worker';
import { Execution } from '../src/db/entities.js';
import { DATABASES, startApi, SUM_WORKFLOW, type Api } from './api-harness.js';

// Events are fed to ingest by hand, as the bus delivers them (no worker on this queue: the
// run stays where the events put it), redelivered ones included.
describe.each(DATABASES)('storing execution events on %s', (database) => {
  let api: Api;
  let token: string;
  let workflowId: string;

  beforeAll(async () => {
    api = await startApi({ database, worker: false });
    token = (await api.user()).token;
    const created = await api.gql<{ createWorkflow: { id: string } }>(
      'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
      { input: { name: 'W', definition: SUM_WORKFLOW } },
      token,
    );
    workflowId = created.data!.createWorkflow.id;
    await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: workflowId }, token);
  });

  afterAll(async () => {
    await api?.close();
  });

  async function startRun(): Promise<{
    id: string;
    event: (sequence: number, type: string, nodeId: string | null, data?: Record<string, unknown>) => EmittedEvent;
  }> {
    const started = await api.gql<{ startExecution: { id: string } }>(
      'mutation($id: ID!) { startExecution(workflowId: $id, input: { a: 1, b: 2 }) { id } }',
      { id: workflowId },
      token,
    );
    const id = started.data!.startExecution.id;
    const runId = (await api.gql<{ execution: { temporalRunId: string } }>('query($id: ID!) { execution(id: $id) { temporalRunId } }', { id }, token)).data!
      .execution.temporalRunId;
    return {
      id,
      event: (sequence, type, nodeId, data = {}) =>
        ({
          executionId: id,
          sequence,
          type,
          nodeId,
          at: new Date().toISOString(),
          temporalWorkflowId: interpreterWorkflowId(id),
          temporalRunId: runId,
          data,
        }) as EmittedEvent,
    };
  }

  const read = async (id: string) =>
    (
      await api.gql<{
        execution: {
          status: string;
          result: unknown;
          events: { edges: Array<{ node: { id: string; sequence: number; type: string; nodeId: string | null; data: unknown } }> };
        };
      }>('query($id: ID!) { execution(id: $id) { status result events(first: 100) { edges { node { id sequence type nodeId data } } } } }', { id }, token)
    ).data!.execution;

  it('stores each event once, however often it is delivered, and the row follows the run to its end', async () => {
    const run = await startRun();
    const ingest = api.server.services.eventIngest;
    const events = [
      run.event(1, 'EXECUTION_STARTED', null, { input: { a: 1, b: 2 } }),
      run.event(2, 'STEP_STARTED', 'start'),
      run.event(3, 'STEP_COMPLETED', 'start', { output: { a: 1, b: 2 } }),
      run.event(4, 'STEP_STARTED', 'add'),
      run.event(5, 'STEP_COMPLETED', 'add', { output: { total: 3 } }),
    ];
    const first = [];
    for (const event of events) first.push(await ingest.ingest(event));
    // Delivered again (a durable bus after a restart; a second server in Redis mode): the same stored events.
    for (const [i, event] of events.entries()) expect((await ingest.ingest(event))!.id).toBe(first[i]!.id);
    expect((await read(run.id)).status).toBe('RUNNING');

    await ingest.ingest(run.event(6, 'EXECUTION_COMPLETED', null, { result: 3 }));
    await ingest.ingest(run.event(5, 'STEP_COMPLETED', 'add', { output: { total: 3 } }));
    const stored = await read(run.id);
    expect(stored.status).toBe('COMPLETED');
    expect(stored.result).toBe(3);
    expect(stored.events.edges.map((e) => [e.node.sequence, e.node.type, e.node.nodeId])).toEqual([
      [1, 'EXECUTION_STARTED', null],
      [2, 'STEP_STARTED', 'start'],
      [3, 'STEP_COMPLETED', 'start'],
      [4, 'STEP_STARTED', 'add'],
      [5, 'STEP_COMPLETED', 'add'],
      [6, 'EXECUTION_COMPLETED', null],
    ]);
    expect(stored.events.edges[4]!.node.data).toEqual({ output: { total: 3 } });
  });

  it('a waiter hears of the end of a run the moment its event is stored', async () => {
    const run = await startRun();
    const ingest = api.server.services.eventIngest;
    await ingest.ingest(run.event(1, 'EXECUTION_STARTED', null, { input: {} }));
    await ingest.ingest(run.event(2, 'STEP_STARTED', 'start'));
    const waiting = api.server.services.events.whenEnded(run.id, 20_000);
    let answered = false;
    void waiting.then(() => (answered = true));
    await ingest.ingest(run.event(3, 'STEP_COMPLETED', 'start', { output: {} }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    await ingest.ingest(run.event(4, 'EXECUTION_FAILED', 'start', { error: { message: 'node "start" failed: boom', nodeId: 'start' } }));
    const ended = await waiting;
    expect(ended).toMatchObject({ id: run.id, status: 'FAILED', error: { message: 'node "start" failed: boom' } });
  });

  it('a run ended meanwhile by someone else (a reconcile) keeps that end when its own end event arrives', async () => {
    const run = await startRun();
    const ingest = api.server.services.eventIngest;
    await ingest.ingest(run.event(1, 'EXECUTION_STARTED', null, { input: {} }));
    const reconciled = { message: 'the run is not known to Temporal (its history may have expired)' };
    await api.server.db.em.fork().nativeUpdate(Execution, { id: run.id }, { status: 'FAILED', error: reconciled, finishedAt: new Date() });
    const announced: Execution[] = [];
    const streams = api.server.services.events;
    const announce = streams.announce.bind(streams);
    streams.announce = (execution) => {
      announced.push(execution);
      announce(execution);
    };
    try {
      await ingest.ingest(run.event(2, 'EXECUTION_COMPLETED', null, { result: 3 }));
    } finally {
      streams.announce = announce;
    }
    const stored = await read(run.id);
    expect(stored).toMatchObject({ status: 'FAILED', result: null });
    expect(stored.events.edges.map((e) => e.node.type)).toEqual(['EXECUTION_STARTED', 'EXECUTION_COMPLETED']);
    expect(announced).toEqual([]);
    expect(ingest.follows(run.id)).toBe(false);
  });

  it('a waiter that skips its first read (ingest follows the run) hears of the end the moment it is stored', async () => {
    const run = await startRun();
    const ingest = api.server.services.eventIngest;
    await ingest.ingest(run.event(1, 'EXECUTION_STARTED', null, { input: {} }));
    expect(ingest.follows(run.id)).toBe(true);
    const waiting = api.server.services.events.whenEnded(run.id, 20_000, { following: ingest.follows(run.id) });
    await ingest.ingest(run.event(2, 'EXECUTION_COMPLETED', null, { result: 3 }));
    expect(await waiting).toMatchObject({ id: run.id, status: 'COMPLETED', result: 3 });
    expect(ingest.follows(run.id)).toBe(false);
  });

  it('a waiter is answered null when the run is still going at its timeout', async () => {
    const run = await startRun();
    expect(await api.server.services.events.whenEnded(run.id, 300)).toBeNull();
  });

  it("a step of a run quiet for more than 10 s moves its row's updatedAt; steps close together do not", async () => {
    const run = await startRun();
    const ingest = api.server.services.eventIngest;
    const updatedAt = async () => (await api.server.db.em.fork().findOneOrFail(Execution, { id: run.id })).updatedAt.getTime();
    await ingest.ingest(run.event(1, 'EXECUTION_STARTED', null, { input: {} }));
    const started = await updatedAt();
    // Counted from the row's own time (ingest last touched it within moments of that), not from the real clock.
    vi.useFakeTimers({ toFake: ['Date'], now: started + 5_000 });
    try {
      await ingest.ingest(run.event(2, 'STEP_STARTED', 'start'));
      expect(await updatedAt()).toBe(started);
      vi.setSystemTime(Date.now() + 6_000);
      await ingest.ingest(run.event(3, 'STEP_COMPLETED', 'start', { output: {} }));
      const touched = await updatedAt();
      expect(touched).toBe(Date.now());
      vi.setSystemTime(Date.now() + 1_000);
      await ingest.ingest(run.event(4, 'STEP_STARTED', 'add'));
      expect(await updatedAt()).toBe(touched);
    } finally {
      vi.useRealTimers();
    }
    expect((await read(run.id)).events.edges.map((e) => e.node.sequence)).toEqual([1, 2, 3, 4]);
  });

  it('a run that moves to another Temporal run (continue-as-new) has the row name the new one', async () => {
    const run = await startRun();
    const ingest = api.server.services.eventIngest;
    await ingest.ingest(run.event(1, 'EXECUTION_STARTED', null, { input: {} }));
    await ingest.ingest(run.event(2, 'STEP_STARTED', 'start'));
    await ingest.ingest({ ...run.event(3, 'STEP_COMPLETED', 'start', { output: {} }), temporalRunId: 'next-run' });
    const row = await api.server.db.em
      .fork()
      .getConnection()
      .execute<Array<{ temporal_run_id: string }>>('select temporal_run_id from executions where id = ?', [run.id]);
    expect(row[0]!.temporal_run_id).toBe('next-run');
  });
});
