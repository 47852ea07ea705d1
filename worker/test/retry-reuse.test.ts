import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_VALUE_LIMIT } from '@tandem/schema';
import { createHarness, workflow, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

/** t → vars (set x) → check (x > 5) ─true→ yes / ─false→ no, both → out. */
const branching = workflow(
  [
    { id: 't', type: 'trigger.manual' },
    { id: 'vars', type: 'set', config: { variables: { x: 'input.n * 2' } } },
    { id: 'check', type: 'condition', config: { expression: 'vars.x > 5' } },
    { id: 'yes', type: 'transform', config: { expression: "'yes ' & $string(vars.x)" } },
    { id: 'no', type: 'transform', config: { expression: "'no'" } },
    { id: 'out', type: 'output', config: { expression: 'nodes.yes ? nodes.yes : nodes.no' } },
  ],
  [
    ['t', 'vars'],
    ['vars', 'check'],
    ['check', 'yes', 'true'],
    ['check', 'no', 'false'],
    ['yes', 'out'],
    ['no', 'out'],
  ],
);

describe('a retry’s reused steps', () => {
  it('are taken as recorded, not executed: a set node’s variables, a condition’s branch', async () => {
    // Executed, n = 1 would make x = 2 and take the false branch.
    const run = await h.run(branching, { n: 1 }, { reuse: { vars: { output: { x: 10 } }, check: { output: true, handles: ['true'] } } });
    expect(run.result).toBe('yes 10');
    const steps = run.events.filter((e) => e.type === 'STEP_STARTED' || e.type === 'STEP_COMPLETED' || e.type === 'STEP_SKIPPED');
    expect(steps.map((e) => [e.type, e.nodeId, e.data.reused ?? false])).toEqual([
      ['STEP_STARTED', 't', false],
      ['STEP_COMPLETED', 't', false],
      ['STEP_STARTED', 'vars', true],
      ['STEP_COMPLETED', 'vars', true],
      ['STEP_STARTED', 'check', true],
      ['STEP_COMPLETED', 'check', true],
      ['STEP_SKIPPED', 'no', false],
      ['STEP_STARTED', 'yes', false],
      ['STEP_COMPLETED', 'yes', false],
      ['STEP_STARTED', 'out', false],
      ['STEP_COMPLETED', 'out', false],
    ]);
  });
});

describe('whole step values', () => {
  it('travel beside the events whose copies were cut, and only there', async () => {
    const big = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'make', type: 'transform', config: { expression: "$pad('', 40000, 'x')" } },
        { id: 'size', type: 'transform', config: { expression: '$length(nodes.make)' } },
      ],
      [
        ['t', 'make'],
        ['make', 'size'],
      ],
    );
    const run = await h.run(big);
    expect(run.events.find((e) => e.type === 'STEP_COMPLETED' && e.nodeId === 'size')?.data.output).toBe(40_000);
    const completed = run.events.find((e) => e.type === 'STEP_COMPLETED' && e.nodeId === 'make')!;
    expect(completed.data.output).toMatchObject({ truncated: true, size: 40_002 });
    expect(completed.values?.output).toBe('x'.repeat(40_000));
    const started = run.events.find((e) => e.type === 'STEP_STARTED' && e.nodeId === 'size')!;
    expect(started.values?.input).toEqual({ make: 'x'.repeat(40_000) });
    // Small values: the event's copy is whole, nothing more is carried.
    const small = run.events.filter((e) => e.nodeId === 't' || (e.nodeId === 'size' && e.type === 'STEP_COMPLETED'));
    expect(small.every((e) => e.values === undefined)).toBe(true);
    expect(JSON.stringify(small).length).toBeLessThan(EVENT_VALUE_LIMIT);
  });
});
