export interface EventuallyOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between tries (default 20 ms). */
  intervalMs?: number;
  /** What is awaited, for the timeout's message (when `check` returns `false` rather than throwing). */
  what?: string;
}

/**
 * Waits for a condition instead of a fixed time. `check` holds once it returns (or resolves
 * to) anything but `false` without throwing: a boolean, an assertion (`expect(…)`), or a
 * value to hand back. It is tried again every `intervalMs` until it holds, and `eventually`
 * resolves to what it returned; after `timeoutMs` the last error is thrown (an assertion
 * says what it saw), or "<what> did not hold within <timeoutMs> ms".
 *
 * For a negative check ("nothing happens"), wait with `eventually` for a positive signal that
 * would have come after the unwanted effect, then assert the effect is absent.
 */
export async function eventually<T>(check: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<Exclude<T, false>> {
  const { timeoutMs = 10_000, intervalMs = 20, what = 'the condition' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      const result = await check();
      if (result !== false) return result as Exclude<T, false>;
      failure = new Error(`${what} did not hold within ${timeoutMs} ms`);
    } catch (error) {
      failure = error;
    }
    if (Date.now() >= deadline) throw failure;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
