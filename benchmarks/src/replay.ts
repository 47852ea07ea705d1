/**
 * `npm run bench:replay`: the run-state fold (`@tandem/schema`'s `RunReplay`) on a generated
 * 10,000-event run (a loop whose body of two nodes runs ~2,400 times, with retries, a
 * continue-as-new every 500 iterations, a pause and a signal). Prints timings; asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import { RunReplay, stateAt, type EmittedEvent } from '@tandem/schema';
import { summarize, type Summary } from './stats.js';

const TARGET = 10_000;

function generatedRun(): EmittedEvent[] {
  const events: EmittedEvent[] = [];
  let run = 1;
  const emit = (type: EmittedEvent['type'], nodeId: string | null, data: EmittedEvent['data'] = {}) => {
    const sequence = events.length + 1;
    events.push({
      executionId: 'bench',
      sequence,
      type,
      nodeId,
      at: new Date(Date.UTC(2026, 0, 1) + sequence * 10).toISOString(),
      temporalWorkflowId: 'tandem-bench',
      temporalRunId: `run-${run}`,
      data,
    });
  };
  emit('EXECUTION_STARTED', null, { input: { items: TARGET } });
  emit('STEP_STARTED', 'start', { type: 'trigger.manual', input: {} });
  emit('STEP_COMPLETED', 'start', { output: {}, durationMs: 0 });
  emit('STEP_STARTED', 'each', { type: 'loop', input: {} });
  for (let i = 0; events.length < TARGET - 10; i++) {
    if (i > 0 && i % 500 === 0) {
      emit('CONTINUED_AS_NEW', 'each', { iteration: i, continuation: run });
      run += 1;
      emit('STEP_STARTED', 'each', { type: 'loop', input: {} });
    }
    emit('STEP_STARTED', 'fetch', { type: 'http.request', input: { index: i } });
    if (i % 7 === 0) emit('STEP_RETRYING', 'fetch', { attempt: 1, error: { message: 'status 503', type: 'ApplicationFailure' }, delayMs: 100 });
    emit('STEP_COMPLETED', 'fetch', { output: { status: 200, body: { id: i } }, durationMs: 12 });
    emit('STEP_STARTED', 'add', { type: 'set', input: {} });
    emit('STEP_COMPLETED', 'add', { output: { total: i, last: { id: i } }, durationMs: 0 });
    if (i === 800) {
      emit('EXECUTION_PAUSED', null, { status: 'PAUSED' });
      emit('SIGNAL_RECEIVED', null, { name: 'go', payload: {} });
      emit('EXECUTION_RESUMED', null, { status: 'RUNNING' });
    }
  }
  emit('STEP_COMPLETED', 'each', { output: { iterations: 0 }, durationMs: 1, handles: ['done'] });
  emit('EXECUTION_COMPLETED', null, { result: 1 });
  return events;
}

function time(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

const round = (summary: Summary) => Object.fromEntries(Object.entries(summary).map(([key, value]) => [key, Math.round(value * 1000) / 1000]));

const events = generatedRun();
for (let i = 0; i < 3; i++) new RunReplay(events).latest(); // warm up
const fromScratch = summarize(Array.from({ length: 10 }, () => time(() => stateAt(events))));
const build = summarize(Array.from({ length: 10 }, () => time(() => new RunReplay(events))));
const replay = new RunReplay(events);
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * events.length;
const jumps = summarize(Array.from({ length: 500 }, () => time(() => replay.stateAt(Math.floor(random())))));
const steps: number[] = [];
for (let sequence = 1; sequence <= events.length; sequence += 1) steps.push(time(() => replay.stateAt(sequence)));
const stepForward = summarize(steps);

console.log(
  JSON.stringify(
    {
      events: events.length,
      nodes: replay.latest().steps.size,
      runsOfBodyNode: replay.latest().steps.get('fetch')?.runs.length,
      ms: {
        foldFromScratch: round(fromScratch),
        buildWithCheckpoints: round(build),
        randomJump: round(jumps),
        stepForwardOneEvent: round(stepForward),
      },
    },
    null,
    2,
  ),
);
