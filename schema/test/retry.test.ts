import { describe, expect, it } from 'vitest';
import { compileWorkflow, planRetry, RunStateFold, secretPlaceholder, type ExecutionPlan, type ReplayEvent } from '../src/index.js';
import { output, transform, trigger, workflow, type NodeInput } from './helpers.js';

/** start → fetch → check ─true→ pay → out, check ─false→ refund. */
function shop(change: { checkExpression?: string; params?: Record<string, unknown> } = {}): ExecutionPlan {
  const check: NodeInput = { id: 'check', type: 'condition', config: { expression: change.checkExpression ?? 'nodes.fetch.ok' } };
  const document = workflow(
    [trigger(), transform('fetch', "{ 'ok': true }"), check, transform('pay', 'params.amount'), transform('refund'), output('out', 'nodes.pay')],
    [
      ['e1', 'start', 'fetch'],
      ['e2', 'fetch', 'check'],
      ['e3', 'check', 'pay', 'true'],
      ['e4', 'check', 'refund', 'false'],
      ['e5', 'pay', 'out'],
    ],
  );
  const compiled = compileWorkflow({ ...document, params: change.params ?? { amount: 5 } });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  return compiled.plan;
}

/** The events of a run of `shop` that failed at `pay`; `fetchOutput` is what fetch's STEP_COMPLETED carried. */
function failedRun(fetchOutput: unknown = { ok: true }) {
  const at = '2026-12-05T10:00:00.000Z';
  const events: ReplayEvent[] = [];
  const push = (type: string, nodeId: string | null, data: Record<string, unknown> = {}) =>
    events.push({ sequence: events.length + 1, type, nodeId, at, data });
  push('EXECUTION_STARTED', null, { input: {}, triggerNodeId: 'start' });
  push('STEP_STARTED', 'start', { type: 'trigger.manual' });
  push('STEP_COMPLETED', 'start', { output: {} });
  push('STEP_STARTED', 'fetch', { type: 'transform' });
  push('STEP_COMPLETED', 'fetch', { output: fetchOutput });
  push('STEP_STARTED', 'check', { type: 'condition' });
  push('STEP_COMPLETED', 'check', { output: true, handles: ['true'] });
  push('STEP_SKIPPED', 'refund');
  push('STEP_STARTED', 'pay', { type: 'transform' });
  push('STEP_FAILED', 'pay', { error: { message: 'boom' } });
  push('EXECUTION_FAILED', 'pay', { error: { message: 'node "pay" failed: boom', nodeId: 'pay' } });
  return new RunStateFold().applyAll(events).snapshot();
}

describe('planRetry', () => {
  it('reuses every step that completed before the failed one, with the branches it took', () => {
    const plan = planRetry({ original: shop(), target: shop(), state: failedRun(), fromNodeId: 'pay' });
    expect(plan.reuse).toEqual({ start: { output: {} }, fetch: { output: { ok: true } }, check: { output: true, handles: ['true'] } });
    expect(plan.rerun).toEqual({});
  });

  it('runs again the node retried from and everything it reaches', () => {
    const plan = planRetry({ original: shop(), target: shop(), state: failedRun(), fromNodeId: 'fetch' });
    expect(Object.keys(plan.reuse)).toEqual(['start']);
    expect(plan.rerun).toEqual({ fetch: 'from', check: 'downstream' });
  });

  it('runs again a node whose config changed in the target version, and what follows it', () => {
    const plan = planRetry({ original: shop(), target: shop({ checkExpression: 'nodes.fetch.ok = true' }), state: failedRun(), fromNodeId: 'pay' });
    expect(Object.keys(plan.reuse)).toEqual(['start', 'fetch']);
    expect(plan.rerun).toEqual({ check: 'changed' });
  });

  it('runs again the nodes that read params when the params changed', () => {
    const plan = planRetry({ original: shop(), target: shop({ params: { amount: 6 } }), state: failedRun(), fromNodeId: 'check' });
    // pay reads params but did not complete; check runs again anyway; fetch and start do not read params.
    expect(Object.keys(plan.reuse)).toEqual(['start', 'fetch']);
  });

  it('takes a cut output from the stored whole values, and runs the step again when there is none', () => {
    const cut = { truncated: true, size: 40_000, preview: '{"ok":' };
    const whole = planRetry({
      original: shop(),
      target: shop(),
      state: failedRun(cut),
      fromNodeId: 'pay',
      wholeOutputs: new Map([['fetch', { ok: true, big: 'x' }]]),
    });
    expect(whole.reuse.fetch).toEqual({ output: { ok: true, big: 'x' } });
    const missing = planRetry({ original: shop(), target: shop(), state: failedRun(cut), fromNodeId: 'pay' });
    expect(Object.keys(missing.reuse)).toEqual(['start']);
    expect(missing.rerun).toEqual({ fetch: 'cut', check: 'downstream' });
  });

  it('never reuses an output that holds a secret placeholder of the first run', () => {
    const plan = planRetry({
      original: shop(),
      target: shop(),
      state: failedRun({ ok: true, auth: secretPlaceholder('TOKEN', 'nonce-of-run-1') }),
      fromNodeId: 'pay',
    });
    expect(Object.keys(plan.reuse)).toEqual(['start']);
    expect(plan.rerun).toEqual({ fetch: 'secret', check: 'downstream' });
  });
});
