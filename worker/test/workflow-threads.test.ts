import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { INTERPRETER_SIGNALS } from '@tandem/worker';
import { eventually } from '../../test-support/eventually.js';
import { createHarness, workflow, type Harness } from './harness.js';

// The workflow threads a Tandem worker starts record no stack trace per promise unless asked
// (src/workflow-threads.ts): Temporal's stack trace query is the only thing that reads them.

const held = workflow(
  [
    { id: 't', type: 'trigger.manual' },
    { id: 'approve', type: 'wait.signal', config: { signal: 'approve' } },
    { id: 'out', type: 'output', config: { expression: "{ 'by': nodes.approve.by }" } },
  ],
  [
    ['t', 'approve'],
    ['approve', 'out'],
  ],
);

const stackTrace = (handle: WorkflowHandle) => handle.query<string>('__stack_trace');

/** Starts a run that waits for a signal, asks for its stack trace, then lets it finish. */
async function stackTraceOfWaitingRun(h: Harness): Promise<{ trace: Promise<string>; result: unknown }> {
  const handle = await h.start(held, {});
  const executionId = handle.workflowId.replace(/^tandem-/, '');
  await eventually(() => h.eventsOf(executionId).some((e) => e.type === 'STEP_WAITING'));
  const trace = stackTrace(handle);
  await trace.catch(() => undefined);
  await handle.signal(INTERPRETER_SIGNALS.custom, { name: 'approve', payload: { by: 'alice' } });
  return { trace, result: await handle.result() };
}

describe('workflow threads without stack traces (the default)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  it("answers Temporal's stack trace query with a clear refusal, and the run goes on", async () => {
    const { trace, result } = await stackTraceOfWaitingRun(h);
    await expect(trace).rejects.toThrow(/stack traces are not enabled/);
    expect(result).toEqual({ by: 'alice' });
  });
});

describe('workflow threads with stack traces (workflowStackTraces)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ workflowStackTraces: true });
  });
  afterAll(async () => h?.close());

  it('answers the stack trace query with where the run waits', async () => {
    const { trace, result } = await stackTraceOfWaitingRun(h);
    expect(await trace).toMatch(/\s+at /);
    expect(result).toEqual({ by: 'alice' });
  });
});
