import type { ReplayEvent } from '@tandem/schema';

/**
 * Where the replay cursor stands among a run's events, and how it moves. A position is a count
 * of events applied: 0 is before the first event, `events.length` is the live end. Pure, so the
 * viewer, the keyboard shortcuts and the tests share it.
 */

/** The playback speeds offered; `'real'` waits as long as the run did between events. */
export const SPEEDS = [0.5, 1, 2, 4, 8, 16, 'real'] as const;
export type Speed = (typeof SPEEDS)[number];

/** At 1x, one event every this many milliseconds. */
export const BASE_EVENT_MS = 400;
/** "Real time" never waits longer than this between two events (a run that slept for a day). */
export const REAL_TIME_MAX_WAIT_MS = 10_000;

/** Event types that mean something went wrong: "next failure" stops at them. */
const FAILURE_TYPES = new Set(['STEP_FAILED', 'STEP_RETRYING', 'EXECUTION_FAILED', 'EXECUTION_TIMED_OUT']);

export function isFailureEvent(event: Pick<ReplayEvent, 'type'>): boolean {
  return FAILURE_TYPES.has(event.type);
}

export function clampPosition(position: number, length: number): number {
  if (!Number.isFinite(position)) return length;
  return Math.max(0, Math.min(Math.floor(position), length));
}

/**
 * The cursor: `following` means it stays on the live end as events arrive (a live run, until
 * the user moves it); otherwise it holds the moment after the event with `sequence` (0: before
 * any). A sequence, not a position, so a link's moment holds while the events still load.
 */
export interface Cursor {
  following: boolean;
  sequence: number;
}

export const FOLLOWING: Cursor = { following: true, sequence: 0 };

/** The position a cursor stands at among the events there are now. */
export function resolve(cursor: Cursor, events: readonly ReplayEvent[]): number {
  return cursor.following ? events.length : positionOfSequence(events, cursor.sequence);
}

/** A cursor held at `position` (moving the cursor stops following the live end). */
export function holdAt(position: number, events: readonly ReplayEvent[]): Cursor {
  return { following: false, sequence: sequenceAt(events, clampPosition(position, events.length)) };
}

/** The position after the next event at or after `from` (0-based index) that matches, or null. */
function nextMatch(events: readonly ReplayEvent[], from: number, matches: (event: ReplayEvent) => boolean): number | null {
  for (let i = Math.max(0, from); i < events.length; i++) if (matches(events[i]!)) return i + 1;
  return null;
}

/** The position just after the next failure after `position` (the failure applied), or null when none follows. */
export function nextFailure(events: readonly ReplayEvent[], position: number): number | null {
  return nextMatch(events, position, isFailureEvent);
}

/** The position of the first failure: where a failed run opens. Null when nothing failed. */
export function firstFailure(events: readonly ReplayEvent[]): number | null {
  return nextFailure(events, 0);
}

/** The position just after the next start (or skip) of `nodeId` after `position`, or null. */
export function nextStepOf(events: readonly ReplayEvent[], position: number, nodeId: string): number | null {
  return nextMatch(events, position, (event) => event.nodeId === nodeId && (event.type === 'STEP_STARTED' || event.type === 'STEP_SKIPPED'));
}

/** The position whose last applied event has this sequence (or the last one before it). */
export function positionOfSequence(events: readonly ReplayEvent[], sequence: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (events[middle]!.sequence <= sequence) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The sequence shown for a position: its last applied event's (0 before any). */
export function sequenceAt(events: readonly ReplayEvent[], position: number): number {
  return position > 0 ? (events[Math.min(position, events.length) - 1]?.sequence ?? 0) : 0;
}

/**
 * How long playback waits at `position` before applying the next event. A fixed speed plays
 * events evenly (`BASE_EVENT_MS` / speed); real time waits the time that passed between the
 * last applied event and the next one, at most `REAL_TIME_MAX_WAIT_MS`. Null at the end.
 */
export function playbackDelay(events: readonly ReplayEvent[], position: number, speed: Speed): number | null {
  if (position >= events.length) return null;
  if (speed !== 'real') return BASE_EVENT_MS / speed;
  const previous = events[position - 1];
  if (!previous) return 0;
  const gap = Date.parse(events[position]!.at) - Date.parse(previous.at);
  return Number.isFinite(gap) ? Math.max(0, Math.min(gap, REAL_TIME_MAX_WAIT_MS)) : 0;
}

/** The next speed up or down the list (`SPEEDS`), staying at the ends. */
export function shiftSpeed(speed: Speed, by: 1 | -1): Speed {
  const index = SPEEDS.indexOf(speed);
  return SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, index + by))]!;
}

export function speedLabel(speed: Speed): string {
  return speed === 'real' ? 'real time' : `${speed}x`;
}
