import { RunStateFold, type ReplayEvent, type RunState } from './run-state.js';

/** Events between two checkpoints of a `RunReplay`. */
export const CHECKPOINT_EVERY = 256;

/**
 * A run's events with checkpoints: the state after every `every`-th event is kept, so the state
 * at any sequence is the nearest checkpoint at or before it plus at most `every - 1` events
 * folded forward. Stepping forward from the last answer folds only the new events. Events are
 * pushed in `sequence` order (a live run's events as they arrive); one whose sequence is not
 * past the last is a redelivery and is ignored.
 */
export class RunReplay {
  private readonly list: ReplayEvent[] = [];
  /** `checkpoints[k]`: the state after the first `k * every` events. */
  private readonly checkpoints: RunState[];
  /** Folds every event pushed: the state at the live end. */
  private readonly tail = new RunStateFold();
  /** The last state asked for, to go on from when the next one is further on. */
  private cursor: { fold: RunStateFold; position: number } | null = null;

  constructor(
    events: Iterable<ReplayEvent> = [],
    readonly every = CHECKPOINT_EVERY,
  ) {
    if (!Number.isInteger(every) || every < 1) throw new RangeError('every must be a positive integer');
    this.checkpoints = [this.tail.snapshot()];
    for (const event of events) this.push(event);
  }

  /** Adds the next event; false when it was ignored (not past the last sequence). */
  push(event: ReplayEvent): boolean {
    const last = this.list[this.list.length - 1];
    if (last && event.sequence <= last.sequence) return false;
    this.list.push(event);
    this.tail.apply(event);
    if (this.list.length % this.every === 0) this.checkpoints.push(this.tail.snapshot());
    return true;
  }

  get length(): number {
    return this.list.length;
  }

  get events(): readonly ReplayEvent[] {
    return this.list;
  }

  /** How many events have a sequence at most `sequence`. */
  positionOf(sequence: number): number {
    let low = 0;
    let high = this.list.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.list[middle]!.sequence <= sequence) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The state after every event with a sequence at most `sequence` (0: before any). */
  stateAt(sequence: number): RunState {
    return this.stateAfter(this.positionOf(sequence));
  }

  /** The state after the first `count` events (clamped to 0 … length). */
  stateAfter(count: number): RunState {
    const position = Math.max(0, Math.min(Math.floor(count), this.list.length));
    if (position === this.list.length) return this.tail.snapshot();
    const base = Math.floor(position / this.every) * this.every;
    let cursor = this.cursor;
    if (!cursor || cursor.position > position || cursor.position < base) {
      cursor = { fold: RunStateFold.from(this.checkpoints[base / this.every]!), position: base };
      this.cursor = cursor;
    }
    while (cursor.position < position) cursor.fold.apply(this.list[cursor.position++]!);
    return cursor.fold.snapshot();
  }

  /** The state after the last event. */
  latest(): RunState {
    return this.tail.snapshot();
  }
}
