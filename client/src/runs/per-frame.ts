import { createEffect, createSignal, on, onCleanup, type Accessor } from 'solid-js';

/**
 * A signal that follows `source` at most once per animation frame. A run's events arrive one
 * message at a time (10,000 of them when a long run opens): the replay viewer folds and lays
 * out what arrived in a frame once, not once per event.
 */
export function perFrame<T>(source: Accessor<T>): Accessor<T> {
  const [value, setValue] = createSignal<T>(source());
  let scheduled: number | null = null;
  const schedule = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (run: () => void) => setTimeout(run, 16) as unknown as number;
  const cancel = typeof cancelAnimationFrame === 'function' ? cancelAnimationFrame : (id: number) => clearTimeout(id);
  createEffect(
    on(
      source,
      () => {
        scheduled ??= schedule(() => {
          scheduled = null;
          setValue(() => source());
        });
      },
      { defer: true },
    ),
  );
  onCleanup(() => scheduled !== null && cancel(scheduled));
  return value;
}
