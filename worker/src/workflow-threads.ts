import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import workerThreads, { type WorkerOptions } from 'node:worker_threads';

/**
 * How the Tandem worker starts the Temporal SDK's workflow threads.
 *
 * While `Worker.create` runs inside `withTandemWorkflowThreads`, `worker_threads.Worker` starts
 * the SDK's workflow thread with code of Tandem's own run first in the thread, before the SDK's:
 * one part per concern (the sandbox watchdog, sandbox-watchdog.ts; no per-promise stack traces,
 * below). Any other thread, and any thread started while no such call runs (a replay's worker, a
 * benchmark's hand-written program), starts as Node starts it. The parts are the process's for
 * that while, not the call's: a Worker.create running at the same moment elsewhere in the process
 * gets them too (a worker's creation takes about a second, at startup). Were the SDK to rename its
 * thread's file, or the module a part reaches into, its threads would start as before.
 */

/** The SDK's workflow thread, the only thread this changes. */
const WORKFLOW_THREAD = `${sep}@temporalio${sep}worker${sep}lib${sep}workflow${sep}workflow-worker-thread.js`;

/** What one concern adds to a workflow thread, made anew for each thread. */
export interface ThreadPart {
  /** Code run in the thread before the SDK's, as CommonJS (`require` is at hand; `workerData` comes from `node:worker_threads`). */
  prelude: string;
  /** Added to the thread's `workerData`. */
  workerData?: Record<string, unknown>;
  /** Told of every message the main thread sends the thread. */
  onPost?: (message: unknown) => void;
  /** Told once the thread is started. */
  started?: (thread: workerThreads.Worker) => void;
}

/** Makes a thread's part; `threadFile` is the SDK's thread module, for code that needs its neighbours. */
export type ThreadPartFactory = (threadFile: string) => ThreadPart;

/** Node's own Worker class, captured before anything replaces it. */
const NodeWorker = workerThreads.Worker;

/** A workflow thread of the SDK, started with the parts asked for; any other thread, as Node starts it. */
class TandemWorkflowThread extends NodeWorker {
  private posted: Array<(message: unknown) => void> = [];

  constructor(filename: string | URL, options: WorkerOptions = {}) {
    const file = typeof filename === 'string' ? filename : fileURLToPath(filename);
    const factories = active.at(-1);
    if (!file.endsWith(WORKFLOW_THREAD) || options.eval || !factories || factories.length === 0) {
      super(filename, options);
      return;
    }
    const threadFile = createRequire(import.meta.url).resolve(file);
    const parts = factories.map((make) => make(threadFile));
    const workerData = Object.assign({}, options.workerData as object | undefined, ...parts.map((part) => part.workerData ?? {})) as unknown;
    const prelude = parts.map((part) => `{\n${part.prelude}\n}`).join('\n');
    super(`${prelude}\nrequire(${JSON.stringify(threadFile)});`, { ...options, eval: true, workerData });
    this.posted = parts.flatMap((part) => (part.onPost ? [part.onPost] : []));
    for (const part of parts) part.started?.(this);
  }

  override postMessage(value: unknown, transferList?: Parameters<InstanceType<typeof NodeWorker>['postMessage']>[1]): void {
    for (const onPost of this.posted) onPost(value);
    super.postMessage(value, transferList);
  }
}

/** The parts of the `withTandemWorkflowThreads` calls in progress, most recent last. */
const active: ThreadPartFactory[][] = [];
let replaced: typeof NodeWorker | undefined;

/**
 * Runs `create` (a `Worker.create`) so that the workflow threads the SDK starts meanwhile get
 * `parts`. Only while it runs does `worker_threads.Worker` start such threads.
 */
export async function withTandemWorkflowThreads<T>(create: () => Promise<T>, parts: ThreadPartFactory[]): Promise<T> {
  if (active.push(parts) === 1) {
    replaced = workerThreads.Worker;
    workerThreads.Worker = TandemWorkflowThread;
  }
  try {
    return await create();
  } finally {
    active.splice(active.indexOf(parts), 1);
    // Put back what was there, unless someone replaced it meanwhile.
    if (active.length === 0 && workerThreads.Worker === TandemWorkflowThread) workerThreads.Worker = replaced ?? NodeWorker;
  }
}

/**
 * No per-promise stack traces: the SDK records a stack trace (an Error, formatted through the
 * bundle's source map) for every promise a workflow creates, only so that Temporal's stack
 * trace query (`__stack_trace`, the Temporal UI's "Stack Trace" tab) can show where a running
 * workflow waits. For the interpreter that shows its own internals, not the user's graph, whose
 * view of a run is its events and its state query; and it cost about a sixth of the workflow
 * thread's time per run (docs/performance.md). The query then answers "Workflow stack traces are
 * not enabled on this worker". Error stacks stay source-mapped. `TANDEM_WORKFLOW_STACK_TRACES=on`
 * (createTandemWorker's `workflowStackTraces`) keeps the SDK's behaviour.
 */
export const withoutPromiseStackTraces: ThreadPartFactory = (threadFile) => ({
  prelude: `
try {
  const { globalHandlers } = require(${JSON.stringify(join(dirname(threadFile), 'vm-shared.js'))});
  if (globalHandlers && typeof globalHandlers.setPromiseHook === 'function') globalHandlers.setPromiseHook = () => {};
} catch {
  // Not the SDK this was written for: its threads keep their stack traces.
}`,
});
