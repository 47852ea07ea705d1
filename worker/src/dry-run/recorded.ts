import { isTruncatedValue, type JsonValue } from '@tandem/schema';

/** How one step of a recorded run ended, as its STEP_COMPLETED or STEP_FAILED event tells. */
export type RecordedStep =
  | { outcome: 'completed'; output: JsonValue; handles?: string[] }
  | { outcome: 'failed'; message: string; causeType: string }
  /** The event's copy of the output was cut to a preview: it cannot stand in for the real one. */
  | { outcome: 'truncated' };

/** What a dry run replays a past run from: its input, its trigger, and each node's steps in the order they ran. */
export interface RecordedRun {
  input: JsonValue;
  triggerNodeId?: string;
  /** A node in a loop body has one step per iteration. */
  steps: Map<string, RecordedStep[]>;
}

/** The part of a stored or emitted event a recorded run is read from. */
export interface RecordedEvent {
  type: string;
  nodeId?: string | null;
  data: JsonValue;
}

/** A run as its events recorded it; `events` in sequence order, `input` the run's stored input. */
export function recordedRunOf(input: JsonValue, events: Iterable<RecordedEvent>): RecordedRun {
  const run: RecordedRun = { input, steps: new Map() };
  for (const event of events) {
    const data = (event.data ?? {}) as Record<string, JsonValue | undefined>;
    if (event.type === 'EXECUTION_STARTED' && typeof data['triggerNodeId'] === 'string') run.triggerNodeId = data['triggerNodeId'];
    if (!event.nodeId) continue;
    let step: RecordedStep | null = null;
    if (event.type === 'STEP_COMPLETED') {
      const output = data['output'] ?? null;
      const handles = Array.isArray(data['handles']) ? data['handles'].filter((h): h is string => typeof h === 'string') : undefined;
      step = isTruncatedValue(output) ? { outcome: 'truncated' } : { outcome: 'completed', output, ...(handles ? { handles } : {}) };
    } else if (event.type === 'STEP_FAILED') {
      const error = (data['error'] ?? {}) as { message?: unknown; cause?: { type?: unknown } | null };
      step = {
        outcome: 'failed',
        message: typeof error.message === 'string' ? error.message : 'the step failed',
        causeType: typeof error.cause?.type === 'string' ? error.cause.type : 'Error',
      };
    }
    if (!step) continue;
    const list = run.steps.get(event.nodeId) ?? [];
    list.push(step);
    run.steps.set(event.nodeId, list);
  }
  return run;
}
