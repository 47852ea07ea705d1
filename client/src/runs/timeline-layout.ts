import type { NodeStatus, ReplayEvent } from '@tandem/schema';

/**
 * Where the timeline draws what: one lane per node, a bar per step (a node's run) from its
 * start to its end, split into segments at each retry, waits drawn as their own segments,
 * a node's repeated runs (loop iterations) stacked in rows, and the
 * run's continue-as-new seams and pauses marked. Times are milliseconds since the run's first
 * event. One pass over the events, so a 10,000-event run lays out in a few milliseconds.
 */

export type SegmentKind =
  /** The step running. */
  | 'run'
  /** An attempt that failed and was retried. */
  | 'attempt'
  /** Waiting: for a signal (`STEP_WAITING`) or a timer (a `delay` node). */
  | 'wait';

export interface TimelineSegment {
  kind: SegmentKind;
  start: number;
  /** Null while still going on (drawn to the live end). */
  end: number | null;
}

export interface TimelineBar {
  nodeId: string;
  lane: number;
  /** The row within the lane: a node's runs (loop iterations) alternate between `ITERATION_ROWS` rows. */
  row: number;
  /** The node's run: 0 for its first, 1 for its second (a loop body's second iteration), … */
  index: number;
  start: number;
  end: number | null;
  status: NodeStatus;
  startSequence: number;
  endSequence?: number;
  segments: TimelineSegment[];
}

export interface TimelineLane {
  nodeId: string;
  index: number;
  /** Rows of stacked runs; at least 1. */
  rows: number;
}

export interface TimelineMark {
  kind: 'continued-as-new' | 'failure';
  at: number;
  sequence: number;
  nodeId: string | null;
}

export interface TimelineLayout {
  /** The run's first event, epoch milliseconds (times below are relative to it). */
  origin: number;
  /** The last event's time. */
  end: number;
  lanes: TimelineLane[];
  /** Sorted by start. */
  bars: TimelineBar[];
  marks: TimelineMark[];
  /** The run was paused from `start` to `end` (null: still paused). */
  pauses: Array<{ start: number; end: number | null }>;
  /** Each event's time, by position - 1 (event index). */
  times: Float64Array;
}

/**
 * A node that runs more than once (a loop body, a loop inside a loop) has its runs stacked in
 * alternating rows, so iterations that follow each other without a gap stay apart.
 */
export const ITERATION_ROWS = 2;

/** Timer-like node types: their whole run is a wait. */
const WAITING_TYPES = new Set(['delay']);

interface OpenBar {
  bar: TimelineBar;
  type?: string;
}

/**
 * Lays out a run. `nodeOrder` gives the lanes' order (the definition's nodes); nodes seen in
 * events but not in it (an older definition) get lanes after them.
 */
export function layoutTimeline(events: readonly ReplayEvent[], nodeOrder: readonly string[] = []): TimelineLayout {
  const origin = events.length ? Date.parse(events[0]!.at) : 0;
  const times = new Float64Array(events.length);
  const lanes = new Map<string, TimelineLane>();
  const laneOf = (nodeId: string): TimelineLane => {
    let lane = lanes.get(nodeId);
    if (!lane) {
      lane = { nodeId, index: lanes.size, rows: 1 };
      lanes.set(nodeId, lane);
    }
    return lane;
  };
  for (const id of nodeOrder) laneOf(id);
  const bars: TimelineBar[] = [];
  const open = new Map<string, OpenBar>();
  const marks: TimelineMark[] = [];
  const pauses: TimelineLayout['pauses'] = [];
  const continuing = new Set<string>();
  const runCounts = new Map<string, number>();
  let last = 0;

  const closeSegment = (bar: TimelineBar, at: number, kind?: SegmentKind): void => {
    const segment = bar.segments[bar.segments.length - 1];
    if (segment && segment.end === null) {
      segment.end = at;
      if (kind) segment.kind = kind;
    }
  };
  const finish = (nodeId: string, at: number, status: NodeStatus, sequence: number): void => {
    const current = open.get(nodeId);
    if (!current) return;
    const { bar } = current;
    closeSegment(bar, at);
    bar.end = at;
    bar.status = status;
    bar.endSequence = sequence;
    open.delete(nodeId);
  };
  const begin = (event: ReplayEvent, at: number, status: NodeStatus, type?: string): TimelineBar => {
    const nodeId = event.nodeId!;
    const runs = runCounts.get(nodeId) ?? 0;
    runCounts.set(nodeId, runs + 1);
    const bar: TimelineBar = {
      nodeId,
      lane: laneOf(nodeId).index,
      row: runs % ITERATION_ROWS,
      index: runs,
      start: at,
      end: null,
      status,
      startSequence: event.sequence,
      segments: [{ kind: type && WAITING_TYPES.has(type) ? 'wait' : 'run', start: at, end: null }],
    };
    bars.push(bar);
    if (runs === 1) laneOf(nodeId).rows = ITERATION_ROWS;
    open.set(nodeId, { bar, ...(type ? { type } : {}) });
    return bar;
  };

  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const parsed = Date.parse(event.at) - origin;
    // Clocks of different Temporal runs may disagree slightly: time never goes backwards here.
    const at = Number.isFinite(parsed) ? Math.max(parsed, last) : last;
    last = at;
    times[i] = at;
    const id = event.nodeId;
    const data = event.data ?? {};
    switch (event.type) {
      case 'STEP_STARTED': {
        if (!id) break;
        if (continuing.has(id) && open.has(id)) {
          continuing.delete(id); // the same loop, going on in the next Temporal run
          break;
        }
        finish(id, at, 'skipped', event.sequence);
        begin(event, at, 'running', typeof data.type === 'string' ? data.type : undefined);
        break;
      }
      case 'STEP_WAITING': {
        if (!id) break;
        const current = open.get(id)?.bar ?? begin(event, at, 'waiting');
        current.status = 'waiting';
        closeSegment(current, at);
        current.segments.push({ kind: 'wait', start: at, end: null });
        break;
      }
      case 'STEP_RETRYING': {
        if (!id) break;
        const current = open.get(id)?.bar ?? begin(event, at, 'running');
        closeSegment(current, at, 'attempt');
        current.segments.push({ kind: 'run', start: at, end: null });
        marks.push({ kind: 'failure', at, sequence: event.sequence, nodeId: id });
        break;
      }
      case 'STEP_COMPLETED':
        if (id) finish(id, at, 'succeeded', event.sequence);
        break;
      case 'STEP_FAILED':
        if (id) {
          finish(id, at, 'failed', event.sequence);
          marks.push({ kind: 'failure', at, sequence: event.sequence, nodeId: id });
        }
        break;
      case 'STEP_SKIPPED':
        if (id) {
          finish(id, at, 'skipped', event.sequence);
          const bar = begin(event, at, 'skipped');
          finish(bar.nodeId, at, 'skipped', event.sequence);
        }
        break;
      case 'CONTINUED_AS_NEW':
        if (id) continuing.add(id);
        marks.push({ kind: 'continued-as-new', at, sequence: event.sequence, nodeId: id });
        break;
      case 'EXECUTION_PAUSED':
        pauses.push({ start: at, end: null });
        break;
      case 'EXECUTION_RESUMED': {
        const pause = pauses[pauses.length - 1];
        if (pause && pause.end === null) pause.end = at;
        break;
      }
      case 'EXECUTION_COMPLETED':
      case 'EXECUTION_FAILED':
      case 'EXECUTION_CANCELLED':
      case 'EXECUTION_TIMED_OUT': {
        // Nothing runs after the end: what was still open stops here.
        for (const nodeId of [...open.keys()]) finish(nodeId, at, 'skipped', event.sequence);
        const pause = pauses[pauses.length - 1];
        if (pause && pause.end === null) pause.end = at;
        if (event.type === 'EXECUTION_FAILED') marks.push({ kind: 'failure', at, sequence: event.sequence, nodeId: id });
        break;
      }
    }
  }
  bars.sort((a, b) => a.start - b.start || a.lane - b.lane);
  return { origin, end: last, lanes: [...lanes.values()], bars, marks, pauses, times };
}

/** The position (events applied) nearest to a time on the axis: the last event at or before it. */
export function positionAtTime(layout: Pick<TimelineLayout, 'times'>, time: number): number {
  const { times } = layout;
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle]! <= time) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The cursor's time for a position: its last applied event's time (0 before any). */
export function timeAtPosition(layout: Pick<TimelineLayout, 'times'>, position: number): number {
  return position > 0 ? (layout.times[Math.min(position, layout.times.length) - 1] ?? 0) : 0;
}
