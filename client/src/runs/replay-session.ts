import { createEffect, createMemo, createSignal, onCleanup, untrack, type Accessor } from 'solid-js';
import { RunReplay, type RunState } from '@tandem/schema';
import type { ExecutionEvent } from '../lib/queries';
import { FOLLOWING, holdAt, nextFailure, nextStepOf, playbackDelay, resolve, sequenceAt, shiftSpeed, type Cursor, type Speed } from './cursor';

/**
 * The replay viewer's state over a run's growing list of events: the cursor (following the live
 * end or held at a moment), playback, and the run's state at the cursor from the schema's
 * `RunReplay` (checkpoints: any moment of a long run is a few hundred events away).
 */
export interface ReplaySession {
  position: Accessor<number>;
  /** The cursor's moment as a sequence (the link's `at`). */
  sequence: Accessor<number>;
  following: Accessor<boolean>;
  state: Accessor<RunState>;
  /** The state one event before the cursor: what the inspector compares with. */
  previous: Accessor<RunState>;
  /** The state at the live end (the run as it is now). */
  latest: Accessor<RunState>;
  playing: Accessor<boolean>;
  speed: Accessor<Speed>;
  seek(position: number): void;
  seekSequence(sequence: number): void;
  step(by: 1 | -1): void;
  live(): void;
  togglePlay(): void;
  setSpeed(speed: Speed): void;
  faster(by: 1 | -1): void;
  /** Jumps to the next failure; false when none follows. */
  nextFailure(): boolean;
  /** Jumps to the next step of a node; false when none follows. */
  nextStepOf(nodeId: string): boolean;
}

export function createReplaySession(events: Accessor<readonly ExecutionEvent[]>, initial: Cursor = FOLLOWING): ReplaySession {
  // Events only get appended: push the new ones; another list (another run) starts over.
  let replay = new RunReplay();
  let first: ExecutionEvent | undefined;
  const replayOf = createMemo(() => {
    const list = events();
    if (list[0] !== first || list.length < replay.length) {
      replay = new RunReplay();
      first = list[0];
    }
    for (let i = replay.length; i < list.length; i++) replay.push(list[i]!);
    return { replay, length: list.length };
  });
  const [cursor, setCursor] = createSignal<Cursor>(initial);
  const [playing, setPlaying] = createSignal(false);
  const [speed, setSpeed] = createSignal<Speed>(1);
  const position = createMemo(() => resolve(cursor(), events()));
  const state = createMemo(() => replayOf().replay.stateAfter(position()));
  const previous = createMemo(() => replayOf().replay.stateAfter(position() - 1));
  const latest = createMemo(() => replayOf().replay.latest());

  const seek = (to: number) => setCursor(holdAt(to, events()));
  const stopAnd = (move: () => void) => {
    setPlaying(false);
    move();
  };

  // Playback: one event at a time, waiting as the speed says; stops at the end.
  let timer: ReturnType<typeof setTimeout> | undefined;
  createEffect(() => {
    clearTimeout(timer);
    if (!playing()) return;
    const at = position();
    const list = events();
    const delay = playbackDelay(list, at, speed());
    if (delay === null) {
      untrack(() => setPlaying(false));
      return;
    }
    timer = setTimeout(() => seek(at + 1), delay);
  });
  onCleanup(() => clearTimeout(timer));

  return {
    position,
    sequence: () => sequenceAt(events(), position()),
    following: () => cursor().following,
    state,
    previous,
    latest,
    playing,
    speed,
    seek: (to) => stopAnd(() => seek(to)),
    seekSequence: (sequence) => stopAnd(() => setCursor({ following: false, sequence })),
    step: (by) => stopAnd(() => seek(position() + by)),
    live: () => stopAnd(() => setCursor(FOLLOWING)),
    togglePlay() {
      if (playing()) return setPlaying(false);
      // Playing from the end starts again from the beginning.
      if (position() >= events().length) seek(0);
      else seek(position());
      setPlaying(true);
    },
    setSpeed,
    faster: (by) => setSpeed(shiftSpeed(speed(), by)),
    nextFailure() {
      const to = nextFailure(events(), position());
      if (to !== null) stopAnd(() => seek(to));
      return to !== null;
    },
    nextStepOf(nodeId) {
      const to = nextStepOf(events(), position(), nodeId);
      if (to !== null) stopAnd(() => seek(to));
      return to !== null;
    },
  };
}
