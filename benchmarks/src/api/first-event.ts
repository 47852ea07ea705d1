// Start → first event, measured: the client runs in a child process (first-event-child.ts);
// this process, which hosts the worker and the server, notes when each run's first event is
// published on the bus and when the server has stored all the events the run published, so
// the time can be split between Temporal + the workflow and the server's event pipeline.
import { TERMINAL_EVENT_TYPES, type ExecutionEventType } from '@tandem/schema';
import type { ExecutionEventBus } from '@tandem/worker';
import { summarize, type Summary } from '../stats.js';
import { runChild } from './child.js';
import { wallNow, type RunTimings } from './subscriptions.js';

export interface FirstEventSpec {
  url: string;
  token: string;
  workflowId: string;
  runs: number;
  concurrency: number;
  warmup: number;
  /** Input `a` of the first run (each run adds 1), so results are checkable and runs distinct. */
  firstN: number;
}

/** Every figure is ms from sending startExecution. */
export interface FirstEventFigures {
  runs: number;
  concurrency: number;
  wallSeconds: number;
  /** The first executionEvents message received by the client: the measured figure. */
  firstEvent: Summary;
  /** startExecution answered. */
  startAnswered: Summary;
  /** The first event's `at`: the workflow's clock when it ran. */
  emitted: Summary;
  /** The first event published on the bus by the worker (its sink). */
  published: Summary;
  /** Every event of the run stored by the server (its ingest queue drained past the terminal event). */
  stored: Summary;
  /** The terminal event received; the stream completes after it. */
  completed: Summary;
  /** Runs whose first event was not EXECUTION_STARTED (sequence 1). */
  unexpectedFirstEvents: number;
}

export async function measureFirstEvents(spec: FirstEventSpec, bus: ExecutionEventBus, events: { drained(): Promise<void> }): Promise<FirstEventFigures> {
  const published = new Map<string, number>();
  const stored = new Map<string, number>();
  // The server subscribed to the bus first, so its ingest of an event is queued before this listener runs.
  const unsubscribe = await bus.subscribe((event) => {
    if (event.sequence === 1) published.set(event.executionId, wallNow());
    if (TERMINAL_EVENT_TYPES.has(event.type as ExecutionEventType)) void events.drained().then(() => stored.set(event.executionId, wallNow()));
  });
  try {
    const { timings, wallSeconds } = await runChild<{ timings: RunTimings[]; wallSeconds: number }>(new URL('./first-event-child.ts', import.meta.url), spec);
    const since = (marks: Map<string, number>) => timings.map((t) => (marks.get(t.executionId) ?? Number.NaN) - t.sentAt).filter(Number.isFinite);
    return {
      runs: timings.length,
      concurrency: spec.concurrency,
      wallSeconds,
      firstEvent: summarize(timings.map((t) => t.firstEvent)),
      startAnswered: summarize(timings.map((t) => t.startAnswered)),
      emitted: summarize(timings.map((t) => t.firstEventEmitted)),
      published: summarize(since(published)),
      stored: summarize(since(stored)),
      completed: summarize(timings.map((t) => t.completed)),
      unexpectedFirstEvents: timings.filter((t) => t.firstType !== 'EXECUTION_STARTED').length,
    };
  } finally {
    await unsubscribe();
  }
}
