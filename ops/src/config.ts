import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Settings read from the environment, with the embedded defaults. */
export interface TandemEnvironment {
  dataDir: string;
  temporalAddress: string | undefined;
  temporalNamespace: string;
  /** TEMPORAL_TASK_QUEUE; unset: the installation's own queue (see loadInstallation in the server). */
  taskQueue: string | undefined;
  redisUrl: string | undefined;
  /** TANDEM_WORKER_CACHED_RUNS: runs a worker keeps in memory between their tasks (unset: the worker's default). */
  workerCachedRuns: number | undefined;
  /** TANDEM_SHUTDOWN_GRACE_MS: on SIGTERM, how long a worker lets activities in flight finish before cancelling them. */
  shutdownGraceMs: number;
}

/** Activities in flight get this long to finish when a worker stops, unless TANDEM_SHUTDOWN_GRACE_MS says otherwise. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 30_000;

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): TandemEnvironment {
  return {
    dataDir: resolve(REPO_ROOT, env.TANDEM_DATA_DIR ?? '.data'),
    temporalAddress: nonEmpty(env.TEMPORAL_ADDRESS),
    temporalNamespace: nonEmpty(env.TEMPORAL_NAMESPACE) ?? 'default',
    taskQueue: nonEmpty(env.TEMPORAL_TASK_QUEUE),
    redisUrl: nonEmpty(env.REDIS_URL),
    workerCachedRuns: wholeNumber(env, 'TANDEM_WORKER_CACHED_RUNS'),
    shutdownGraceMs: wholeNumber(env, 'TANDEM_SHUTDOWN_GRACE_MS') ?? DEFAULT_SHUTDOWN_GRACE_MS,
  };
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, not "${raw}"`);
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
