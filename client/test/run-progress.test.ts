import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '@tandem/schema';
import type { ExecutionEvent } from '../src/lib/queries';
import { describeLoop, loopProgress, scopeIsComplete, temporalRuns } from '../src/runs/progress';

let sequence = 0;
const event = (type: string, nodeId: string | null, data: Record<string, unknown> = {}): ExecutionEvent => ({
  id: String(++sequence),
  sequence,
  type,
  nodeId,
  at: new Date(1_700_000_000_000 + sequence * 1000).toISOString(),
  data,
});

const definition = {
  format: 'tandem.workflow/v1',
  name: 'Batch',
  params: { factor: 2 },
  nodes: [
    { id: 't', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    {
      id: 'each',
      type: 'loop',
      position: { x: 200, y: 0 },
      config: { mode: 'forEach', expression: 'input.items', maxIterations: 1000, continueAsNewEvery: 2 },
    },
    { id: 'add', type: 'set', position: { x: 400, y: 0 }, config: { variables: { total: '(vars.total ? vars.total : 0) + loop.item' } } },
    { id: 'out', type: 'output', position: { x: 400, y: 200 }, config: { expression: 'vars.total' } },
  ],
  edges: [
    { id: 'e1', source: 't', target: 'each' },
    { id: 'e2', source: 'each', sourceHandle: 'body', target: 'add' },
    { id: 'e3', source: 'add', target: 'each' },
    { id: 'e4', source: 'each', sourceHandle: 'done', target: 'out' },
  ],
} as unknown as WorkflowDefinition;

function iteration(n: number): ExecutionEvent[] {
  return [event('STEP_STARTED', 'add', { type: 'set', input: {} }), event('STEP_COMPLETED', 'add', { output: { total: n }, durationMs: 0 })];
}

describe('loop progress and Temporal runs from events', () => {
  it('counts iterations across continue-as-new seams and splits the events into Temporal runs', () => {
    sequence = 0;
    const events = [
      event('EXECUTION_STARTED', null, { input: { items: [1, 2, 3, 4, 5] }, triggerNodeId: 't' }),
      event('STEP_STARTED', 't', { type: 'trigger.manual', input: {} }),
      event('STEP_COMPLETED', 't', { output: { items: [1, 2, 3, 4, 5] }, durationMs: 0 }),
      event('STEP_STARTED', 'each', { type: 'loop', input: {} }),
      ...iteration(1),
      ...iteration(3),
      event('CONTINUED_AS_NEW', 'each', { iteration: 2, continuation: 1 }),
      event('STEP_STARTED', 'each', { type: 'loop', input: {} }),
      ...iteration(6),
    ];
    let fold = loopProgress(definition, events);
    expect(fold.loops).toEqual([
      { nodeId: 'each', mode: 'forEach', iteration: 3, total: null, maxIterations: 1000, done: false, failed: false, continuations: 1 },
    ]);
    // The list is evaluated over what the loop saw when it first started.
    const scope = fold.scopes.get('each')!;
    expect(scope.expression).toBe('input.items');
    expect(scope.scope.input).toEqual({ items: [1, 2, 3, 4, 5] });
    expect(scope.scope.params).toEqual({ factor: 2 });
    expect(scope.startSequence).toBe(4);
    expect(scopeIsComplete(scope.scope)).toBe(true);

    let runs = temporalRuns(events);
    expect(runs.map((r) => [r.index, r.firstSequence, r.lastSequence, r.end, r.loopNodeId, r.iteration])).toEqual([
      [1, 1, 9, 'continued', 'each', 2],
      [2, 10, 12, 'current', undefined, undefined],
    ]);

    const rest = [
      ...iteration(10),
      event('CONTINUED_AS_NEW', 'each', { iteration: 4, continuation: 2 }),
      event('STEP_STARTED', 'each', { type: 'loop', input: {} }),
      ...iteration(15),
      event('STEP_COMPLETED', 'each', { output: { iterations: 5 }, durationMs: 3, handles: ['done'] }),
      event('STEP_STARTED', 'out', { type: 'output', input: {} }),
      event('STEP_COMPLETED', 'out', { output: 15, durationMs: 0 }),
      event('EXECUTION_COMPLETED', null, { result: 15 }),
    ];
    fold = loopProgress(definition, [...events, ...rest]);
    expect(fold.loops[0]).toMatchObject({ iteration: 5, total: 5, done: true, continuations: 2 });
    expect(fold.scopes.get('each')!.startSequence).toBe(4);
    runs = temporalRuns([...events, ...rest]);
    expect(runs.map((r) => r.end)).toEqual(['continued', 'continued', 'ended']);
    expect(runs.reduce((sum, r) => sum + r.events, 0)).toBe(events.length + rest.length);
  });

  it('starts an inner loop afresh in each outer iteration, and notices shortened values', () => {
    sequence = 0;
    const events = [
      event('EXECUTION_STARTED', null, { input: { truncated: true, size: 40_000, preview: '{"items":[' } }),
      event('STEP_STARTED', 'each', { type: 'loop', input: {} }),
      ...iteration(1),
      ...iteration(2),
      event('STEP_COMPLETED', 'each', { output: { iterations: 2 }, durationMs: 0, handles: ['done'] }),
      event('STEP_STARTED', 'each', { type: 'loop', input: {} }),
      ...iteration(3),
    ];
    const fold = loopProgress(definition, events);
    expect(fold.loops[0]).toMatchObject({ iteration: 1, total: null, done: false });
    expect(scopeIsComplete(fold.scopes.get('each')!.scope)).toBe(false);
  });

  it('describes a loop in words', () => {
    const base = { nodeId: 'each', mode: 'forEach' as const, maxIterations: 1000, done: false, failed: false, continuations: 0 };
    expect(describeLoop({ ...base, iteration: 742, total: 1500 })).toBe('iteration 742 of 1,500');
    expect(describeLoop({ ...base, iteration: 3, total: null })).toBe('iteration 3 (at most 1,000)');
    expect(describeLoop({ ...base, iteration: 0, total: 4 })).toBe('starting, 4 iterations to go');
    expect(describeLoop({ ...base, iteration: 1500, total: 1500, done: true })).toBe('1,500 iterations, done');
    expect(describeLoop({ ...base, maxIterations: null, iteration: 1, total: null })).toBe('iteration 1');
  });
});
