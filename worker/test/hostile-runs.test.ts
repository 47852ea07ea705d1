import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_MESSAGE_LIMIT } from '@tandem/schema';
import { createHarness, workflow, type Harness } from './harness.js';

// Runs a user can deploy whose expression work is heavy inside Temporal's workflow sandbox. Before
// the work was bounded where it runs, each of these aborted the whole worker process ("async
// hook stack has become corrupted": the sandbox's deadlock timeout fired inside promise
// callbacks), and again after every restart. Each must now fail its own run with a clear error
// while the worker goes on serving other runs.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const sum = workflow(
  [
    { id: 't', type: 'trigger.manual' },
    { id: 'add', type: 'transform', config: { expression: 'input.a + input.b' } },
    { id: 'out', type: 'output', config: { expression: 'nodes.add' } },
  ],
  [
    ['t', 'add'],
    ['add', 'out'],
  ],
);

function oneStep(id: string, type: string, config: Record<string, unknown>): unknown {
  return workflow(
    [
      { id: 't', type: 'trigger.manual' },
      { id, type, config },
    ],
    [['t', id]],
  );
}

async function expectWorkerStillServes(): Promise<void> {
  const ok = await h.run(sum, { a: 20, b: 22 });
  expect(ok.result).toBe(42);
}

describe('hostile runs fail alone, the worker stays up', () => {
  it('a fail node whose message renders 300,000 characters fails with a bounded message', async () => {
    const pad = "{{ $pad('x', 100000) }}";
    const run = await h.run(oneStep('boom', 'fail', { message: `${pad}${pad}${pad}` }));
    expect(run.error).toBeDefined();
    const failed = run.events.find((e) => e.type === 'EXECUTION_FAILED')!;
    const error = failed.data.error as { message: string; nodeId: string };
    expect(error.nodeId).toBe('boom');
    expect(error.message.length).toBeLessThan(ERROR_MESSAGE_LIMIT + 200);
    expect(error.message.startsWith('node "boom" (fail) failed: x   ')).toBe(true);
    expect(error.message).toMatch(/… \(\d+ more characters\)$/);
    const stepFailed = run.events.find((e) => e.type === 'STEP_FAILED')!;
    expect(JSON.stringify(stepFailed.data).length).toBeLessThan(3 * ERROR_MESSAGE_LIMIT);
    await expectWorkerStillServes();
  });

  it.each([
    ['a catastrophic regular expression inside $eval', `$eval("$match('${'a'.repeat(40)}!', /(a|aa)+$/)")`],
    ['a nested quantifier over a long text', "$contains($pad('a', 50000), /((a+)+)+b/)"],
    ['an alternation the old shape check did not flag', "$match($pad('', 30000, 'ab') & 'c', /(ab|a|b)*(ab|a|b)*c$/)"],
  ])('%s runs in linear time (RE2)', async (_label, expression) => {
    const run = await h.run(oneStep('re', 'transform', { expression }));
    // RE2 answers these quickly; either a value or a clear budget error, never a stall.
    if (run.error)
      expect(run.events.find((e) => e.type === 'STEP_FAILED')?.data.error).toMatchObject({ message: expect.stringMatching(/work|regular expression/) });
    else expect(run.events.some((e) => e.type === 'EXECUTION_COMPLETED')).toBe(true);
    await expectWorkerStillServes();
  });

  it('expression work is bounded per evaluation: a deep recursion fails its step, naming the budget', async () => {
    const run = await h.run(oneStep('heavy', 'transform', { expression: "($f := function($n){ $n > 0 ? $f($n-1) & $f($n-1) : 'x' }; $f(40))" }));
    const step = run.events.find((e) => e.type === 'STEP_FAILED')!;
    expect(step.nodeId).toBe('heavy');
    expect(JSON.stringify(step.data.error)).toContain('did more work than allowed');
    await expectWorkerStillServes();
  });

  it('many heavy steps in parallel are spread over workflow tasks instead of one long activation', async () => {
    const branches = Array.from({ length: 40 }, (_, i) => ({ id: `b${i}`, type: 'transform', config: { expression: '$count([1..10000].($ * 2))' } }));
    const def = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'fan', type: 'parallel' },
        ...branches,
        { id: 'join', type: 'join' },
        { id: 'out', type: 'output', config: { expression: 'nodes.b0 + nodes.b39' } },
      ],
      [['t', 'fan'], ...branches.map((b): [string, string] => ['fan', b.id]), ...branches.map((b): [string, string] => [b.id, 'join']), ['join', 'out']],
    );
    const run = await h.run(def);
    expect(run.result).toBe(2 * 10000);
    await expectWorkerStillServes();
  });
});
