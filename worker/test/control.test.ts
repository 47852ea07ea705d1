import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { EmittedEvent } from '@tandem/schema';
import { INTERPRETER_QUERIES, INTERPRETER_SIGNALS, type LiveState } from '@tandem/worker';
import { eventually } from '../../test-support/eventually.js';
import { createHarness, workflow, type Harness } from './harness.js';
import { startHttpServer, type TestHttpServer } from './http-server.js';

let h: Harness;
let server: TestHttpServer;
beforeAll(async () => {
  server = await startHttpServer({ '/hang': () => {} });
  h = await createHarness({ allow: ['127.0.0.1'] });
});
afterAll(async () => {
  await h?.close();
  await server?.close();
});

const approval = (
  config: Record<string, unknown> = {},
  extraNodes: Array<{ id: string; type: string; config?: Record<string, unknown> }> = [],
  extraEdges: Array<[string, string, string?]> = [],
) =>
  workflow(
    [
      { id: 't', type: 'trigger.manual' },
      { id: 'approve', type: 'wait.signal', config: { signal: 'approve', ...config } },
      { id: 'out', type: 'output', config: { expression: "{ 'by': nodes.approve.by }" } },
      ...extraNodes,
    ],
    [['t', 'approve'], ['approve', 'out', ...(config.onTimeout === 'branch' ? ['received'] : [])] as [string, string, string?], ...extraEdges] as Array<
      [string, string] | [string, string, string]
    >,
  );

const executionOf = (handle: WorkflowHandle) => handle.workflowId.replace(/^tandem-/, '');
const eventsOf = (handle: WorkflowHandle) => h.eventsOf(executionOf(handle));
const state = (handle: WorkflowHandle) => handle.query<LiveState>(INTERPRETER_QUERIES.state);
const signal = (handle: WorkflowHandle, name: string, payload: unknown) => handle.signal(INTERPRETER_SIGNALS.custom, { name, payload });
const typesOf = (events: EmittedEvent[]) => events.map((e) => e.type);

describe('wait.signal', () => {
  it('is WAITING until its own signal arrives; unrelated signals do not release it; output is the payload', async () => {
    const handle = await h.start(approval(), {});
    await eventually(() => typesOf(eventsOf(handle)).includes('STEP_WAITING'));
    expect(eventsOf(handle).find((e) => e.type === 'STEP_WAITING')).toMatchObject({ nodeId: 'approve', data: { signal: 'approve', status: 'WAITING' } });
    await signal(handle, 'reject', { by: 'mallory' });
    await eventually(() => typesOf(eventsOf(handle)).includes('SIGNAL_RECEIVED'));
    expect(await state(handle)).toMatchObject({ status: 'WAITING', waitingFor: [{ nodeId: 'approve', signal: 'approve' }], pendingSignals: { reject: 1 } });
    await signal(handle, 'approve', { by: 'alice' });
    expect(await handle.result()).toEqual({ by: 'alice' });
    await eventually(() => typesOf(eventsOf(handle)).includes('EXECUTION_COMPLETED'));
    expect(eventsOf(handle).find((e) => e.type === 'STEP_COMPLETED' && e.nodeId === 'approve')?.data).toMatchObject({
      output: { by: 'alice' },
      status: 'RUNNING',
    });
  });

  it('fails after timeoutMs, or follows the timeout handle when so configured', async () => {
    const failing = await h.run(approval({ timeoutMs: 1_000 }), {});
    expect((failing.error!.cause as Error).message).toBe('node "approve" (wait.signal) failed: no "approve" signal within 1000 ms');
    const branching = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'approve', type: 'wait.signal', config: { signal: 'approve', timeoutMs: 1_000, onTimeout: 'branch' } },
        { id: 'yes', type: 'output', config: { expression: "'approved'" } },
        { id: 'late', type: 'output', config: { expression: "'escalated'" } },
      ],
      [
        ['t', 'approve'],
        ['approve', 'yes', 'received'],
        ['approve', 'late', 'timeout'],
      ],
    );
    expect((await h.run(branching, {})).result).toBe('escalated');
  });

  it('is WAITING when a wait inside a loop body is all that runs', async () => {
    const def = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'each', type: 'loop', config: { mode: 'forEach', expression: '[1, 2]' } },
        { id: 'ok', type: 'wait.signal', config: { signal: 'next' } },
        { id: 'out', type: 'output', config: { expression: 'nodes.each.iterations' } },
      ],
      [
        ['t', 'each'],
        ['each', 'ok', 'body'],
        ['ok', 'each'],
        ['each', 'out', 'done'],
      ],
    );
    const handle = await h.start(def, {});
    await eventually(() => typesOf(eventsOf(handle)).includes('STEP_WAITING'));
    expect((await state(handle)).status).toBe('WAITING');
    await signal(handle, 'next', 1);
    await signal(handle, 'next', 2);
    expect(await handle.result()).toBe(2);
  });

  it('releases one waiting node per signal when several wait for the same name', async () => {
    const def = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'fan', type: 'parallel' },
        { id: 'a', type: 'wait.signal', config: { signal: 'vote' } },
        { id: 'b', type: 'wait.signal', config: { signal: 'vote' } },
        { id: 'both', type: 'join' },
        { id: 'out', type: 'output', config: { expression: '[nodes.both.a.v, nodes.both.b.v]' } },
      ],
      [
        ['t', 'fan'],
        ['fan', 'a'],
        ['fan', 'b'],
        ['a', 'both'],
        ['b', 'both'],
        ['both', 'out'],
      ],
    );
    const handle = await h.start(def, {});
    await eventually(() => eventsOf(handle).filter((e) => e.type === 'STEP_WAITING').length === 2);
    await signal(handle, 'vote', { v: 1 });
    await eventually(() => eventsOf(handle).some((e) => e.type === 'STEP_COMPLETED' && (e.nodeId === 'a' || e.nodeId === 'b')));
    expect((await state(handle)).waitingFor).toHaveLength(1);
    await signal(handle, 'vote', { v: 2 });
    expect(((await handle.result()) as number[]).sort()).toEqual([1, 2]);
  });

  it('delivers a signal sent while the worker is down once the worker returns', async () => {
    const handle = await h.start(approval(), {});
    await eventually(() => typesOf(eventsOf(handle)).includes('STEP_WAITING'));
    await h.stopWorker();
    await signal(handle, 'approve', { by: 'offline-bob' });
    await h.startWorker();
    expect(await handle.result()).toEqual({ by: 'offline-bob' });
  });
});

describe('pause and resume', () => {
  const slowChain = workflow(
    [
      { id: 't', type: 'trigger.manual' },
      { id: 'first', type: 'delay', config: { durationMs: 1_500 } },
      { id: 'second', type: 'transform', config: { expression: "'done'" } },
      { id: 'out', type: 'output', config: { expression: 'nodes.second' } },
    ],
    [
      ['t', 'first'],
      ['first', 'second'],
      ['second', 'out'],
    ],
  );

  it('starts no step while paused, survives a worker restart, and continues on resume', async () => {
    const handle = await h.start(slowChain, {});
    await eventually(() => eventsOf(handle).some((e) => e.type === 'STEP_STARTED' && e.nodeId === 'first'));
    await handle.signal(INTERPRETER_SIGNALS.pause);
    await eventually(() => typesOf(eventsOf(handle)).includes('EXECUTION_PAUSED'));
    expect(eventsOf(handle).find((e) => e.type === 'EXECUTION_PAUSED')?.data).toEqual({ status: 'PAUSED' });
    // The timer in flight finishes; the next step does not start.
    await eventually(() => eventsOf(handle).some((e) => e.type === 'STEP_COMPLETED' && e.nodeId === 'first'));
    await h.stopWorker();
    await h.startWorker();
    // A query is answered only after the restarted worker has replayed the run and handled the
    // task pending for it: had the run gone on while paused, 'second' would have started first.
    expect(await state(handle)).toMatchObject({ status: 'PAUSED', paused: true, completedNodes: ['t', 'first'] });
    expect(eventsOf(handle).some((e) => e.nodeId === 'second')).toBe(false);
    await handle.signal(INTERPRETER_SIGNALS.resume);
    expect(await handle.result()).toBe('done');
    await eventually(() => typesOf(eventsOf(handle)).includes('EXECUTION_COMPLETED'));
    const types = typesOf(eventsOf(handle));
    expect(types.indexOf('EXECUTION_RESUMED')).toBeLessThan(types.indexOf('STEP_COMPLETED', types.indexOf('EXECUTION_RESUMED')));
  });
});

describe('cancel', () => {
  it('cancels a run during an activity: the request is abandoned and EXECUTION_CANCELLED is emitted', async () => {
    const def = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'call', type: 'http.request', config: { url: `${server.url}/hang`, timeoutMs: 60_000, retry: { maxAttempts: 1 } } },
      ],
      [['t', 'call']],
    );
    const handle = await h.start(def, {});
    await eventually(() => (server.hits.get('/hang') ?? 0) > 0);
    await handle.cancel();
    const outcome = await handle.result().then(
      () => 'completed',
      (error: unknown) => (error instanceof WorkflowFailedError ? error.cause?.name : String(error)),
    );
    expect(outcome).toBe('CancelledFailure');
    // The worker gave up the request itself: the server saw the connection close unanswered.
    await eventually(() => server.abandoned === 1);
    await eventually(() => typesOf(eventsOf(handle)).includes('EXECUTION_CANCELLED'));
    const history = await handle.fetchHistory();
    expect((history.events ?? []).some((e) => e.activityTaskCancelRequestedEventAttributes)).toBe(true);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
  });
});
