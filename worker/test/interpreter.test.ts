import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEP_FAILURE_TYPE, type StepFailureDetails } from '@tandem/worker';
import { ApplicationFailure } from '@temporalio/client';
import { createHarness, workflow, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

/** The brief's Sum example, as shipped in examples/sum.json. */
const sum = JSON.parse(readFileSync(new URL('../../examples/sum.json', import.meta.url), 'utf8')) as unknown;

describe('interpreter workflow', () => {
  it("runs the brief's Sum example and emits ordered, numbered events", async () => {
    const run = await h.run(sum, { a: 2, b: 40 });
    expect(run.result).toBe(42);
    expect(run.events.map((e) => [e.type, e.nodeId])).toEqual([
      ['EXECUTION_STARTED', null],
      ['STEP_STARTED', 'start'],
      ['STEP_COMPLETED', 'start'],
      ['STEP_STARTED', 'add'],
      ['STEP_COMPLETED', 'add'],
      ['STEP_STARTED', 'out'],
      ['STEP_COMPLETED', 'out'],
      ['EXECUTION_COMPLETED', null],
    ]);
    expect(run.events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(run.events.find((e) => e.type === 'STEP_COMPLETED' && e.nodeId === 'add')?.data.output).toEqual({ total: 42 });
    expect(run.events.every((e) => e.temporalWorkflowId === run.workflowId && e.executionId === run.executionId)).toBe(true);
  });

  it('assigns variables with set and reads them and params later', async () => {
    const def = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'vars', type: 'set', config: { variables: { greeting: "'Hello'", count: '$count(input.items)' } } },
        { id: 'out', type: 'output', config: { expression: "vars.greeting & ', ' & params.who & ': ' & $string(vars.count)" } },
      ],
      [
        ['t', 'vars'],
        ['vars', 'out'],
      ],
      { who: 'team' },
    );
    const run = await h.run(def, { items: [1, 2, 3] });
    expect(run.result).toBe('Hello, team: 3');
    expect(run.events.find((e) => e.nodeId === 'vars' && e.type === 'STEP_COMPLETED')?.data.output).toEqual({ greeting: 'Hello', count: 3 });
  });

  it('follows the true or false branch of a condition and skips the other', async () => {
    const def = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'big', type: 'condition', config: { expression: 'input.n > 10' } },
        { id: 'yes', type: 'transform', config: { expression: "'big'" } },
        { id: 'no', type: 'transform', config: { expression: "'small'" } },
        { id: 'out', type: 'output', config: { expression: 'nodes.yes ? nodes.yes : nodes.no' } },
      ],
      [
        ['t', 'big'],
        ['big', 'yes', 'true'],
        ['big', 'no', 'false'],
        ['yes', 'out'],
        ['no', 'out'],
      ],
    );
    const small = await h.run(def, { n: 3 });
    expect(small.result).toBe('small');
    expect(small.events.filter((e) => e.type === 'STEP_SKIPPED').map((e) => e.nodeId)).toEqual(['yes']);
    const big = await h.run(def, { n: 30 });
    expect(big.result).toBe('big');
    expect(big.events.filter((e) => e.type === 'STEP_SKIPPED').map((e) => e.nodeId)).toEqual(['no']);
  });

  it('follows the matching switch case, else default', async () => {
    const def = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        {
          id: 'region',
          type: 'switch',
          config: {
            expression: 'input.country',
            cases: [
              { handle: 'eu', value: 'DE' },
              { handle: 'us', value: 'US' },
            ],
          },
        },
        { id: 'eu', type: 'output', config: { expression: "'europe'" } },
        { id: 'us', type: 'output', config: { expression: "'america'" } },
        { id: 'other', type: 'output', config: { expression: "'elsewhere'" } },
      ],
      [
        ['t', 'region'],
        ['region', 'eu', 'eu'],
        ['region', 'us', 'us'],
        ['region', 'other', 'default'],
      ],
    );
    expect((await h.run(def, { country: 'DE' })).result).toBe('europe');
    expect((await h.run(def, { country: 'US' })).result).toBe('america');
    const other = await h.run(def, { country: 'JP' });
    expect(other.result).toBe('elsewhere');
    expect(
      other.events
        .filter((e) => e.type === 'STEP_SKIPPED')
        .map((e) => e.nodeId)
        .sort(),
    ).toEqual(['eu', 'us']);
  });

  it('runs parallel branches concurrently and joins their outputs', async () => {
    const def = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'fan', type: 'parallel' },
        { id: 'slowA', type: 'delay', config: { durationMs: 1500 } },
        { id: 'slowB', type: 'delay', config: { durationMs: 1500 } },
        { id: 'a', type: 'transform', config: { expression: 'input.x * 2' } },
        { id: 'b', type: 'transform', config: { expression: 'input.x * 3' } },
        { id: 'both', type: 'join' },
        { id: 'out', type: 'output', config: { expression: 'nodes.both.a + nodes.both.b' } },
      ],
      [
        ['t', 'fan'],
        ['fan', 'slowA'],
        ['fan', 'slowB'],
        ['slowA', 'a'],
        ['slowB', 'b'],
        ['a', 'both'],
        ['b', 'both'],
        ['both', 'out'],
      ],
    );
    const run = await h.run(def, { x: 10 });
    expect(run.result).toBe(50);
    // Both timers were started before either fired: the branches overlapped.
    const types = run.events.map((e) => `${e.type}:${e.nodeId}`);
    const lastTimerStart = Math.max(types.indexOf('STEP_STARTED:slowA'), types.indexOf('STEP_STARTED:slowB'));
    const firstTimerEnd = Math.min(types.indexOf('STEP_COMPLETED:slowA'), types.indexOf('STEP_COMPLETED:slowB'));
    expect(lastTimerStart).toBeLessThan(firstTimerEnd);
    expect(types.indexOf('STEP_STARTED:both')).toBeGreaterThan(Math.max(types.indexOf('STEP_COMPLETED:a'), types.indexOf('STEP_COMPLETED:b')));
  });

  it('waits on a durable Temporal timer for delay', async () => {
    const def = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'wait', type: 'delay', config: { durationMs: 1200 } },
        { id: 'out', type: 'output', config: { expression: 'input.v' } },
      ],
      [
        ['t', 'wait'],
        ['wait', 'out'],
      ],
    );
    const run = await h.run(def, { v: 'after' });
    expect(run.result).toBe('after');
    const history = await h.client.workflow.getHandle(run.workflowId).fetchHistory();
    const timers = (history.events ?? []).filter((e) => e.timerStartedEventAttributes);
    expect(timers).toHaveLength(1);
    expect(Number(timers[0]!.timerStartedEventAttributes!.startToFireTimeout!.seconds)).toBe(1);
  });

  it('fails the run with the fail node message, naming the node', async () => {
    const def = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'check', type: 'condition', config: { expression: 'input.ok' } },
        { id: 'reject', type: 'fail', config: { message: 'bad input: {{ input.why }}' } },
        { id: 'out', type: 'output', config: { expression: "'fine'" } },
      ],
      [
        ['t', 'check'],
        ['check', 'out', 'true'],
        ['check', 'reject', 'false'],
      ],
    );
    const run = await h.run(def, { ok: false, why: 'missing email' });
    expect(run.error).toBeDefined();
    const cause = run.error!.cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe(STEP_FAILURE_TYPE);
    expect(cause.message).toBe('node "reject" (fail) failed: bad input: missing email');
    const details = cause.details?.[0] as StepFailureDetails;
    expect(details).toMatchObject({ nodeId: 'reject', nodeType: 'fail', message: 'bad input: missing email' });
    expect(run.events.at(-1)).toMatchObject({ type: 'EXECUTION_FAILED', nodeId: 'reject' });
    expect(run.events.filter((e) => e.type === 'STEP_FAILED').map((e) => e.nodeId)).toEqual(['reject']);
  });

  it('fails with the node named when an expression fails at run time', async () => {
    const def = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'math', type: 'transform', config: { expression: 'input.a + input.b' } },
      ],
      [['t', 'math']],
    );
    const run = await h.run(def, { a: 1, b: 'two' });
    const cause = run.error!.cause as ApplicationFailure;
    expect(cause.message).toMatch(/^node "math" \(transform\) failed: .*must evaluate to a number/);
    expect((cause.details?.[0] as StepFailureDetails).cause?.type).toBe('ExpressionError');
  });

  it('refuses to run a node type this worker cannot execute yet, naming the node', async () => {
    const def = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'child', type: 'subworkflow', config: { workflowId: 'other' } },
      ],
      [['t', 'child']],
    );
    const run = await h.run(def, {});
    expect((run.error!.cause as ApplicationFailure).message).toContain('node "child" (subworkflow) failed');
  });

  it('starts from the chosen trigger and skips the others', async () => {
    const def = workflow(
      [
        { id: 'manual', type: 'trigger.manual' },
        { id: 'hook', type: 'trigger.webhook', config: { path: 'in' } },
        { id: 'fromManual', type: 'transform', config: { expression: "'manual'" } },
        { id: 'fromHook', type: 'transform', config: { expression: "'hook'" } },
        { id: 'out', type: 'output', config: { expression: 'nodes.fromManual ? nodes.fromManual : nodes.fromHook' } },
      ],
      [
        ['manual', 'fromManual'],
        ['hook', 'fromHook'],
        ['fromManual', 'out'],
        ['fromHook', 'out'],
      ],
    );
    const handle = await h.start(def, {}, { triggerNodeId: 'hook' });
    expect(await handle.result()).toBe('hook');
  });
});

describe('a failing branch', () => {
  it('cancels the sibling branches still running and fails the run at once', async () => {
    const def = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'fan', type: 'parallel' },
        { id: 'longWait', type: 'delay', config: { durationMs: 3_600_000 } },
        { id: 'shortWait', type: 'delay', config: { durationMs: 500 } },
        { id: 'boom', type: 'fail', config: { message: 'branch failed' } },
        { id: 'both', type: 'join' },
      ],
      [
        ['t', 'fan'],
        ['fan', 'longWait'],
        ['fan', 'shortWait'],
        ['shortWait', 'boom'],
        ['longWait', 'both'],
        ['boom', 'both'],
      ],
    );
    const run = await h.run(def, {});
    expect((run.error!.cause as ApplicationFailure).message).toContain('node "boom" (fail) failed: branch failed');
    const history = await h.client.workflow.getHandle(run.workflowId).fetchHistory();
    expect((history.events ?? []).some((e) => e.timerCanceledEventAttributes)).toBe(true);
    expect(run.events.some((e) => e.type === 'STEP_COMPLETED' && e.nodeId === 'longWait')).toBe(false);
  });

  it('starts no timer or activity for a branch readied before a computed step failed in the same turn', async () => {
    const def = workflow(
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'wait', type: 'delay', config: { durationMs: 3_600_000 } },
        { id: 'math', type: 'transform', config: { expression: 'input.a + input.b' } },
      ],
      [
        ['t', 'wait'],
        ['t', 'math'],
      ],
    );
    const run = await h.run(def, { a: 1, b: 'two' });
    expect((run.error!.cause as ApplicationFailure).message).toMatch(/^node "math" \(transform\) failed/);
    const history = await h.client.workflow.getHandle(run.workflowId).fetchHistory();
    expect((history.events ?? []).some((e) => e.timerStartedEventAttributes)).toBe(false);
    expect(run.events.filter((e) => e.nodeId === 'wait')).toEqual([]);
    expect(run.events.map((e) => e.type)).toEqual(['EXECUTION_STARTED', 'STEP_STARTED', 'STEP_COMPLETED', 'STEP_STARTED', 'STEP_FAILED', 'EXECUTION_FAILED']);
  });
});
