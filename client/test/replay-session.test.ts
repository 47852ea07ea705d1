import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRoot, createSignal } from 'solid-js';
import type { ExecutionEvent } from '../src/lib/queries';
import { BASE_EVENT_MS } from '../src/runs/cursor';
import { createReplaySession } from '../src/runs/replay-session';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const event = (sequence: number, type: string, nodeId: string | null, data: Record<string, unknown> = {}): ExecutionEvent => ({
  id: String(sequence),
  sequence,
  type,
  nodeId,
  at: new Date(T0 + sequence * 1000).toISOString(),
  data,
});
const run = [
  event(1, 'EXECUTION_STARTED', null, { input: {} }),
  event(2, 'STEP_STARTED', 'a', { type: 'transform' }),
  event(3, 'STEP_COMPLETED', 'a', { output: 1 }),
  event(4, 'STEP_STARTED', 'b', { type: 'transform' }),
  event(5, 'STEP_FAILED', 'b', { error: { message: 'boom' } }),
  event(6, 'EXECUTION_FAILED', null, { error: { message: 'boom', nodeId: 'b' } }),
];

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function session(initial: ExecutionEvent[]) {
  return createRoot((dispose) => {
    const [events, setEvents] = createSignal(initial);
    return { s: createReplaySession(events), setEvents, dispose };
  });
}

describe('replay session', () => {
  it('shows each node as it was at the cursor, and the live end apart from it', () => {
    const { s, dispose } = session(run);
    expect(s.following()).toBe(true);
    expect(s.state().steps.get('b')?.status).toBe('failed');
    s.seek(3);
    expect(s.following()).toBe(false);
    expect(s.sequence()).toBe(3);
    expect(s.state().steps.get('a')?.status).toBe('succeeded');
    expect(s.state().steps.has('b')).toBe(false);
    expect(s.previous().steps.get('a')?.status).toBe('running');
    expect(s.latest().status).toBe('FAILED');
    expect(s.nextFailure()).toBe(true);
    expect(s.position()).toBe(5);
    expect(s.nextStepOf('a')).toBe(false);
    dispose();
  });

  it('follows new events until moved; Live follows again', () => {
    const { s, setEvents, dispose } = session(run.slice(0, 2));
    setEvents(run.slice(0, 4));
    expect(s.position()).toBe(4);
    s.step(-1);
    setEvents(run);
    expect(s.position()).toBe(3);
    expect(s.state().steps.has('b')).toBe(false);
    s.live();
    expect(s.position()).toBe(6);
    dispose();
  });

  it('plays one event per step of the chosen speed and stops at the end; playing from the end starts over', () => {
    const { s, dispose } = session(run);
    s.seek(4);
    s.setSpeed(2);
    s.togglePlay();
    expect(s.playing()).toBe(true);
    vi.advanceTimersByTime(BASE_EVENT_MS / 2);
    expect(s.position()).toBe(5);
    vi.advanceTimersByTime(BASE_EVENT_MS / 2);
    expect(s.position()).toBe(6);
    vi.advanceTimersByTime(BASE_EVENT_MS);
    expect(s.playing()).toBe(false);
    s.togglePlay();
    expect(s.position()).toBe(0);
    vi.advanceTimersByTime(BASE_EVENT_MS / 2);
    expect(s.position()).toBe(1);
    s.step(1); // a move of the cursor pauses playback
    expect(s.playing()).toBe(false);
    vi.advanceTimersByTime(BASE_EVENT_MS * 4);
    expect(s.position()).toBe(2);
    dispose();
  });
});
