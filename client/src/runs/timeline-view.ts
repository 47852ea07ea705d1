/**
 * The visible window of the timeline's time axis and how zoom and pan move it. Pure: the
 * wheel, drag, buttons and keys all go through these.
 */
export interface TimeWindow {
  /** Milliseconds since the run's first event. */
  from: number;
  to: number;
}

/** The narrowest window: below this, zooming in stops. */
export const MIN_SPAN_MS = 5;

/** The whole run, with a little room after the last event so the end is visible. */
export function wholeRun(end: number): TimeWindow {
  const span = Math.max(end, MIN_SPAN_MS * 10);
  return { from: 0, to: span * 1.02 };
}

function bounded(window: TimeWindow, end: number): TimeWindow {
  const whole = wholeRun(end);
  const span = Math.min(Math.max(window.to - window.from, MIN_SPAN_MS), whole.to - whole.from);
  const from = Math.max(whole.from, Math.min(window.from, whole.to - span));
  return { from, to: from + span };
}

/** Zooms by `factor` (< 1 zooms in) keeping the time under `anchor` where it is. */
export function zoom(window: TimeWindow, factor: number, anchor: number, end: number): TimeWindow {
  const ratio = window.to > window.from ? (anchor - window.from) / (window.to - window.from) : 0.5;
  const span = (window.to - window.from) * factor;
  return bounded({ from: anchor - ratio * span, to: anchor - ratio * span + span }, end);
}

/** Moves the window by `delta` milliseconds. */
export function pan(window: TimeWindow, delta: number, end: number): TimeWindow {
  return bounded({ from: window.from + delta, to: window.to + delta }, end);
}

/** The window moved just enough to show `time` (the cursor, while playing). */
export function reveal(window: TimeWindow, time: number, end: number): TimeWindow {
  const span = window.to - window.from;
  if (time >= window.from && time <= window.to) return window;
  return bounded({ from: time - span * 0.1, to: time - span * 0.1 + span }, end);
}

/** The x pixel of a time in a window drawn `width` pixels wide. */
export function xOf(window: TimeWindow, time: number, width: number): number {
  return ((time - window.from) / (window.to - window.from)) * width;
}

/** The time at an x pixel. */
export function timeOf(window: TimeWindow, x: number, width: number): number {
  return window.from + (x / Math.max(1, width)) * (window.to - window.from);
}
