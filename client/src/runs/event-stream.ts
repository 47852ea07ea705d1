import { createEffect, createMemo, createSignal, on, onCleanup, type Accessor } from 'solid-js';
import { isTerminalEventType } from '@tandem/schema';
import { describeError, subscribe } from '../lib/api';
import { EXECUTION_EVENTS_SUBSCRIPTION, type ExecutionEvent } from '../lib/queries';

const CACHE_LIMIT = 2000;
/** How long arriving events wait to be appended together: about one frame. */
const FRAME_MS = 16;

export type StreamState = 'connecting' | 'live' | 'ended' | 'retrying';

export interface EventStream {
  /** Every event of the run seen so far, in sequence order. */
  events: Accessor<ExecutionEvent[]>;
  state: Accessor<StreamState>;
  /** Why the stream last dropped (it resumes by itself). */
  error: Accessor<string>;
}

/**
 * A run's events, live: the ones cached in this tab (sessionStorage) first, then the
 * subscription resumed after the last one held; when it drops or falls behind, it subscribes
 * again after the last event seen. Started by an effect once `executionId` is known, and
 * again when it changes; stopped when the owner is disposed.
 */
export function useEventStream(executionId: Accessor<string | undefined>, options: { onTerminal?: () => void } = {}): EventStream {
  const [events, setEvents] = createSignal<ExecutionEvent[]>([]);
  const [state, setState] = createSignal<StreamState>('connecting');
  const [error, setError] = createSignal('');
  // Only a different id restarts the stream (a refetched run with the same id does not).
  const id = createMemo(executionId);

  // `on` runs the body untracked: reading `events()` below must not restart the stream.
  createEffect(
    on(id, (current) => {
      if (!current) return;
      let stop: (() => void) | undefined;
      let retryTimer: ReturnType<typeof setTimeout> | undefined;
      onCleanup(() => {
        stop?.();
        clearTimeout(retryTimer);
      });
      const initial = cachedEvents(current);
      setEvents(initial);
      setError('');
      if (initial.some((e) => isTerminalEventType(e.type))) {
        // Everything is here already: a finished run's stream has nothing more to say.
        setState('ended');
        return;
      }
      // Events that arrived since the last frame: a catching-up run sends thousands back to back,
      // and appending (and caching) them one by one made opening a long run quadratic.
      let pending: ExecutionEvent[] = [];
      let flushTimer: ReturnType<typeof setTimeout> | undefined;
      onCleanup(() => clearTimeout(flushTimer));
      const flush = () => {
        clearTimeout(flushTimer);
        flushTimer = undefined;
        if (pending.length === 0) return;
        const batch = pending;
        pending = [];
        const next = events().concat(batch);
        setEvents(next);
        cacheEvents(current, next);
        if (batch.some((e) => isTerminalEventType(e.type))) options.onTerminal?.();
      };
      const listen = () => {
        flush();
        const after = events().at(-1)?.id ?? null;
        setState('connecting');
        stop = subscribe<{ executionEvents: ExecutionEvent }>(
          EXECUTION_EVENTS_SUBSCRIPTION,
          { executionId: current, after },
          {
            next: ({ executionEvents: event }) => {
              setState('live');
              const last = pending.at(-1) ?? events().at(-1);
              if (last && last.sequence >= event.sequence) return;
              pending.push(event);
              if (isTerminalEventType(event.type)) flush();
              else flushTimer ??= setTimeout(flush, FRAME_MS);
            },
            error: (failure) => {
              // Fell behind, or the connection dropped: resume after the last event seen.
              setError(describeError(failure));
              setState('retrying');
              stop?.();
              flush();
              retryTimer = setTimeout(listen, 1000);
            },
            complete: () => {
              flush();
              setState('ended');
            },
          },
        );
      };
      listen();
    }),
  );

  return { events, state, error };
}

/** Events seen before a reload, so the stream resumes after the last cursor instead of from the start. */
function cachedEvents(executionId: string): ExecutionEvent[] {
  try {
    const raw = sessionStorage.getItem(`tandem.events.${executionId}`);
    return raw ? (JSON.parse(raw) as ExecutionEvent[]) : [];
  } catch {
    return [];
  }
}

function cacheEvents(executionId: string, events: readonly ExecutionEvent[]): void {
  try {
    if (events.length <= CACHE_LIMIT) sessionStorage.setItem(`tandem.events.${executionId}`, JSON.stringify(events));
  } catch {
    // Storage full: the next load starts from the first event.
  }
}
