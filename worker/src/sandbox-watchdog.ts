import { performance } from 'node:perf_hooks';
import type { ThreadPartFactory } from './workflow-threads.js';

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
 * So those calls run without the per-call timeout, and one watchdog in the worker's main thread
 * looks, once a second, at the call each workflow thread is in: the thread numbers its calls in
 * shared memory, and the main thread times a number it keeps seeing on its own monotonic clock
 * (no wall clock is compared across threads, so a clock step cannot kill a healthy worker). A
 * call running past the limit ends the process, whose supervisor restarts it and quarantines a
 * run that keeps doing it (ops/src/quarantine.ts). Before, the SDK's timeout failed the workflow
 * task when it fired in synchronous code and aborted the process when it fired in promise
 * callbacks, where the interpreter does its work. Tandem's own bounds (expression budgets, the
 * metered work per workflow task) keep every call far below the limit. Calls the SDK makes
 * without a timeout (loading the bundle, disposing of a context) stay unwatched.
 *
 * It is a part of the workflow threads Tandem starts (workflow-threads.ts): only the SDK's
 * workflow thread is changed; if the SDK names it differently one day, its threads start as
 * before, with the per-call timeout.
 */

/** Same limit as the SDK's default `isolateExecutionTimeout`. */
export const SANDBOX_CALL_LIMIT_MS = 5_000;

/** How a worker process ends when a sandbox call ran past the limit (its supervisor restarts it). */
export const SANDBOX_STUCK_EXIT_CODE = 70;

/** The run whose workflow task a stuck call belongs to, as Temporal names it. */
export interface StuckRun {
  workflowId: string;
  runId: string;
}

/** Told, from the main thread, that a call has run for `busyMs`, past its limit; `run` is the run whose request the thread was handling, when known. */
export type StuckHandler = (busyMs: number, run: StuckRun | undefined) => void;

export interface SandboxWatchdogOptions {
  limitMs?: number;
  /** Called once per thread, from the main thread, when a call has run past the limit; ends the process by default. */
  onStuck?: StuckHandler;
  /** How often the calls are looked at (ms); the shortest asked for applies. */
  intervalMs?: number;
}

/**
 * What one workflow thread writes in `slots`: [calls in progress, number of its latest outermost
 * call, the request it is handling]. The main thread keeps the number it last saw and since when
 * (its own clock), and which run each recent request was for.
 */
interface WatchedThread {
  slots: Int32Array;
  limitMs: number;
  onStuck: StuckHandler;
  seen: { call: number; since: number } | null;
  reported: boolean;
  runOf: (request: number) => StuckRun | undefined;
}

/** Slots of a watched thread. */
const DEPTH = 0;
const CALL = 1;
const REQUEST = 2;

/** Requests remembered per thread: far more than a thread has queued (at most one per run it runs at once, and a few more). */
const REQUESTS_KEPT = 4_096;

/** The code a watched workflow thread runs first: its timed sandbox calls run without Node's per-call watchdog, numbered. */
const THREAD_PRELUDE = `
const { workerData, parentPort } = require('node:worker_threads');
const vm = require('node:vm');
const slots = new Int32Array(workerData.tandemSandboxWatch);
// Which request the thread is handling: an activation runs synchronously in its message's
// handler, so a stuck call belongs to the request dispatched last.
const on = parentPort.on;
parentPort.on = function (event, listener) {
  if (event !== 'message') return on.call(this, event, listener);
  return on.call(this, event, function (request) {
    if (request !== null && typeof request === 'object' && typeof request.requestId === 'bigint') Atomics.store(slots, ${REQUEST}, Number(BigInt.asIntN(32, request.requestId)));
    return listener.apply(this, arguments);
  });
};
// The original keeps a Script method's name, so the SDK still finds where a workflow's stack
// trace leaves the sandbox (it looks for Script.runInContext in node:vm).
Object.defineProperty(vm.Script.prototype, 'runInContextUnwatched', { value: vm.Script.prototype.runInContext });
vm.Script.prototype.runInContext = function (context, options) {
  if (options === null || typeof options !== 'object' || options.timeout === undefined) return this.runInContextUnwatched(context, options);
  const { timeout, ...rest } = options;
  const depth = Atomics.load(slots, ${DEPTH});
  if (depth === 0) Atomics.add(slots, ${CALL}, 1);
  Atomics.store(slots, ${DEPTH}, depth + 1);
  try {
    return this.runInContextUnwatched(context, rest);
  } finally {
    Atomics.store(slots, ${DEPTH}, depth);
  }
};
`;

/** What the SDK's main thread sends its workflow thread (threaded-vm.js), as far as naming a run needs. */
interface ThreadRequest {
  requestId: bigint;
  input: { type: string; runId?: string; options?: { info?: { workflowId?: string; runId?: string } } };
}

/** Which run each recent request to one thread was for, from the messages the main thread sends it. */
class RequestRuns {
  /** Runs the thread holds (created and not disposed of), by run id: their workflow ids. */
  private readonly workflowIds = new Map<string, string>();
  /** Recent requests, by the low 32 bits of their id (as the thread writes it): the run each was for. */
  private readonly requests = new Map<number, StuckRun>();

  runOf(request: number): StuckRun | undefined {
    return this.requests.get(request);
  }

  note(message: unknown): void {
    const request = message as ThreadRequest;
    if (request === null || typeof request !== 'object' || typeof request.requestId !== 'bigint' || !request.input) return;
    const { input } = request;
    let run: StuckRun | undefined;
    if (input.type === 'create-workflow' && input.options?.info?.runId && input.options.info.workflowId) {
      run = { workflowId: input.options.info.workflowId, runId: input.options.info.runId };
      this.workflowIds.set(run.runId, run.workflowId);
    } else if (typeof input.runId === 'string') {
      const workflowId = this.workflowIds.get(input.runId);
      if (workflowId !== undefined) run = { workflowId, runId: input.runId };
      if (input.type === 'dispose-workflow') this.workflowIds.delete(input.runId);
    }
    if (!run) return;
    const key = Number(BigInt.asIntN(32, request.requestId));
    this.requests.delete(key);
    this.requests.set(key, run);
    if (this.requests.size > REQUESTS_KEPT) this.requests.delete(this.requests.keys().next().value!);
  }
}

const threads = new Set<WatchedThread>();
let checking: { timer: NodeJS.Timeout; intervalMs: number } | undefined;

/**
 * The watchdog as a part of each workflow thread Tandem starts (workflow-threads.ts): the
 * thread's timed sandbox calls run without Node's per-call watchdog, and this one watches them.
 */
export function sandboxWatchdog(options: SandboxWatchdogOptions = {}): ThreadPartFactory {
  const limitMs = options.limitMs ?? SANDBOX_CALL_LIMIT_MS;
  const onStuck = options.onStuck ?? endProcess(limitMs);
  const intervalMs = options.intervalMs ?? 1_000;
  if (!checking || intervalMs < checking.intervalMs) {
    if (checking) clearInterval(checking.timer);
    checking = { timer: setInterval(check, intervalMs), intervalMs };
    checking.timer.unref();
  }
  return () => {
    const slots = new Int32Array(new SharedArrayBuffer(12));
    const requests = new RequestRuns();
    return {
      prelude: THREAD_PRELUDE,
      workerData: { tandemSandboxWatch: slots.buffer },
      onPost: (message) => requests.note(message),
      started: (worker) => {
        const thread: WatchedThread = { slots, limitMs, onStuck, seen: null, reported: false, runOf: (request) => requests.runOf(request) };
        threads.add(thread);
        worker.once('exit', () => threads.delete(thread));
      },
    };
  };
}

function check(): void {
  const now = performance.now();
  for (const thread of threads) {
    if (Atomics.load(thread.slots, DEPTH) === 0) {
      thread.seen = null;
      continue;
    }
    const call = Atomics.load(thread.slots, CALL);
    if (thread.seen?.call !== call) {
      thread.seen = { call, since: now };
      continue;
    }
    const busyMs = Math.round(now - thread.seen.since);
    if (busyMs <= thread.limitMs || thread.reported) continue;
    thread.reported = true;
    thread.onStuck(busyMs, thread.runOf(Atomics.load(thread.slots, REQUEST)));
  }
}

function endProcess(limitMs: number): StuckHandler {
  return (busyMs, run) => {
    const of = run ? ` of workflow ${run.workflowId} (run ${run.runId})` : '';
    process.stderr.write(
      `tandem worker: a workflow task${of} has run over ${busyMs} ms in the sandbox (limit ${limitMs} ms); exiting so that the worker is restarted\n`,
    );
    process.exit(SANDBOX_STUCK_EXIT_CODE);
  };
}
