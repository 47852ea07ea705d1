import { createRequire } from 'node:module';
import { sep } from 'node:path';
import workerThreads, { type WorkerOptions } from 'node:worker_threads';

/**
 * One watchdog per workflow thread instead of one per call into the sandbox.
 *
 * The Temporal SDK runs every call into a workflow's sandbox (`vm` Script.runInContext) with
 * `timeout: isolateExecutionTimeout`, and Node starts a watchdog thread (its own event loop and
 * timer) for each such call and joins it after: about 60 µs per call, six or more calls per
 * run, over 15% of the worker's CPU for a short run (docs/performance.md). When that timeout
 * fires while promise callbacks run, which is where the interpreter's work happens, Node aborts
 * the whole process anyway ("async hook stack has become corrupted", docs/security/report.md).
 *
 * So the calls run without the per-call timeout, and one watchdog in the worker's main thread
 * reads, once a second, how long the current call of each workflow thread has been running
 * (two integers in shared memory that the thread writes around each call). A call running
 * past the limit means a workflow task that would have aborted the process: the watchdog
 * says so and ends the process, whose supervisor restarts it and quarantines a run that
 * keeps doing it (ops/src/quarantine.ts). Tandem's own bounds (expression budgets, the
 * metered work per workflow task) keep every call far below the limit.
 *
 * Only the SDK's workflow thread is changed; if the SDK names it differently one day, its
 * threads start as before, with the per-call timeout.
 */

/** The SDK's workflow thread, the only thread this watches. */
const WORKFLOW_THREAD = `${sep}@temporalio${sep}worker${sep}lib${sep}workflow${sep}workflow-worker-thread.js`;

/** Same limit as the SDK's default `isolateExecutionTimeout`. */
export const SANDBOX_CALL_LIMIT_MS = 5_000;

export interface SandboxWatchdogOptions {
  limitMs?: number;
  /** Called once, from the main thread, when a call has run past the limit; ends the process by default. */
  onStuck?: (busyMs: number) => void;
  /** How often the calls are looked at (ms); set by the first call in the process. */
  intervalMs?: number;
}

/** What one workflow thread writes: [calls in progress, start of the outermost one in ms since `base`, wrapping]. */
interface WatchedThread {
  calls: Int32Array;
  base: number;
}

let settings: Required<Pick<SandboxWatchdogOptions, 'limitMs' | 'intervalMs'>> & Pick<SandboxWatchdogOptions, 'onStuck'> = {
  limitMs: SANDBOX_CALL_LIMIT_MS,
  intervalMs: 1_000,
};

/** The code a watched workflow thread runs first: times every sandbox call, without Node's per-call watchdog. */
const THREAD_PRELUDE = `
const { workerData } = require('node:worker_threads');
const vm = require('node:vm');
const { calls, base } = workerData.tandemSandboxWatch;
const slots = new Int32Array(calls);
const runInContext = vm.Script.prototype.runInContext;
vm.Script.prototype.runInContext = function (context, options) {
  if (options !== null && typeof options === 'object' && options.timeout !== undefined) {
    const { timeout, ...rest } = options;
    options = rest;
  }
  const depth = Atomics.load(slots, 0);
  if (depth === 0) Atomics.store(slots, 1, (Date.now() - base) | 0);
  Atomics.store(slots, 0, depth + 1);
  try {
    return runInContext.call(this, context, options);
  } finally {
    Atomics.store(slots, 0, depth);
  }
};
`;

/** Node's own Worker class, captured before anything replaces it. */
const NodeWorker = workerThreads.Worker;

/** A workflow thread of the SDK, started to be watched; any other thread, as Node starts it. */
class WatchedWorker extends NodeWorker {
  constructor(filename: string | URL, options: WorkerOptions = {}) {
    const file = typeof filename === 'string' ? filename : filename.pathname;
    if (!file.endsWith(WORKFLOW_THREAD) || options.eval) {
      super(filename, options);
      return;
    }
    const thread: WatchedThread = { calls: new Int32Array(new SharedArrayBuffer(8)), base: Date.now() };
    const workerData: unknown = { ...(options.workerData as object | undefined), tandemSandboxWatch: { calls: thread.calls.buffer, base: thread.base } };
    super(`${THREAD_PRELUDE}\nrequire(${JSON.stringify(createRequire(import.meta.url).resolve(file))});`, { ...options, eval: true, workerData });
    threads.add(thread);
    this.once('exit', () => threads.delete(thread));
  }
}

const threads = new Set<WatchedThread>();
let creating = 0;
let checking: NodeJS.Timeout | undefined;
let reported = false;

/**
 * Runs `create` (a `Worker.create`) so that the workflow threads the SDK starts meanwhile are
 * watched. Only while it runs does `worker_threads.Worker` start watched threads: a worker
 * created elsewhere in the process (a replay, a benchmark's hand-written program) keeps the
 * SDK's per-call timeout. Later options replace earlier ones.
 */
export async function withWatchedSandboxes<T>(create: () => Promise<T>, options: SandboxWatchdogOptions = {}): Promise<T> {
  settings = { limitMs: options.limitMs ?? SANDBOX_CALL_LIMIT_MS, intervalMs: options.intervalMs ?? 1_000, onStuck: options.onStuck };
  if (checking === undefined) {
    checking = setInterval(check, settings.intervalMs);
    checking.unref();
  }
  if (creating++ === 0) workerThreads.Worker = WatchedWorker;
  try {
    return await create();
  } finally {
    if (--creating === 0) workerThreads.Worker = NodeWorker;
  }
}

function check(): void {
  for (const thread of threads) {
    const busyMs = busyFor(thread);
    if (busyMs <= settings.limitMs || reported) continue;
    reported = true;
    (settings.onStuck ?? endProcess)(busyMs);
  }
}

/** How long the current outermost call of a thread has run (0 when none runs). */
function busyFor(thread: WatchedThread): number {
  if (Atomics.load(thread.calls, 0) === 0) return 0;
  const started = Atomics.load(thread.calls, 1);
  return (((Date.now() - thread.base) | 0) - started) | 0;
}

function endProcess(busyMs: number): void {
  process.stderr.write(
    `tandem worker: a workflow task has run ${busyMs} ms in the sandbox (limit ${settings.limitMs} ms); exiting so that the worker is restarted\n`,
  );
  process.exit(70);
}
