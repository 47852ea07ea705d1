// Gives back the heap a burst of runs grew. V8 grows a thread's heap to what the burst needed
// and keeps it until its next major collection, which does not come once the thread stops
// allocating: 30 s after 5,000 runs had completed, the worker's workflow thread held 176 MiB of
// heap for 33 MiB of live objects, the API process 313 MiB for 73 (docs/performance.md). One
// full collection when a busy thread has gone quiet returns it to the system.
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface MemoryReleaseOptions {
  /** How often the thread's event loop is looked at. */
  intervalMs?: number;
  /** Event-loop utilisation over one interval above which the thread counts as busy. */
  busyUtilization?: number;
  /** Unused heap (allocated minus used) below which a collection is not worth its pause. */
  minSlackBytes?: number;
}

export const MEMORY_RELEASE_DEFAULTS: Required<MemoryReleaseOptions> = {
  intervalMs: 5_000,
  busyUtilization: 0.1,
  minSlackBytes: 16 * 1024 * 1024,
};

/** What one look at the thread decides: collect now, or not; and whether a burst is still to be answered. */
export function afterInterval(
  state: { busySinceCollection: boolean },
  utilization: number,
  slackBytes: number,
  options: Required<MemoryReleaseOptions> = MEMORY_RELEASE_DEFAULTS,
): { collect: boolean; busySinceCollection: boolean } {
  if (utilization > options.busyUtilization) return { collect: false, busySinceCollection: true };
  // Quiet: collect once after a burst, when there is enough to give back.
  return { collect: state.busySinceCollection && slackBytes >= options.minSlackBytes, busySinceCollection: false };
}

/** The engine's full collection, without `--expose-gc` on the command line (the flag only adds the function to new contexts). */
function fullCollection(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * In the calling thread: every interval, when the thread was busy and has gone quiet, one full
 * collection (a few tens of ms, while nothing is waiting on the thread). Returns a stop function;
 * the timer never keeps the process alive.
 */
export function releaseMemoryWhenIdle(options: MemoryReleaseOptions = {}): () => void {
  const settings = { ...MEMORY_RELEASE_DEFAULTS, ...options };
  const collect = fullCollection();
  let state = { busySinceCollection: false };
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    const { heapTotal, heapUsed } = process.memoryUsage();
    const decision = afterInterval(state, utilization, heapTotal - heapUsed, settings);
    state = { busySinceCollection: decision.busySinceCollection };
    if (decision.collect) collect();
  }, settings.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
