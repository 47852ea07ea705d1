import { render, screen } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '@tandem/schema';
import type { ExecutionEvent } from '../src/lib/queries';
import { RunProgress } from '../src/runs/RunProgress';

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
  params: { take: 4 },
  nodes: [
    { id: 't', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    {
      id: 'each',
      type: 'loop',
      name: 'Each order',
      position: { x: 200, y: 0 },
      config: { mode: 'forEach', expression: 'input.orders[[0..$$.params.take - 1]]', continueAsNewEvery: 10 },
    },
    { id: 'add', type: 'transform', position: { x: 400, y: 0 }, config: { expression: 'loop.item' } },
  ],
  edges: [
    { id: 'e1', source: 't', target: 'each' },
    { id: 'e2', source: 'each', sourceHandle: 'body', target: 'add' },
    { id: 'e3', source: 'add', target: 'each' },
  ],
} as unknown as WorkflowDefinition;

describe('run progress panels', () => {
  it('shows iteration i of n (n from the list expression, params included), then the Temporal runs as the events come', async () => {
    sequence = 0;
    const [events, setEvents] = createSignal<ExecutionEvent[]>([
      event('EXECUTION_STARTED', null, { input: { orders: [10, 20, 30, 40, 50, 60] }, triggerNodeId: 't' }),
      event('STEP_STARTED', 'each', { type: 'loop', input: {} }),
      event('STEP_STARTED', 'add', { type: 'transform', input: {} }),
    ]);
    render(() => <RunProgress executionId="x" events={events()} definition={definition} />);
    await screen.findByText('iteration 1 of 4');
    expect(screen.getByRole('region', { name: 'Loops' }).textContent).toContain('Each order');
    expect(screen.queryByRole('region', { name: 'Temporal runs' })).toBeNull();

    const more = [
      event('STEP_COMPLETED', 'add', { output: 10, durationMs: 0 }),
      event('STEP_STARTED', 'add', { type: 'transform', input: {} }),
      event('CONTINUED_AS_NEW', 'each', { iteration: 2, continuation: 1 }),
      event('STEP_STARTED', 'each', { type: 'loop', input: {} }),
      event('STEP_STARTED', 'add', { type: 'transform', input: {} }),
    ];
    for (const e of more) setEvents([...events(), e]);
    await screen.findByText('iteration 3 of 4');
    const runs = screen.getByRole('region', { name: 'Temporal runs' });
    expect([...runs.querySelectorAll('.timeline-list li')].map((li) => li.textContent)).toEqual([
      expect.stringContaining('continued as new at loop each, after 2 iterations'),
      expect.stringContaining('current'),
    ]);
    expect((screen.getByRole('progressbar') as HTMLProgressElement).value).toBe(3);

    setEvents([
      ...events(),
      event('STEP_COMPLETED', 'each', { output: { iterations: 4 }, durationMs: 1, handles: ['done'] }),
      event('EXECUTION_COMPLETED', null, { result: 4 }),
    ]);
    await screen.findByText('4 iterations, done');
    expect(runs.querySelectorAll('.timeline-list li')[1]!.textContent).toContain('the execution ended here');
  });
});
