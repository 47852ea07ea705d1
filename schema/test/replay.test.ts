import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { causeChain, emptyRunState, scopeOf, RunReplay, RunStateFold, stateAt, type EmittedEvent, type ReplayEvent } from '../src/index.js';

const RUNS = { numRuns: 100 };

/** What a generated run does next; the simulator below turns each into plausible events. */
type Command =
  | { kind: 'start'; node: number }
  | { kind: 'complete'; pick: number; output: number }
  | { kind: 'fail'; pick: number }
  | { kind: 'retry'; pick: number }
  | { kind: 'skip'; node: number }
  | { kind: 'wait'; pick: number; signal: number }
  | { kind: 'signal'; signal: number }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'set'; name: number; value: number }
  | { kind: 'continue' };

const NODES: Array<[id: string, type: string]> = [
  ['start', 'trigger.manual'],
  ['fetch', 'http.request'],
  ['check', 'condition'],
  ['approve', 'wait.signal'],
  ['each', 'loop'],
  ['body', 'transform'],
];
const SIGNALS = ['approval', 'go'];

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('start' as const), node: fc.nat(NODES.length - 1) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('complete' as const), pick: fc.nat(), output: fc.integer() }) },
  fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('retry' as const), pick: fc.nat() }) },
  fc.record({ kind: fc.constant('skip' as const), node: fc.nat(NODES.length - 1) }),
  fc.record({ kind: fc.constant('wait' as const), pick: fc.nat(), signal: fc.nat(SIGNALS.length - 1) }),
  fc.record({ kind: fc.constant('signal' as const), signal: fc.nat(SIGNALS.length - 1) }),
  fc.record({ kind: fc.constant('pause' as const) }),
  fc.record({ kind: fc.constant('resume' as const) }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), name: fc.nat(3), value: fc.integer() }) },
  fc.record({ kind: fc.constant('continue' as const) }),
);

/** Plays commands as the interpreter would emit them: only running nodes end, retry or wait; the status travels on the event that changes it. */
function simulate(commands: Command[], end: 'none' | 'completed' | 'failed' | 'cancelled'): EmittedEvent[] {
  const events: EmittedEvent[] = [];
  const running = new Set<string>();
  const waiting = new Set<string>();
  let paused = false;
  let reported = 'RUNNING';
  let runId = 'run-1';
  const attempts = new Map<string, number>();
  const emit = (type: EmittedEvent['type'], nodeId: string | null, data: EmittedEvent['data'] = {}, announce = false) => {
    if (announce) {
      const now = paused ? 'PAUSED' : waiting.size > 0 && waiting.size === [...running].filter((id) => id !== 'each').length ? 'WAITING' : 'RUNNING';
      if (now !== reported) data = { ...data, status: now };
      reported = now;
    }
    const sequence = events.length + 1;
    events.push({
      executionId: 'e1',
      sequence,
      type,
      nodeId,
      at: new Date(Date.UTC(2026, 0, 1) + sequence * 250).toISOString(),
      temporalWorkflowId: 'tandem-e1',
      temporalRunId: runId,
      data,
    });
  };
  const pick = (n: number) => [...running][n % running.size]!;
  emit('EXECUTION_STARTED', null, { input: { items: [1, 2] }, triggerNodeId: 'start' });
  for (const c of commands) {
    switch (c.kind) {
      case 'start': {
        const [id, type] = NODES[c.node]!;
        if (running.has(id) || paused) break;
        running.add(id);
        emit('STEP_STARTED', id, { type, input: { from: id } }, true);
        break;
      }
      case 'complete':
        if (running.size === 0) break;
        {
          const id = pick(c.pick);
          running.delete(id);
          waiting.delete(id);
          emit('STEP_COMPLETED', id, { output: { value: c.output }, durationMs: 5, ...(id === 'check' ? { handles: ['true'] } : {}) }, true);
        }
        break;
      case 'fail':
        if (running.size === 0) break;
        {
          const id = pick(c.pick);
          running.delete(id);
          waiting.delete(id);
          emit('STEP_FAILED', id, { error: { message: `${id} broke`, cause: { type: 'HttpError', message: 'status 500' } }, durationMs: 7 }, true);
        }
        break;
      case 'retry':
        if (running.size === 0) break;
        {
          const id = pick(c.pick);
          const attempt = (attempts.get(id) ?? 0) + 1;
          attempts.set(id, attempt);
          emit('STEP_RETRYING', id, { attempt, error: { message: 'status 503', type: 'ApplicationFailure' }, delayMs: 100 * attempt });
        }
        break;
      case 'skip': {
        const [id] = NODES[c.node]!;
        if (!running.has(id)) emit('STEP_SKIPPED', id, {});
        break;
      }
      case 'wait':
        if (running.size === 0) break;
        {
          const id = pick(c.pick);
          if (waiting.has(id) || id === 'each') break;
          waiting.add(id);
          emit('STEP_WAITING', id, { signal: SIGNALS[c.signal]! }, true);
        }
        break;
      case 'signal':
        emit('SIGNAL_RECEIVED', null, { name: SIGNALS[c.signal]!, payload: { ok: true } });
        break;
      case 'pause':
        if (paused) break;
        paused = true;
        emit('EXECUTION_PAUSED', null, {}, true);
        break;
      case 'resume':
        if (!paused) break;
        paused = false;
        emit('EXECUTION_RESUMED', null, {}, true);
        break;
      case 'set':
        if (paused) break;
        emit('STEP_STARTED', 'remember', { type: 'set', input: {} }, true);
        emit('STEP_COMPLETED', 'remember', { output: { [`v${c.name}`]: c.value }, durationMs: 0 }, true);
        break;
      case 'continue': {
        // Only a loop alone at the top level continues as new; it starts again in the new run.
        if (running.size !== 1 || !running.has('each') || paused) break;
        const continuation = Number(runId.slice(4));
        emit('CONTINUED_AS_NEW', 'each', { iteration: continuation * 10, continuation });
        runId = `run-${continuation + 1}`;
        emit('STEP_STARTED', 'each', { type: 'loop', input: {} }, true);
        break;
      }
    }
  }
  if (end === 'completed') emit('EXECUTION_COMPLETED', null, { result: 42 });
  if (end === 'failed')
    emit('EXECUTION_FAILED', 'fetch', {
      error: { message: 'node "fetch" (http.request) failed: broke', nodeId: 'fetch', nodeType: 'http.request', cause: null },
    });
  if (end === 'cancelled') emit('EXECUTION_CANCELLED', null, {});
  return events;
}

const run = fc
  .tuple(fc.array(command, { maxLength: 120 }), fc.constantFrom('none' as const, 'completed' as const, 'failed' as const, 'cancelled' as const))
  .map(([commands, end]) => simulate(commands, end));

function foldFromScratch(events: readonly ReplayEvent[]) {
  return new RunStateFold().applyAll(events).snapshot();
}

describe('the state of a run at any event', () => {
  it('at the last event is what folding every event gives, one at a time or all at once', () => {
    fc.assert(
      fc.property(run, (events) => {
        const fold = new RunStateFold();
        for (const event of events) fold.apply(event);
        const all = foldFromScratch(events);
        expect(fold.snapshot()).toEqual(all);
        expect(stateAt(events)).toEqual(all);
        expect(stateAt(events, events.length)).toEqual(all);
        expect(new RunReplay(events, 8).latest()).toEqual(all);
      }),
      RUNS,
    );
  });

  it('jumping to N through checkpoints equals folding the first N events from scratch', () => {
    fc.assert(
      fc.property(run, fc.integer({ min: 1, max: 40 }), fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), (events, every, picks) => {
        const replay = new RunReplay(events, every);
        for (const pick of picks) {
          const n = pick % (events.length + 1);
          expect(replay.stateAt(n)).toEqual(foldFromScratch(events.slice(0, n)));
        }
      }),
      RUNS,
    );
  });

  it('jumping backwards then forwards equals jumping there directly', () => {
    fc.assert(
      fc.property(run, fc.integer({ min: 1, max: 16 }), fc.nat(), fc.nat(), (events, every, a, b) => {
        const [low, high] = [a % (events.length + 1), b % (events.length + 1)].sort((x, y) => x - y) as [number, number];
        const replay = new RunReplay(events, every);
        replay.stateAt(events.length);
        replay.stateAt(high);
        const back = replay.stateAt(low);
        const forward = replay.stateAt(high);
        const direct = new RunReplay(events, every);
        expect(back).toEqual(direct.stateAt(low));
        expect(forward).toEqual(direct.stateAt(high));
        expect(forward).toEqual(foldFromScratch(events.slice(0, high)));
      }),
      RUNS,
    );
  });

  it('a state goes on from any snapshot as if folded in one go, and earlier snapshots never change', () => {
    fc.assert(
      fc.property(run, fc.nat(), (events, cut) => {
        const n = cut % (events.length + 1);
        const fold = new RunStateFold().applyAll(events.slice(0, n));
        const early = fold.snapshot();
        const frozen = structuredClone(early);
        fold.applyAll(events.slice(n));
        expect(early).toEqual(frozen);
        expect(RunStateFold.from(early).applyAll(events.slice(n)).snapshot()).toEqual(fold.snapshot());
      }),
      RUNS,
    );
  });

  it('agrees with the events: statuses, runs and attempts add up', () => {
    fc.assert(
      fc.property(run, (events) => {
        const state = stateAt(events);
        for (const node of state.steps.values()) {
          const mine = events.filter((e) => e.nodeId === node.nodeId);
          expect(node.starts).toBe(mine.filter((e) => e.type === 'STEP_STARTED').length);
          expect(node.retries).toBe(mine.filter((e) => e.type === 'STEP_RETRYING').length);
          expect(node.runs.reduce((sum, r) => sum + r.attempts.length, 0)).toBe(node.retries);
          expect(node.status).toBe(node.runs.at(-1)?.status ?? 'pending');
          node.runs.forEach((r, index) => expect(r.index).toBe(index));
        }
        for (const w of state.waiting) expect(state.steps.get(w.nodeId)?.status).toBe('waiting');
        expect(state.sequence).toBe(events.at(-1)?.sequence ?? 0);
        expect(state.events).toBe(events.length);
        expect(new RunStateFold().applyAll(events).scope()).toEqual(scopeOf(state));
      }),
      RUNS,
    );
  });
});

let sequence = 0;
const event = (type: EmittedEvent['type'], nodeId: string | null, data: EmittedEvent['data'] = {}, runId = 'r1'): EmittedEvent => ({
  executionId: 'x',
  sequence: ++sequence,
  type,
  nodeId,
  at: new Date(Date.UTC(2026, 10, 25, 16, 33, 30) + sequence * 1000).toISOString(),
  temporalWorkflowId: 'tandem-x',
  temporalRunId: runId,
  data,
});

describe('the state of real runs', () => {
  it('a failing http.request: attempts, the error with its cause chain, and the run error', () => {
    sequence = 0;
    const events = [
      event('EXECUTION_STARTED', null, { input: { id: 7 }, triggerNodeId: 'start', origin: 'manual' }),
      event('STEP_STARTED', 'start', { type: 'trigger.manual', input: {} }),
      event('STEP_COMPLETED', 'start', { output: { id: 7 }, durationMs: 0 }),
      event('STEP_STARTED', 'remember', { type: 'set', input: { start: { id: 7 } } }),
      event('STEP_COMPLETED', 'remember', { output: { id: 7, tries: 0 }, durationMs: 0 }),
      event('STEP_STARTED', 'fetch', { type: 'http.request', input: { remember: { id: 7, tries: 0 } } }),
      event('STEP_RETRYING', 'fetch', { attempt: 1, error: { message: 'the server answered 503', type: 'ApplicationFailure' }, delayMs: 200 }),
      event('STEP_RETRYING', 'fetch', { attempt: 2, error: { message: 'the server answered 503', type: 'ApplicationFailure' }, delayMs: 400 }),
      event('STEP_FAILED', 'fetch', {
        error: { message: 'the server answered 503', cause: { type: 'HttpStatusError', message: 'status 503' } },
        durationMs: 812,
      }),
      event('EXECUTION_FAILED', 'fetch', {
        error: {
          message: 'node "fetch" (http.request) failed: the server answered 503',
          nodeId: 'fetch',
          nodeType: 'http.request',
          cause: { type: 'HttpStatusError', message: 'status 503' },
        },
      }),
    ];
    const replay = new RunReplay(events, 4);

    const during = replay.stateAt(7);
    expect(during.status).toBe('RUNNING');
    expect(during.steps.get('fetch')).toMatchObject({ status: 'running', retries: 1, error: { message: 'the server answered 503' } });
    expect(during.vars).toEqual({ id: 7, tries: 0 });

    const end = replay.stateAt(events.length);
    expect(end.status).toBe('FAILED');
    expect(end.finished).toBe(true);
    expect(end.startedAt).toBe(events[0]!.at);
    expect(end.finishedAt).toBe(events.at(-1)!.at);
    expect(end.input).toEqual({ id: 7 });
    const fetch = end.steps.get('fetch')!;
    expect(fetch).toMatchObject({ status: 'failed', type: 'http.request', durationMs: 812, startedAt: events[5]!.at, finishedAt: events[8]!.at });
    expect(fetch.runs).toHaveLength(1);
    expect(fetch.runs[0]!.attempts.map((a) => [a.attempt, a.delayMs, a.sequence])).toEqual([
      [1, 200, 7],
      [2, 400, 8],
    ]);
    expect(causeChain(fetch.error).map((e) => e.message)).toEqual(['the server answered 503', 'status 503']);
    expect(causeChain(end.error).map((e) => e.message)).toEqual(['node "fetch" (http.request) failed: the server answered 503', 'status 503']);
    expect(end.error?.nodeId).toBe('fetch');
  });

  it('a loop that continues as new: one run per body iteration, the loop one run across Temporal runs', () => {
    sequence = 0;
    const body = (i: number, runId: string) => [
      event('STEP_STARTED', 'add', { type: 'set', input: {} }, runId),
      event('STEP_COMPLETED', 'add', { output: { total: i }, durationMs: 0 }, runId),
    ];
    const events = [
      event('EXECUTION_STARTED', null, { input: { items: [1, 2, 3] } }),
      event('STEP_STARTED', 'each', { type: 'loop', input: {} }),
      ...body(1, 'r1'),
      ...body(3, 'r1'),
      event('CONTINUED_AS_NEW', 'each', { iteration: 2, continuation: 1 }),
      event('STEP_STARTED', 'each', { type: 'loop', input: {} }, 'r2'),
      ...body(6, 'r2'),
      event('STEP_COMPLETED', 'each', { output: { iterations: 3 }, durationMs: 30, handles: ['done'] }, 'r2'),
      event('STEP_STARTED', 'out', { type: 'output', input: {} }, 'r2'),
      event('STEP_COMPLETED', 'out', { output: 6, durationMs: 0 }, 'r2'),
      event('EXECUTION_COMPLETED', null, { result: 6 }, 'r2'),
    ];
    const replay = new RunReplay(events);
    const between = replay.stateAt(7);
    expect(between.steps.get('each')).toMatchObject({ status: 'running', continuing: true });
    expect(between.loops.get('each')).toEqual({ iteration: 2, continuations: 1 });

    const end = replay.latest();
    const loop = end.steps.get('each')!;
    expect(loop).toMatchObject({ status: 'succeeded', starts: 2, startedAt: events[1]!.at });
    expect(loop.continuing).toBeUndefined();
    expect(loop.runs).toHaveLength(1);
    expect(loop.runs[0]!.handles).toEqual(['done']);
    const add = end.steps.get('add')!;
    expect(add.runs.map((r) => [r.index, r.output])).toEqual([
      [0, { total: 1 }],
      [1, { total: 3 }],
      [2, { total: 6 }],
    ]);
    expect(end.vars).toEqual({ total: 6 });
    expect(replay.stateAt(4).vars).toEqual({ total: 1 });
    expect(scopeOf(replay.stateAt(4))).toEqual({ input: { items: [1, 2, 3] }, nodes: { add: { total: 1 } }, vars: { total: 1 }, varsIncomplete: false });
    // In the third iteration, before the body ran again, `nodes.add` is still the second one's.
    expect(scopeOf(replay.stateAt(9)).nodes).toEqual({ add: { total: 3 } });
    expect(end.result).toBe(6);
    expect(end.status).toBe('COMPLETED');
  });

  it('waits for a signal, pauses and resumes, and a cancel skips what was in flight', () => {
    sequence = 0;
    const events = [
      event('EXECUTION_STARTED', null, {}),
      event('STEP_STARTED', 'approve', { type: 'wait.signal', input: {} }),
      event('STEP_WAITING', 'approve', { signal: 'approval', timeoutMs: 60000, status: 'WAITING' }),
      event('EXECUTION_PAUSED', null, { status: 'PAUSED' }),
      event('EXECUTION_RESUMED', null, { status: 'WAITING' }),
      event('EXECUTION_CANCELLED', null, {}),
    ];
    const replay = new RunReplay(events);
    expect(replay.stateAt(0)).toEqual(emptyRunState());
    expect(replay.stateAt(3)).toMatchObject({ status: 'WAITING', paused: false, waiting: [{ nodeId: 'approve', signal: 'approval' }] });
    expect(replay.stateAt(4)).toMatchObject({ status: 'PAUSED', paused: true });
    expect(replay.stateAt(5)).toMatchObject({ status: 'WAITING', paused: false });
    const end = replay.latest();
    expect(end).toMatchObject({ status: 'CANCELLED', finished: true, waiting: [] });
    expect(end.steps.get('approve')?.status).toBe('skipped');
  });

  it('knows when vars may miss a value a set node set', () => {
    sequence = 0;
    const state = stateAt([
      event('EXECUTION_STARTED', null, {}),
      event('STEP_STARTED', 'big', { type: 'set', input: {} }),
      event('STEP_COMPLETED', 'big', { output: { truncated: true, size: 40_000, preview: '{"blob":"' }, durationMs: 0 }),
    ]);
    expect(state.vars).toEqual({});
    expect(state.varsIncomplete).toBe(true);
    expect(new RunStateFold().applyAll([]).scope().varsIncomplete).toBe(false);
  });

  it('ignores a redelivered event', () => {
    sequence = 0;
    const first = event('EXECUTION_STARTED', null, {});
    const replay = new RunReplay([first]);
    expect(replay.push(first)).toBe(false);
    expect(replay.length).toBe(1);
  });
});
