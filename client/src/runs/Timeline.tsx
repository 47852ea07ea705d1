import { createEffect, createMemo, createSignal, onCleanup, onMount, For } from 'solid-js';
import { positionAtTime, timeAtPosition, type TimelineBar, type TimelineLayout } from './timeline-layout';
import { pan, reveal, timeOf, wholeRun, xOf, zoom, type TimeWindow } from './timeline-view';

/** Someone else's cursor on this run (debug together). */
export interface TimelinePeer {
  name: string;
  color: string;
  position: number;
}

export interface TimelineProps {
  layout: TimelineLayout;
  position: number;
  /** Describes the moment at the cursor for screen readers ("event 12 of 40: STEP_COMPLETED add"). */
  valueText: string;
  selected: string | null;
  peers: readonly TimelinePeer[];
  onSeek(position: number): void;
  onSelectNode(nodeId: string): void;
  /** Lets the page's shortcuts zoom the timeline. */
  ref?: (api: TimelineApi) => void;
}

export interface TimelineApi {
  zoomBy(factor: number): void;
  fit(): void;
}

const LABEL_WIDTH = 96;
const ROW_HEIGHT = 9;
const LANE_GAP = 7;
const AXIS_HEIGHT = 18;

const COLORS = {
  run: { succeeded: '#1e6b2e', failed: '#b3261e', running: '#1f5fbf', waiting: '#8a5300', skipped: '#9aa1ab', pending: '#9aa1ab' },
  attempt: '#e0675f',
  wait: '#d8a650',
  pause: 'rgba(138, 83, 0, 0.12)',
  continued: '#6b3fa0',
  failure: '#b3261e',
  text: '#1b1f24',
  muted: '#555d68',
  grid: '#e3e6ea',
  selected: 'rgba(31, 95, 191, 0.10)',
  cursor: '#1b1f24',
};

function laneTops(layout: TimelineLayout): number[] {
  const tops: number[] = [];
  let y = AXIS_HEIGHT;
  for (const lane of layout.lanes) {
    tops.push(y);
    y += lane.rows * ROW_HEIGHT + LANE_GAP;
  }
  tops.push(y);
  return tops;
}

/** A tick step (1, 2, 5 × 10^n ms) that gives about `count` ticks over `span`. */
function tickStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? raw;
}

function tickLabel(ms: number, step: number): string {
  if (step >= 1000) return `${(ms / 1000).toFixed(step >= 10_000 ? 0 : 1)} s`;
  return `${Math.round(ms)} ms`;
}

/**
 * The run's timeline under the graph, drawn on two canvases: the bars (redrawn when the
 * layout, the window or the size change) and the cursors (redrawn as the cursor moves), so
 * scrubbing a 10,000-event run redraws only a line. Wheel zooms (Shift+wheel pans), dragging
 * pans, a click moves the cursor; the focusable slider takes the keyboard.
 */
export function Timeline(props: TimelineProps) {
  let host!: HTMLDivElement;
  let bars!: HTMLCanvasElement;
  let cursors!: HTMLCanvasElement;
  const [width, setWidth] = createSignal(600);
  const [window, setWindow] = createSignal<TimeWindow>(wholeRun(props.layout.end));
  // A live run grows: keep showing the whole run until the user zooms or pans.
  const [fitted, setFitted] = createSignal(true);
  createEffect(() => {
    const end = props.layout.end;
    if (fitted()) setWindow(wholeRun(end));
  });
  const tops = createMemo(() => laneTops(props.layout));
  const height = () => tops()[tops().length - 1]! + 4;
  const plotWidth = () => Math.max(10, width() - LABEL_WIDTH);
  const setView = (next: TimeWindow) => {
    setFitted(false);
    setWindow(next);
  };
  const api: TimelineApi = {
    zoomBy: (factor) => setView(zoom(window(), factor, timeAtPosition(props.layout, props.position), props.layout.end)),
    fit: () => {
      setFitted(true);
      setWindow(wholeRun(props.layout.end));
    },
  };
  props.ref?.(api);

  onMount(() => {
    const observer = new ResizeObserver(() => setWidth(host.clientWidth));
    observer.observe(host);
    setWidth(host.clientWidth);
    onCleanup(() => observer.disconnect());
  });

  const prepare = (canvas: HTMLCanvasElement): CanvasRenderingContext2D | null => {
    const ratio = globalThis.devicePixelRatio || 1;
    const w = width();
    const h = height();
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
    }
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    const context = canvas.getContext('2d');
    if (!context) return null; // jsdom
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, w, h);
    return context;
  };

  // The bars: culled to the window, at least one pixel wide.
  createEffect(() => {
    const context = prepare(bars);
    if (!context) return;
    const layout = props.layout;
    const view = window();
    const plot = plotWidth();
    const laneTop = tops();
    const x = (time: number) => LABEL_WIDTH + xOf(view, time, plot);
    context.font = '11px system-ui, sans-serif';
    context.textBaseline = 'middle';
    layout.lanes.forEach((lane, i) => {
      const top = laneTop[i]!;
      const bottom = laneTop[i + 1]! - LANE_GAP;
      if (lane.nodeId === props.selected) {
        context.fillStyle = COLORS.selected;
        context.fillRect(0, top - 2, width(), bottom - top + 4);
      }
      context.fillStyle = COLORS.text;
      context.fillText(lane.nodeId.length > 13 ? `${lane.nodeId.slice(0, 12)}…` : lane.nodeId, 4, (top + bottom) / 2, LABEL_WIDTH - 8);
      context.fillStyle = COLORS.grid;
      context.fillRect(LABEL_WIDTH, bottom + LANE_GAP / 2, plot, 1);
    });
    // The time axis.
    const step = tickStep(view.to - view.from, Math.max(2, Math.floor(plot / 90)));
    context.fillStyle = COLORS.muted;
    for (let t = Math.ceil(view.from / step) * step; t <= view.to; t += step) {
      const tx = x(t);
      context.fillRect(tx, AXIS_HEIGHT - 5, 1, 5);
      context.fillText(tickLabel(t, step), tx + 3, 7);
    }
    context.save();
    context.beginPath();
    context.rect(LABEL_WIDTH, 0, plot, height());
    context.clip();
    for (const pause of layout.pauses) {
      context.fillStyle = COLORS.pause;
      const from = x(pause.start);
      context.fillRect(from, AXIS_HEIGHT, x(pause.end ?? layout.end) - from, height() - AXIS_HEIGHT);
    }
    for (const bar of layout.bars) {
      const end = bar.end ?? layout.end;
      if (end < view.from || bar.start > view.to) continue;
      drawBar(context, bar, laneTop[bar.lane]! + bar.row * ROW_HEIGHT, x, layout.end);
    }
    for (const mark of layout.marks) {
      if (mark.at < view.from || mark.at > view.to) continue;
      const mx = Math.round(x(mark.at));
      if (mark.kind === 'continued-as-new') {
        context.fillStyle = COLORS.continued;
        context.fillRect(mx, AXIS_HEIGHT - 4, 2, height() - AXIS_HEIGHT + 4);
      } else {
        context.fillStyle = COLORS.failure;
        context.beginPath();
        context.moveTo(mx - 4, AXIS_HEIGHT - 6);
        context.lineTo(mx + 4, AXIS_HEIGHT - 6);
        context.lineTo(mx, AXIS_HEIGHT);
        context.fill();
      }
    }
    context.restore();
  });

  // The cursors: this person's, then others'.
  createEffect(() => {
    const context = prepare(cursors);
    if (!context) return;
    const view = window();
    const plot = plotWidth();
    const line = (position: number, color: string, thick: number) => {
      const cx = LABEL_WIDTH + xOf(view, position === 0 ? view.from : timeAtPosition(props.layout, position), plot);
      if (cx < LABEL_WIDTH - 1 || cx > width() + 1) return null;
      context.fillStyle = color;
      context.fillRect(Math.round(cx) - Math.floor(thick / 2), 0, thick, height());
      return cx;
    };
    for (const peer of props.peers) {
      const px = line(peer.position, peer.color, 2);
      if (px !== null) {
        context.font = '10px system-ui, sans-serif';
        context.fillText(peer.name, Math.min(px + 3, width() - 60), height() - 6);
      }
    }
    line(props.position, COLORS.cursor, 2);
  });

  // While playing or stepping, keep the cursor in view.
  createEffect(() => {
    const time = timeAtPosition(props.layout, props.position);
    const next = reveal(window(), time, props.layout.end);
    if (next !== window()) setWindow(next);
  });

  // Pointer: a click seeks (or selects a lane by its label), a drag pans.
  let drag: { x: number; from: TimeWindow; moved: boolean } | null = null;
  const localX = (event: PointerEvent | WheelEvent) => event.clientX - host.getBoundingClientRect().left;
  const onPointerDown = (event: PointerEvent) => {
    drag = { x: event.clientX, from: window(), moved: false };
    host.setPointerCapture?.(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent) => {
    if (!drag) return;
    const dx = event.clientX - drag.x;
    if (Math.abs(dx) > 3) drag.moved = true;
    if (drag.moved) setView(pan(drag.from, -(dx / plotWidth()) * (drag.from.to - drag.from.from), props.layout.end));
  };
  const onPointerUp = (event: PointerEvent) => {
    const wasDrag = drag?.moved;
    drag = null;
    if (wasDrag) return;
    const x = localX(event);
    if (x < LABEL_WIDTH) {
      const y = event.clientY - host.getBoundingClientRect().top;
      const lane = tops().findIndex((top, i) => i < props.layout.lanes.length && y >= top && y < tops()[i + 1]!);
      if (lane >= 0) props.onSelectNode(props.layout.lanes[lane]!.nodeId);
      return;
    }
    props.onSeek(positionAtTime(props.layout, timeOf(window(), x - LABEL_WIDTH, plotWidth())));
  };
  const onWheel = (event: WheelEvent) => {
    event.preventDefault();
    const view = window();
    if (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
      const delta = (event.shiftKey ? event.deltaY : event.deltaX) / plotWidth();
      setView(pan(view, delta * (view.to - view.from), props.layout.end));
      return;
    }
    const anchor = timeOf(view, localX(event) - LABEL_WIDTH, plotWidth());
    setView(zoom(view, event.deltaY > 0 ? 1.25 : 0.8, anchor, props.layout.end));
  };
  onMount(() => {
    host.addEventListener('wheel', onWheel, { passive: false });
    onCleanup(() => host.removeEventListener('wheel', onWheel));
  });

  const onKeyDown = (event: KeyboardEvent) => {
    const view = window();
    const span = view.to - view.from;
    if (event.shiftKey && (event.key === 'ArrowLeft' || event.key === 'ArrowRight')) {
      setView(pan(view, (event.key === 'ArrowLeft' ? -0.2 : 0.2) * span, props.layout.end));
      event.preventDefault();
      event.stopPropagation();
    }
  };

  return (
    <section class="replay-timeline panel" aria-label="Timeline">
      <div class="timeline-tools">
        <h2>Timeline</h2>
        <button type="button" onClick={() => api.zoomBy(0.5)} aria-label="Zoom in" title="Zoom in (+)">
          +
        </button>
        <button type="button" onClick={() => api.zoomBy(2)} aria-label="Zoom out" title="Zoom out (-)">
          −
        </button>
        <button
          type="button"
          onClick={() => setView(pan(window(), -0.25 * (window().to - window().from), props.layout.end))}
          aria-label="Earlier"
          title="Earlier (Shift+←)"
        >
          ‹
        </button>
        <button
          type="button"
          onClick={() => setView(pan(window(), 0.25 * (window().to - window().from), props.layout.end))}
          aria-label="Later"
          title="Later (Shift+→)"
        >
          ›
        </button>
        <button type="button" onClick={() => api.fit()} title="Whole run (0)">
          Fit
        </button>
        <span class="hint timeline-legend">
          <For each={LEGEND}>{(item) => <span class={`legend legend-${item.kind}`}>{item.label}</span>}</For>
        </span>
      </div>
      <div
        ref={host}
        class="timeline-plot"
        role="slider"
        tabindex="0"
        aria-label="Run timeline: the cursor"
        aria-valuemin={0}
        aria-valuemax={props.layout.times.length}
        aria-valuenow={props.position}
        aria-valuetext={props.valueText}
        data-position={props.position}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onKeyDown={onKeyDown}
        style={{ height: `${height()}px` }}
      >
        <canvas ref={bars} aria-hidden="true" />
        <canvas ref={cursors} aria-hidden="true" />
      </div>
    </section>
  );
}

const LEGEND = [
  { kind: 'run', label: 'step' },
  { kind: 'attempt', label: 'failed attempt' },
  { kind: 'wait', label: 'wait' },
  { kind: 'pause', label: 'paused' },
  { kind: 'continued', label: 'continue-as-new' },
];

function drawBar(context: CanvasRenderingContext2D, bar: TimelineBar, top: number, x: (time: number) => number, end: number): void {
  const h = ROW_HEIGHT - 2;
  for (const segment of bar.segments) {
    const from = x(segment.start);
    const w = Math.max(1.5, x(segment.end ?? end) - from);
    if (segment.kind === 'run') context.fillStyle = COLORS.run[bar.status];
    else context.fillStyle = segment.kind === 'attempt' ? COLORS.attempt : COLORS.wait;
    context.fillRect(from, top + (segment.kind === 'wait' ? 2 : 0), w, segment.kind === 'wait' ? h - 4 : h);
  }
}
