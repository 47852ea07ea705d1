import { describe, expect, it } from 'vitest';
import { applyEvents, emptyRunState, runStateFollower } from '../src/lib/run-state';
import type { ExecutionEvent } from '../src/lib/queries';

let sequence = 0;
const event = (type: string, nodeId: string | null, data: Record<string, unknown> = {}): ExecutionEvent => ({
  id: String(++sequence),
  sequence,
  type,
  nodeId,
  at: new Date(1_700_000_000_000 + sequence * 1000).toISOString(),
  data,
});

describe('run state from events', () => {
  it('follows each node from pending to its end, with durations, inputs and outputs', () => {
    const events = [
      event('EXECUTION_STARTED', null, { input: { a: 1 } }),
      event('STEP_STARTED', 'start', { type: 'trigger.manual', input: { input: { a: 1 } } }),
      event('STEP_COMPLETED', 'start', { output: { a: 1 }, durationMs: 0 }),
      event('STEP_STARTED', 'check', { type: 'condition', input: { start: { a: 1 } } }),
    ];
    let state = applyEvents(emptyRunState(), events);
    expect(state.status).toBe('RUNNING');
    expect(state.steps.get('start')?.status).toBe('succeeded');
    expect(state.steps.get('check')?.status).toBe('running');
    expect(state.steps.get('check')?.input).toEqual({ start: { a: 1 } });

    state = applyEvents(state, [
      event('STEP_COMPLETED', 'check', { output: true, durationMs: 12, handles: ['true'] }),
      event('STEP_SKIPPED', 'no', {}),
      event('STEP_STARTED', 'approval', { type: 'wait.signal', input: {} }),
      event('STEP_WAITING', 'approval', { signal: 'approve', status: 'WAITING' }),
    ]);
    expect(state.status).toBe('WAITING');
    expect(state.steps.get('check')?.durationMs).toBe(12);
    expect(state.steps.get('no')?.status).toBe('skipped');
    expect(state.waiting).toEqual([{ nodeId: 'approval', signal: 'approve' }]);

    state = applyEvents(state, [
      event('SIGNAL_RECEIVED', null, { name: 'approve', payload: { ok: true } }),
      event('STEP_COMPLETED', 'approval', { output: { ok: true }, durationMs: 5000, status: 'RUNNING' }),
      event('EXECUTION_COMPLETED', null, { result: 42 }),
    ]);
    expect(state.status).toBe('COMPLETED');
    expect(state.result).toBe(42);
    expect(state.finished).toBe(true);
    expect(state.waiting).toEqual([]);
  });

  it('names the failing node and its message', () => {
    const state = applyEvents(emptyRunState(), [
      event('EXECUTION_STARTED', null),
      event('STEP_STARTED', 'reject', { type: 'fail' }),
      event('STEP_FAILED', 'reject', { error: { message: 'too small', cause: { type: 'FailNode', message: 'too small' } }, durationMs: 0 }),
      event('EXECUTION_FAILED', 'reject', { error: { message: 'node "reject" (fail) failed: too small', nodeId: 'reject', nodeType: 'fail' } }),
    ]);
    expect(state.status).toBe('FAILED');
    expect(state.steps.get('reject')?.status).toBe('failed');
    expect(state.error?.nodeId).toBe('reject');
  });

  it('tracks pause, resume and loop continuations', () => {
    const state = applyEvents(emptyRunState(), [
      event('EXECUTION_STARTED', null),
      event('EXECUTION_PAUSED', null, { status: 'PAUSED' }),
      event('EXECUTION_RESUMED', null, { status: 'RUNNING' }),
      event('CONTINUED_AS_NEW', 'each', { iteration: 500, continuation: 1 }),
      event('CONTINUED_AS_NEW', 'each', { iteration: 1000, continuation: 2 }),
    ]);
    expect(state.status).toBe('RUNNING');
    expect(state.loops.get('each')).toEqual({ iteration: 1000, continuations: 2 });
  });

  it('follows a growing event list, folding only what was appended, and starts over on another list', () => {
    const events = [
      event('EXECUTION_STARTED', null),
      event('STEP_STARTED', 'fetch', { type: 'http.request', input: {} }),
      event('STEP_RETRYING', 'fetch', { attempt: 1, error: { message: '503', type: 'ApplicationFailure' }, delayMs: 100 }),
      event('STEP_COMPLETED', 'fetch', { output: { ok: true }, durationMs: 300 }),
    ];
    const follow = runStateFollower();
    for (let n = 0; n <= events.length; n++) expect(follow(events.slice(0, n))).toEqual(applyEvents(emptyRunState(), events.slice(0, n)));
    expect(follow(events).steps.get('fetch')).toMatchObject({ status: 'succeeded', retries: 1, durationMs: 300 });
    const other = [event('EXECUTION_STARTED', null), event('EXECUTION_CANCELLED', null)];
    expect(follow(other)).toEqual(applyEvents(emptyRunState(), other));
  });
});
