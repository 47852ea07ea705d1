import { RunStateFold, type NodeRunState, type RunState } from '@tandem/schema';
import type { ExecutionEvent } from './queries';

/**
 * The run view's state is the schema's fold of the run's events (`RunStateFold`, the one the
 * replay viewer uses): this module only adapts it to the view's event lists.
 */
export type { RunState } from '@tandem/schema';
export { emptyRunState } from '@tandem/schema';

/** What the events say about one node. */
export type StepInfo = NodeRunState;

/** Folds events (in sequence order) into a state, going on from `state`; pure. */
export function applyEvents(state: RunState, events: readonly ExecutionEvent[]): RunState {
  if (events.length === 0) return state;
  return RunStateFold.from(state).applyAll(events).snapshot();
}

/**
 * A run's state from its growing list of events: each call folds only the events appended since
 * the previous one, and starts over when given another list (another run, or a shorter one).
 */
export function runStateFollower(): (events: readonly ExecutionEvent[]) => RunState {
  let fold = new RunStateFold();
  let first: ExecutionEvent | undefined;
  let seen = 0;
  return (events) => {
    if (events[0] !== first || events.length < seen) {
      fold = new RunStateFold();
      first = events[0];
      seen = 0;
    }
    for (; seen < events.length; seen++) fold.apply(events[seen]!);
    return fold.snapshot();
  };
}
