import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, workflow, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

/** trigger -> init (total = 0) -> loop { add item to total } -> out (total). */
function summingLoop(config: Record<string, unknown>) {
  return workflow(
    [
      { id: 't', type: 'trigger.manual' },
      { id: 'init', type: 'set', config: { variables: { total: '0' } } },
      { id: 'each', type: 'loop', config },
      { id: 'add', type: 'set', config: { variables: { total: 'vars.total + (loop.item ? loop.item : loop.index)' } } },
      { id: 'out', type: 'output', config: { expression: "{ 'total': vars.total, 'iterations': nodes.each.iterations }" } },
    ],
    [
      ['t', 'init'],
      ['init', 'each'],
      ['each', 'add', 'body'],
      ['add', 'each'],
      ['each', 'out', 'done'],
    ],
  );
}

describe('loop', () => {
  it('runs its body once per item with loop.item and loop.index, then follows done', async () => {
    const run = await h.run(summingLoop({ mode: 'forEach', expression: 'input.items' }), { items: [5, 10, 20] });
    expect(run.result).toEqual({ total: 35, iterations: 3 });
    expect(run.events.filter((e) => e.type === 'STEP_COMPLETED' && e.nodeId === 'add')).toHaveLength(3);
    expect(run.events.some((e) => e.type === 'STEP_SKIPPED')).toBe(false);
  });

  it('runs a while loop until its expression is false', async () => {
    const run = await h.run(summingLoop({ mode: 'while', expression: 'loop.index < input.n' }), { n: 4 });
    expect(run.result).toEqual({ total: 0 + 1 + 2 + 3, iterations: 4 });
  });

  it('fails naming the loop when maxIterations would be exceeded', async () => {
    const run = await h.run(summingLoop({ mode: 'while', expression: 'true', maxIterations: 10 }), {});
    expect((run.error!.cause as Error).message).toMatch(/^node "each" \(loop\) failed: the loop ran 10 iterations/);
  });

  it('iterates over the list as it was when the loop started, across continue-as-new', async () => {
    const def = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'init', type: 'set', config: { variables: { queue: 'input.items', seen: '0' } } },
        { id: 'each', type: 'loop', config: { mode: 'forEach', expression: 'vars.queue', continueAsNewEvery: 10 } },
        { id: 'take', type: 'set', config: { variables: { queue: '[]', seen: 'vars.seen + 1' } } },
        { id: 'out', type: 'output', config: { expression: 'vars.seen' } },
      ],
      [
        ['t', 'init'],
        ['init', 'each'],
        ['each', 'take', 'body'],
        ['take', 'each'],
        ['each', 'out', 'done'],
      ],
    );
    const run = await h.run(def, { items: Array.from({ length: 25 }, (_, i) => i) });
    expect(run.result).toBe(25);
    expect(run.events.filter((e) => e.type === 'CONTINUED_AS_NEW')).toHaveLength(2);
  });

  it('keeps 1,500 iterations one logical execution across continue-as-new', async () => {
    const items = Array.from({ length: 1_500 }, (_, i) => i + 1);
    const run = await h.run(summingLoop({ mode: 'forEach', expression: 'input.items', continueAsNewEvery: 500 }), { items });
    expect(run.result).toEqual({ total: (1_500 * 1_501) / 2, iterations: 1_500 });
    const seams = run.events.filter((e) => e.type === 'CONTINUED_AS_NEW');
    expect(seams.map((e) => e.data.iteration)).toEqual([500, 1_000]);
    // One stream: sequences have no gap and no repeat across the Temporal runs.
    expect(run.events.map((e) => e.sequence)).toEqual(run.events.map((_, i) => i + 1));
    expect(new Set(run.events.map((e) => e.temporalRunId)).size).toBe(3);
    expect(run.events.filter((e) => e.type === 'EXECUTION_STARTED')).toHaveLength(1);
    // Each Temporal run's history stays small.
    const handle = h.client.workflow.getHandle(run.workflowId);
    const lastRun = await handle.fetchHistory();
    expect((lastRun.events ?? []).length).toBeLessThan(100);
  }, 120_000);
});
