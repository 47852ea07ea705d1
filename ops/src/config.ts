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
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): TandemEnvironment {
  return {
    dataDir: resolve(REPO_ROOT, env.TANDEM_DATA_DIR ?? '.data'),
    temporalAddress: nonEmpty(env.TEMPORAL_ADDRESS),
    temporalNamespace: nonEmpty(env.TEMPORAL_NAMESPACE) ?? 'default',
    taskQueue: nonEmpty(env.TEMPORAL_TASK_QUEUE),
    redisUrl: nonEmpty(env.REDIS_URL),
    workerCachedRuns: wholeNumber(env, 'TANDEM_WORKER_CACHED_RUNS'),
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
