import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { processLog, SHUTDOWN_FORCE_MARGIN_MS, type ExecutionEventBus, type WorkerMessage } from '@tandem/worker';
import { DEFAULT_SHUTDOWN_GRACE_MS } from './config.js';

/** The worker process's entry beside this module (built: the API needs tsc's decorator metadata, so `npm start` runs from dist). */
const WORKER_MAIN = fileURLToPath(new URL('./worker-main.js', import.meta.url));

/** Loaded into every thread of the worker process: gives back the heap a burst of runs grew (memory-release.ts). */
const MEMORY_RELEASE_PRELOAD = fileURLToPath(new URL('./memory-release-preload.js', import.meta.url));

/** Exit code of a worker whose configuration is wrong: restarting it would fail the same way (sysexits' EX_CONFIG). */
export const EXIT_CONFIG = 78;

export interface WorkerSupervisorOptions {
  /** Environment of the worker process (TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE, …), added to this process's. */
  env: Record<string, string>;
  /** Where events the worker sends over IPC go (when it has no Redis of its own). */
  bus: ExecutionEventBus;
  /** After the worker process died: look for runs that keep killing it. */
  afterCrash?: () => Promise<void>;
  log?: (line: string) => void;
  /** Entry file of the worker process; `worker-main.js` beside this module by default. */
  entry?: string;
  /** The worker's TANDEM_SHUTDOWN_GRACE_MS: `stop()` kills the process only once that and the worker's own margin are over. */
  shutdownGraceMs?: number;
  /** Restart delays: the first, doubled after each crash up to the last. */
  backoffMs?: { first: number; max: number };
}

export interface SupervisedWorker {
  /** Resolves when the first worker process polls its task queue; rejects when it cannot start. */
  ready: Promise<void>;
  /** How many times the worker process was restarted after dying. */
  readonly restarts: number;
  /** The running worker process's id (null between a crash and its restart). */
  readonly pid: number | null;
  /** Stops the worker process (draining its tasks) and does not restart it. */
  stop(): Promise<void>;
}

/**
 * Runs the Tandem worker as a child process and restarts it when it dies, so that a run that
 * takes its worker down cannot take the API server with it. Events come back over the IPC
 * channel into the API's in-process bus.
 */
export function superviseWorker(options: WorkerSupervisorOptions): SupervisedWorker {
  const log = options.log ?? ((line: string) => processLog().info(line));
  const backoff = options.backoffMs ?? { first: 1_000, max: 30_000 };
  let child: ChildProcess | null = null;
  let stopping = false;
  let restarts = 0;
  let delay = backoff.first;
  let restartTimer: NodeJS.Timeout | undefined;
  let settleReady!: { resolve: () => void; reject: (error: Error) => void };
  const ready = new Promise<void>((resolve, reject) => (settleReady = { resolve, reject }));
  let started = false;

  const spawn = () => {
    const startedAt = Date.now();
    const proc = fork(options.entry ?? WORKER_MAIN, [], {
      env: { ...process.env, ...options.env },
      execArgv: [...process.execArgv, '--require', MEMORY_RELEASE_PRELOAD],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child = proc;
    log(`worker process started (pid ${proc.pid})`);
    proc.on('message', (message: WorkerMessage) => {
      if (message?.type === 'events') {
        for (const event of message.events) {
          options.bus.publish(event).catch((error: unknown) => log(`event ${event.executionId}#${event.sequence} not published: ${(error as Error).message}`));
        }
      } else if (message?.type === 'ready') {
        started = true;
        settleReady.resolve();
      }
    });
    proc.on('exit', (code, signal) => {
      child = null;
      if (stopping) return;
      if (!started || code === EXIT_CONFIG) {
        settleReady.reject(new Error(`the worker process could not start (exit code ${code ?? signal}); its error is printed above`));
        if (code === EXIT_CONFIG) return;
      }
      if (!started) return;
      // A worker that ran a while before dying starts the backoff afresh.
      if (Date.now() - startedAt > 60_000) delay = backoff.first;
      log(`the worker process died (${signal ?? `exit code ${code}`}); the API keeps serving; restarting the worker in ${delay} ms`);
      restarts++;
      const wait = delay;
      delay = Math.min(delay * 2, backoff.max);
      void options.afterCrash?.().catch((error: unknown) => log(`looking for poisoned runs failed: ${(error as Error).message}`));
      restartTimer = setTimeout(spawn, wait);
    });
  };
  spawn();

  return {
    ready,
    get restarts() {
      return restarts;
    },
    get pid() {
      return child?.pid ?? null;
    },
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const proc = child;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
      const force = setTimeout(() => proc.kill('SIGKILL'), graceMs + SHUTDOWN_FORCE_MARGIN_MS + 5_000);
      await exited;
      clearTimeout(force);
    },
  };
}
