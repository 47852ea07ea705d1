import { describe, expect, it } from 'vitest';
import type { ReplayEvent } from '@tandem/schema';
import { layoutTimeline, positionAtTime, timeAtPosition } from '../src/runs/timeline-layout';
import { pan, reveal, timeOf, wholeRun, xOf, zoom } from '../src/runs/timeline-view';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** Events at given milliseconds after T0, numbered in order. */
function run(...items: Array<[ms: number, type: string, nodeId: string | null, data?: Record<string, unknown>]>): ReplayEvent[] {
  return items.map(([ms, type, nodeId, data], i) => ({ sequence: i + 1, type, nodeId, at: new Date(T0 + ms).toISOString(), data: data ?? {} }));
}

describe('timeline layout', () => {
  it('draws one lane per node in the definition order and a bar per step from start to end', () => {
    const layout = layoutTimeline(
      run(
        [0, 'EXECUTION_STARTED', null],
        [10, 'STEP_STARTED', 'start', { type: 'trigger.manual' }],
        [20, 'STEP_COMPLETED', 'start'],
        [20, 'STEP_STARTED', 'add', { type: 'transform' }],
        [70, 'STEP_COMPLETED', 'add'],
        [80, 'EXECUTION_COMPLETED', null],
      ),
      ['start', 'add', 'out'],
    );
    expect(layout.lanes.map((l) => l.nodeId)).toEqual(['start', 'add', 'out']);
    expect(layout.bars.map((b) => [b.nodeId, b.lane, b.start, b.end, b.status])).toEqual([
      ['start', 0, 10, 20, 'succeeded'],
      ['add', 1, 20, 70, 'succeeded'],
    ]);
    expect(layout.end).toBe(80);
    expect([...layout.times]).toEqual([0, 10, 20, 20, 70, 80]);
  });

  it('splits a retried step into its failed attempts and the final run, and marks the failures', () => {
    const layout = layoutTimeline(
      run(
        [0, 'STEP_STARTED', 'call', { type: 'http.request' }],
        [100, 'STEP_RETRYING', 'call', { attempt: 1, error: { message: '503' } }],
        [300, 'STEP_RETRYING', 'call', { attempt: 2, error: { message: '503' } }],
        [600, 'STEP_FAILED', 'call', { error: { message: 'gave up' } }],
        [610, 'EXECUTION_FAILED', null],
      ),
    );
    const [bar] = layout.bars;
    expect(bar!.status).toBe('failed');
    expect(bar!.segments).toEqual([
      { kind: 'attempt', start: 0, end: 100 },
      { kind: 'attempt', start: 100, end: 300 },
      { kind: 'run', start: 300, end: 600 },
    ]);
    expect(layout.marks.filter((m) => m.kind === 'failure').map((m) => m.sequence)).toEqual([2, 3, 4, 5]);
  });

  it('draws waits for a signal and timers as waits, and pauses as bands', () => {
    const layout = layoutTimeline(
      run(
        [0, 'STEP_STARTED', 'approval', { type: 'wait.signal' }],
        [5, 'STEP_WAITING', 'approval', { signal: 'approve' }],
        [50, 'EXECUTION_PAUSED', null],
        [80, 'EXECUTION_RESUMED', null],
        [100, 'STEP_COMPLETED', 'approval'],
        [100, 'STEP_STARTED', 'sleep', { type: 'delay' }],
        [400, 'STEP_COMPLETED', 'sleep'],
      ),
    );
    const approval = layout.bars.find((b) => b.nodeId === 'approval')!;
    expect(approval.segments).toEqual([
      { kind: 'run', start: 0, end: 5 },
      { kind: 'wait', start: 5, end: 100 },
    ]);
    expect(layout.bars.find((b) => b.nodeId === 'sleep')!.segments).toEqual([{ kind: 'wait', start: 100, end: 400 }]);
    expect(layout.pauses).toEqual([{ start: 50, end: 80 }]);
  });

  it("stacks a loop body's iterations in alternating rows; a loop goes on across continue-as-new", () => {
    const layout = layoutTimeline(
      run(
        [0, 'STEP_STARTED', 'loop', { type: 'loop' }],
        [1, 'STEP_STARTED', 'body', { type: 'transform' }],
        [2, 'STEP_COMPLETED', 'body'],
        [3, 'STEP_STARTED', 'body', { type: 'transform' }],
        [4, 'STEP_COMPLETED', 'body'],
        [5, 'CONTINUED_AS_NEW', 'loop', { iteration: 2 }],
        [6, 'STEP_STARTED', 'loop', { type: 'loop' }],
        [7, 'STEP_STARTED', 'body', { type: 'transform' }],
        [9, 'STEP_COMPLETED', 'body'],
        [10, 'STEP_COMPLETED', 'loop'],
      ),
    );
    const loops = layout.bars.filter((b) => b.nodeId === 'loop');
    expect(loops).toHaveLength(1);
    expect([loops[0]!.start, loops[0]!.end]).toEqual([0, 10]);
    const body = layout.bars.filter((b) => b.nodeId === 'body');
    expect(body.map((b) => [b.index, b.row])).toEqual([
      [0, 0],
      [1, 1],
      [2, 0],
    ]);
    expect(layout.lanes.find((l) => l.nodeId === 'body')!.rows).toBe(2);
    expect(layout.lanes.find((l) => l.nodeId === 'loop')!.rows).toBe(1);
    expect(layout.marks).toEqual([{ kind: 'continued-as-new', at: 5, sequence: 6, nodeId: 'loop' }]);
  });

  it('ends what was still open when the run ends, and lays out 10,000 events in one pass', () => {
    const cancelled = layoutTimeline(run([0, 'STEP_STARTED', 'wait', { type: 'wait.signal' }], [9, 'EXECUTION_CANCELLED', null]));
    expect(cancelled.bars[0]).toMatchObject({ end: 9, status: 'skipped' });

    const items: Array<[number, string, string | null, Record<string, unknown>?]> = [[0, 'EXECUTION_STARTED', null]];
    for (let i = 0; i < 4999; i++) items.push([i * 2 + 1, 'STEP_STARTED', 'body'], [i * 2 + 2, 'STEP_COMPLETED', 'body']);
    const big = layoutTimeline(run(...items));
    expect(big.bars).toHaveLength(4999);
    expect(big.bars.every((b) => b.end !== null)).toBe(true);
  });

  it('maps times to cursor positions and back', () => {
    const layout = layoutTimeline(
      run([0, 'EXECUTION_STARTED', null], [10, 'STEP_STARTED', 'a'], [10, 'STEP_COMPLETED', 'a'], [30, 'EXECUTION_COMPLETED', null]),
    );
    expect(positionAtTime(layout, -1)).toBe(0);
    expect(positionAtTime(layout, 0)).toBe(1);
    expect(positionAtTime(layout, 15)).toBe(3);
    expect(positionAtTime(layout, 99)).toBe(4);
    expect(timeAtPosition(layout, 0)).toBe(0);
    expect(timeAtPosition(layout, 3)).toBe(10);
  });
});

describe('timeline zoom and pan', () => {
  it('zooms around the anchor, stays inside the run and never narrower than the minimum', () => {
    const whole = wholeRun(1000);
    const zoomed = zoom(whole, 0.5, 500, 1000);
    expect(zoomed.to - zoomed.from).toBeCloseTo((whole.to - whole.from) / 2);
    expect(xOf(zoomed, 500, 800)).toBeCloseTo(xOf(whole, 500, 800));
    expect(zoom(whole, 4, 500, 1000)).toEqual(whole);
    let tiny = whole;
    for (let i = 0; i < 50; i++) tiny = zoom(tiny, 0.5, 100, 1000);
    expect(tiny.to - tiny.from).toBeCloseTo(5);
  });

  it('pans within the run and reveals a time outside the window', () => {
    const window = zoom(wholeRun(1000), 0.1, 0, 1000);
    expect(pan(window, -500, 1000).from).toBe(0);
    const right = pan(window, 10_000, 1000);
    expect(right.to).toBeCloseTo(wholeRun(1000).to);
    const shown = reveal(window, 700, 1000);
    expect(shown.from).toBeLessThanOrEqual(700);
    expect(shown.to).toBeGreaterThanOrEqual(700);
    expect(reveal(shown, 700, 1000)).toBe(shown);
    expect(timeOf(window, xOf(window, 42, 640), 640)).toBeCloseTo(42);
  });
});
