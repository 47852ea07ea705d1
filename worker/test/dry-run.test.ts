import { describe, expect, it } from 'vitest';
import { compileWorkflow, type ExecutionPlan, type JsonObject } from '@tandem/schema';
import { dryRunPlan } from '@tandem/worker';

// The dry run (deploy preview) runs nodes on the interpreter's own executors, here with no
// Temporal at all: loops evaluate their per-iteration expression with `loop` set, as a run does.

function plan(loopConfig: Record<string, unknown>): ExecutionPlan {
  const node = (id: string, type: string, config: Record<string, unknown> = {}) => ({ id, type, position: { x: 0, y: 0 }, config });
  const compiled = compileWorkflow({
    format: 'tandem.workflow/v1',
    name: 'loops',
    nodes: [
      node('t', 'trigger.manual'),
      node('init', 'set', { variables: { total: '0' } }),
      node('each', 'loop', loopConfig),
      node('add', 'set', { variables: { total: 'vars.total + (loop.item ? loop.item : loop.index)' } }),
      node('out', 'output', { expression: "{ 'total': vars.total, 'iterations': nodes.each.iterations, 'loopAfter': loop }" }),
    ],
    edges: [
      { id: 'e1', source: 't', target: 'init' },
      { id: 'e2', source: 'init', target: 'each' },
      { id: 'e3', source: 'each', sourceHandle: 'body', target: 'add' },
      { id: 'e4', source: 'add', target: 'each' },
      { id: 'e5', source: 'each', sourceHandle: 'done', target: 'out' },
    ],
  });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  return compiled.plan;
}

const dryRun = (p: ExecutionPlan, input: JsonObject) =>
  dryRunPlan({ plan: p, recorded: { input, steps: new Map() }, changed: new Set(), maxSteps: 1_000, deadline: Date.now() + 10_000 });

describe('dry run of loops', () => {
  it('runs a while loop until its expression, read with loop.index, is false; loop is unset after it', async () => {
    const outcome = await dryRun(plan({ mode: 'while', expression: 'loop.index < input.n' }), { n: 4 });
    expect(outcome.status).toBe('COMPLETED');
    // 0 + 1 + 2 + 3, and `loop` outside the loop is null again.
    expect(outcome.result).toEqual({ total: 6, iterations: 4, loopAfter: null });
  });

  it('runs a forEach loop over its list', async () => {
    const outcome = await dryRun(plan({ mode: 'forEach', expression: 'input.items' }), { items: [5, 10, 20] });
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: { total: 35, iterations: 3, loopAfter: null } });
  });
});
