import type { BrowserContext } from 'playwright-core';
import type { EmittedEvent, ExecutionEventType } from '@tandem/schema';
import type { InProcessEventBus } from '@tandem/worker';
import { recordFrames, stopFrames } from './frames.js';

/**
 * The replay viewer on a 10,000-event run: a loop whose body ran ~5,000 times, with a few
 * retries and a continue-as-new every 1,000 iterations. The events are published on the API
 * server's event bus (as a worker would) for a started run no worker picks up, so the run's
 * stored log is exactly these events. Measures the time until the run page shows the whole
 * run (graph and timeline), and frame times while scrubbing the timeline with the pointer.
 */

export const REPLAY_EVENTS = Number(process.env.BENCH_REPLAY_EVENTS ?? 10_000);
const SCRUB_STEPS = Number(process.env.BENCH_REPLAY_SCRUB_STEPS ?? 150);

export const LOOP_WORKFLOW = {
  format: 'tandem.workflow/v1',
  name: 'Replay bench',
  nodes: [
    { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    { id: 'each', type: 'loop', position: { x: 250, y: 0 }, config: { mode: 'forEach', expression: 'input.items', continueAsNewEvery: 1000 } },
    { id: 'double', type: 'transform', position: { x: 250, y: 150 }, config: { expression: 'loop.item * 2' } },
    { id: 'out', type: 'output', position: { x: 500, y: 0 }, config: { expression: "'done'" } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'each' },
    { id: 'e2', source: 'each', sourceHandle: 'body', target: 'double' },
    { id: 'e3', source: 'double', target: 'each' },
    { id: 'e4', source: 'each', sourceHandle: 'done', target: 'out' },
  ],
};

/** The events of a run of LOOP_WORKFLOW, `count` of them, 2 ms apart. */
export function loopRunEvents(executionId: string, temporalWorkflowId: string, count: number): EmittedEvent[] {
  const events: EmittedEvent[] = [];
  const t0 = Date.now() - count * 2;
  const push = (type: ExecutionEventType, nodeId: string | null, data: EmittedEvent['data'] = {}) =>
    events.push({
      executionId,
      sequence: events.length + 1,
      type,
      nodeId,
      at: new Date(t0 + events.length * 2).toISOString(),
      temporalWorkflowId,
      temporalRunId: `run-${Math.floor(events.length / 2000)}`,
      data,
    });
  push('EXECUTION_STARTED', null, { input: { items: [] } });
  push('STEP_STARTED', 'start', { type: 'trigger.manual', input: {} });
  push('STEP_COMPLETED', 'start', { output: {}, durationMs: 0 });
  push('STEP_STARTED', 'each', { type: 'loop', input: {} });
  let iteration = 0;
  while (events.length < count - 4) {
    push('STEP_STARTED', 'double', { type: 'transform', input: { item: iteration } });
    if (iteration % 500 === 7) push('STEP_RETRYING', 'double', { attempt: 1, error: { message: 'busy', type: 'Error' }, delayMs: 1 });
    push('STEP_COMPLETED', 'double', { output: iteration * 2, durationMs: 1 });
    iteration += 1;
    if (iteration % 1000 === 0) {
      push('CONTINUED_AS_NEW', 'each', { iteration });
      push('STEP_STARTED', 'each', { type: 'loop', input: {} });
    }
  }
  push('STEP_COMPLETED', 'each', { output: { iterations: iteration }, durationMs: count * 2 });
  push('STEP_STARTED', 'out', { type: 'output', input: {} });
  push('STEP_COMPLETED', 'out', { output: 'done', durationMs: 0 });
  push('EXECUTION_COMPLETED', null, { result: 'done' });
  return events;
}

export interface ReplayBenchResult {
  events: number;
  /** Navigation start until the graph and the timeline show every event. */
  firstPaintMs: number[];
  scrubFrames: number[];
}

type Gql = <T>(query: string, variables: Record<string, unknown>, token?: string) => Promise<T>;

export async function benchReplay(options: {
  gql: Gql;
  token: string;
  bus: InProcessEventBus;
  context: BrowserContext;
  progress: (line: string) => void;
}): Promise<ReplayBenchResult> {
  const { gql, token, bus, context, progress } = options;
  const { createWorkflow } = await gql<{ createWorkflow: { id: string } }>(
    'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
    { input: { name: 'Replay bench', definition: LOOP_WORKFLOW } },
    token,
  );
  await gql('mutation($id: ID!) { deployWorkflow(id: $id, message: "bench") { number } }', { id: createWorkflow.id }, token);
  const { startExecution } = await gql<{ startExecution: { id: string; temporalWorkflowId: string } }>(
    'mutation($id: ID!) { startExecution(workflowId: $id, input: { items: [] }) { id temporalWorkflowId } }',
    { id: createWorkflow.id },
    token,
  );
  progress(`publishing ${REPLAY_EVENTS} events of a loop run`);
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const generated = loopRunEvents(startExecution.id, startExecution.temporalWorkflowId, REPLAY_EVENTS);
  for (let i = 0; i < generated.length; i++) {
    await bus.publish(generated[i]!);
    // Let the server store them as they come, as it would from a worker.
    if (i % 200 === 199) await pause(20);
  }
  for (;;) {
    const stored = await gql<{ execution: { status: string; events: { totalCount: number } } }>(
      'query($id: ID!) { execution(id: $id) { status events(first: 0) { totalCount } } }',
      { id: startExecution.id },
      token,
    ).catch(() => null); // a busy server may drop a poll: ask again
    if (stored && stored.execution.events.totalCount >= REPLAY_EVENTS && stored.execution.status === 'COMPLETED') break;
    await pause(500);
  }

  const page = await context.newPage();
  const firstPaintMs: number[] = [];
  for (let round = 0; round < 3; round++) {
    // A fresh tab each round: the event cache (sessionStorage) would otherwise skip the stream.
    await page.goto('about:blank');
    await page.evaluate('sessionStorage.clear()').catch(() => {});
    await page.goto(`/runs/${startExecution.id}`);
    const ms = await page.evaluate<number>(`(async () => {
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      for (;;) {
        const slider = document.querySelector('[role="slider"].timeline-plot');
        if (slider && Number(slider.getAttribute('aria-valuemax')) >= ${REPLAY_EVENTS} && document.querySelector('[data-node-id="out"][data-state="succeeded"]')) break;
        await frame();
      }
      await frame();
      return performance.now();
    })()`);
    firstPaintMs.push(ms);
    progress(`round ${round + 1}: the whole run shown after ${Math.round(ms)} ms`);
  }

  progress(`scrubbing the timeline (${SCRUB_STEPS} pointer clicks, then 100 steps with the keyboard)`);
  const plot = page.locator('.timeline-plot');
  const box = (await plot.boundingBox())!;
  await recordFrames(page);
  // Left of the plot are the lane labels (96 px): click inside the plot, sweeping right then back.
  for (let i = 0; i < SCRUB_STEPS; i++) {
    const f = i < SCRUB_STEPS / 2 ? i / (SCRUB_STEPS / 2) : 2 - i / (SCRUB_STEPS / 2);
    await page.mouse.click(box.x + 100 + f * (box.width - 110), box.y + box.height / 2);
  }
  await plot.focus();
  for (let i = 0; i < 100; i++) await page.keyboard.press(i < 50 ? 'ArrowLeft' : 'ArrowRight');
  const scrubFrames = await stopFrames(page);
  await page.close();
  return { events: REPLAY_EVENTS, firstPaintMs, scrubFrames };
}
