import type { NativeConnection } from '@temporalio/worker';
import { Worker, type InjectedSinks, type WorkflowBundleOption } from '@temporalio/worker';
import { statusAnnouncedBy, type EmittedEvent } from '@tandem/schema';
import { createActivities, type ActivityOptions } from './activities/index.js';
import { interpreterBundle } from './bundle.js';
import type { ExecutionEventBus } from './events/index.js';
import { processLog, type Logger } from './logging.js';
import { SANDBOX_CALL_LIMIT_MS, SANDBOX_STUCK_EXIT_CODE, sandboxWatchdog, type StuckHandler } from './sandbox-watchdog.js';
import { withoutPromiseStackTraces, withTandemWorkflowThreads } from './workflow-threads.js';
import type { TandemSinks } from './workflows/types.js';

export interface TandemWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  bus: ExecutionEventBus;
  activities?: ActivityOptions;
  /** A bundle to run (tests reuse one); when omitted, the build's prebuilt file or one bundled now. */
  workflowBundle?: WorkflowBundleOption;
  /**
   * Runs kept in memory between their workflow tasks (default DEFAULT_CACHED_RUNS). A run
   * evicted from the cache is replayed from its history at its next task: slower for that
   * task, never wrong. Temporal's default grows with the heap limit (about 2,300 on a
   * 24 GB machine), which lets thousands of waiting runs hold memory.
   */
  maxCachedWorkflows?: number;
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  /** How this worker names itself to Temporal (see workerIdentity); Temporal's default otherwise. */
  identity?: string;
  /**
   * After shutdown is asked for, how long activities in flight may run to their end before they
   * are cancelled (and retried on another worker). Temporal's default is 0: cancel at once.
   */
  shutdownGraceMs?: number;
  /** Called when an event cannot be handed to the bus; logged when omitted. */
  onPublishError?: (error: unknown, event: EmittedEvent) => void;
  /** Run transitions and publishing failures; the process's logger by default. */
  logger?: Logger;
  /**
   * Temporal's stack trace query for running interpreter workflows (the Temporal UI's "Stack
   * Trace" tab). Off by default: the SDK records a stack trace for every promise a workflow
   * creates to answer it (workflow-threads.ts, `withoutPromiseStackTraces`).
   */
  workflowStackTraces?: boolean;
}

/** Errors that fail the run instead of retrying its workflow task (the replayer must treat them the same). */
export const WORKFLOW_FAILURE_ERROR_TYPES = {
  '*': ['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'URIError', 'ExpressionError', 'StepError'],
};

/** How long after the grace a worker stops waiting for cancelled activities to confirm (and `run()` rejects). */
export const SHUTDOWN_FORCE_MARGIN_MS = 5_000;

/**
 * Runs a worker keeps in memory by default (at least the 100 workflow tasks it runs at once: the
 * SDK lowers that concurrency to the cache size below it). A run that has left the cache is
 * replayed from its history at its next task, which costs the worker and Temporal more CPU than
 * the task; the cache evicts the run used longest ago, so a wave of held runs released in the
 * order they started gains little from a cache smaller than the wave. 500 keeps the worker under
 * 500 MiB with 5,000 runs held (about 0.23 MiB per cached run; docs/performance.md, the eighth round).
 */
export const DEFAULT_CACHED_RUNS = 500;

/** A Temporal worker that runs the interpreter workflow and its activities, publishing events to the bus. */
export async function createTandemWorker(options: TandemWorkerOptions): Promise<Worker> {
  const log = (options.logger ?? processLog()).child({ component: 'worker' });
  const onError =
    options.onPublishError ??
    ((error, event) => log.error({ err: error, executionId: event.executionId, sequence: event.sequence }, 'execution event not published'));
  const sinks: InjectedSinks<TandemSinks> = {
    tandemEvents: {
      emit: {
        fn: (_info, event) => {
          logTransition(log, event);
          options.bus.publish(event).catch((error: unknown) => onError(error, event));
        },
        callDuringReplay: false,
      },
    },
  };
  // One watchdog per workflow thread instead of Node's per call into the sandbox (sandbox-watchdog.ts).
  const onStuck: StuckHandler = (busyMs, run) => {
    // Names the run, so an operator can find it (its task goes to the next worker, and the
    // supervisor quarantines it if it keeps doing this).
    log.fatal(
      { busyMs, limitMs: SANDBOX_CALL_LIMIT_MS, ...(run ? { temporalWorkflowId: run.workflowId, temporalRunId: run.runId } : {}) },
      'a workflow task ran past the sandbox limit: exiting so that the worker is restarted',
    );
    process.exit(SANDBOX_STUCK_EXIT_CODE);
  };
  const workflowBundle = options.workflowBundle ?? (await interpreterBundle());
  const create = () =>
    Worker.create({
      connection: options.connection,
      namespace: options.namespace ?? 'default',
      taskQueue: options.taskQueue,
      workflowBundle,
      activities: createActivities(options.activities),
      sinks,
      ...(options.identity ? { identity: options.identity } : {}),
      // A bug that throws one of these out of the interpreter fails the run with its message
      // instead of failing the workflow task, which Temporal would retry forever. Non-determinism
      // errors are not listed: those wait for a fixed worker to be deployed.
      workflowFailureErrorTypes: WORKFLOW_FAILURE_ERROR_TYPES,
      maxCachedWorkflows: options.maxCachedWorkflows ?? DEFAULT_CACHED_RUNS,
      maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 100,
      maxConcurrentWorkflowTaskExecutions: options.maxConcurrentWorkflowTaskExecutions ?? 100,
      ...(options.shutdownGraceMs === undefined
        ? {}
        : // Past the grace, activities are cancelled; a little later the worker gives up waiting on them.
          { shutdownGraceTime: options.shutdownGraceMs, shutdownForceTime: options.shutdownGraceMs + SHUTDOWN_FORCE_MARGIN_MS }),
    });
  return withTandemWorkflowThreads(create, [sandboxWatchdog({ onStuck }), ...(options.workflowStackTraces ? [] : [withoutPromiseStackTraces])]);
}

/** A worker's identity names its installation, so a worker of another installation on the same queue can be told apart. */
export function workerIdentity(installationId: string, host: string, pid: number): string {
  return `tandem/${installationId}/${pid}@${host}`;
}

/** The installation a worker identity names, or null for a worker that is not Tandem's (or predates identities). */
export function installationOfIdentity(identity: string): string | null {
  return /^tandem\/([^/]+)\//.exec(identity)?.[1] ?? null;
}

/**
 * One line per run transition the worker announces (the API server logs the stored ones, with
 * their workflow id). The Tandem workflow id is known here only from a run's first event.
 */
function logTransition(log: Logger, event: EmittedEvent): void {
  const status = event.type === 'EXECUTION_STARTED' ? 'RUNNING' : statusAnnouncedBy(event);
  if (status === undefined) return;
  const origin = event.data.origin as { workflowId?: unknown } | undefined;
  log.info(
    {
      executionId: event.executionId,
      ...(typeof origin?.workflowId === 'string' ? { workflowId: origin.workflowId } : {}),
      temporalWorkflowId: event.temporalWorkflowId,
      status,
      event: event.type,
    },
    'run transition',
  );
}
