import { createRoot, createSignal } from 'solid-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Api from '../src/lib/api';
import type { ExecutionEvent } from '../src/lib/queries';

/** The subscriptions the hook opened, with the handlers it gave and whether it stopped them. */
const opened: Array<{ variables: Record<string, unknown>; handlers: { next: (data: unknown) => void; error?: (e: Error) => void }; stopped: boolean }> = [];
vi.mock('../src/lib/api', async (original) => ({
  ...(await original<typeof Api>()),
  subscribe: (_query: string, variables: Record<string, unknown>, handlers: (typeof opened)[number]['handlers']) => {
    const entry = { variables, handlers, stopped: false };
    opened.push(entry);
    return () => void (entry.stopped = true);
  },
}));
const { useEventStream } = await import('../src/runs/event-stream');

const event = (sequence: number, type = 'STEP_COMPLETED'): ExecutionEvent => ({
  id: `c${sequence}`,
  sequence,
  type,
  nodeId: 'n',
  at: new Date(0).toISOString(),
  data: {},
});

describe('a run’s event stream', () => {
  beforeEach(() => {
    opened.length = 0;
    sessionStorage.clear();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => vi.useRealTimers());

  it('starts once the run is known, resumes after the cached events, retries after the last seen, and stops when disposed', async () => {
    sessionStorage.setItem('tandem.events.r1', JSON.stringify([event(1), event(2)]));
    const [id, setId] = createSignal<string | undefined>(undefined);
    const terminal = vi.fn();
    const { stream, dispose } = createRoot((dispose) => ({ stream: useEventStream(id, { onTerminal: terminal }), dispose }));
    await vi.runAllTimersAsync();
    expect(opened).toHaveLength(0);

    setId('r1');
    await vi.runAllTimersAsync();
    expect(opened).toHaveLength(1);
    expect(opened[0]!.variables).toEqual({ executionId: 'r1', after: 'c2' });
    expect(stream.events().map((e) => e.sequence)).toEqual([1, 2]);

    opened[0]!.handlers.next({ executionEvents: event(2) }); // a duplicate is dropped
    opened[0]!.handlers.next({ executionEvents: event(3) });
    // Events arriving together are appended together, a frame later.
    expect(stream.events().map((e) => e.sequence)).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(16);
    expect(stream.events().map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect(stream.state()).toBe('live');
    // New events do not restart the stream.
    await vi.runAllTimersAsync();
    expect(opened).toHaveLength(1);

    opened[0]!.handlers.error?.(new Error('the live connection closed'));
    expect(stream.state()).toBe('retrying');
    expect(opened[0]!.stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(opened).toHaveLength(2);
    expect(opened[1]!.variables).toEqual({ executionId: 'r1', after: 'c3' });

    opened[1]!.handlers.next({ executionEvents: event(4, 'EXECUTION_COMPLETED') });
    expect(terminal).toHaveBeenCalledTimes(1);
    expect(JSON.parse(sessionStorage.getItem('tandem.events.r1')!)).toHaveLength(4);

    // The same run again (a refetch) keeps the stream; disposing stops it.
    setId('r1');
    await vi.runAllTimersAsync();
    expect(opened).toHaveLength(2);
    dispose();
    expect(opened[1]!.stopped).toBe(true);
  });

  it('appends a burst of events once, in order, without duplicates', async () => {
    const { stream, dispose } = createRoot((dispose) => ({ stream: useEventStream(() => 'r3'), dispose }));
    await vi.runAllTimersAsync();
    const seen: number[] = [];
    for (let sequence = 1; sequence <= 500; sequence++) opened[0]!.handlers.next({ executionEvents: event(sequence) });
    opened[0]!.handlers.next({ executionEvents: event(250) });
    seen.push(stream.events().length);
    await vi.advanceTimersByTimeAsync(16);
    seen.push(stream.events().length);
    expect(seen).toEqual([0, 500]);
    expect(stream.events().map((e) => e.sequence)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    dispose();
  });

  it('does not subscribe for a finished run whose events are all cached', async () => {
    sessionStorage.setItem('tandem.events.r2', JSON.stringify([event(1), event(2, 'EXECUTION_FAILED')]));
    const { stream, dispose } = createRoot((dispose) => ({ stream: useEventStream(() => 'r2'), dispose }));
    await vi.runAllTimersAsync();
    expect(opened).toHaveLength(0);
    expect(stream.state()).toBe('ended');
    expect(stream.events()).toHaveLength(2);
    dispose();
  });
});
