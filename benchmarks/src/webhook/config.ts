import { join } from 'node:path';
import { REPO_ROOT } from '@tandem/ops';
import { positiveInt } from '../config.js';

export type Side = 'tandem' | 'handwritten';

/** What one `npm run bench:webhook` does; every setting can be changed with an environment variable. */
export interface WebhookBenchConfig {
  /** Connection counts of the comparison (`BENCH_WEBHOOK_CONNECTIONS`, comma-separated). */
  connections: number[];
  /** Unmeasured seconds before each measured window (`BENCH_WEBHOOK_WARMUP_SECONDS`). */
  warmupSeconds: number;
  /** Measured seconds per side, per connection count, per round (`BENCH_WEBHOOK_SECONDS`). */
  seconds: number;
  /** Rounds per connection count; the order of the sides alternates between rounds (`BENCH_WEBHOOK_ROUNDS`). */
  rounds: number;
  /** Which sides to run (`BENCH_WEBHOOK_SIDES`: `tandem,handwritten`; one side alone for profiling). */
  sides: Side[];
  /** Webhook runs before memory is read (`BENCH_WEBHOOK_MEMORY_RUNS`; 0 skips). */
  memoryRuns: number;
  /** Runs held waiting on a signal at once (`BENCH_WEBHOOK_WAITING_RUNS`; 0 skips). */
  waitingRuns: number;
  /** Concurrent clients of the startExecution comparison (`BENCH_WEBHOOK_START_CLIENTS`; 0 skips). */
  startClients: number;
  /** Measured seconds of each startExecution phase (`BENCH_WEBHOOK_START_SECONDS`). */
  startSeconds: number;
  /** Runs held, then released at once, in each wave of the release comparison (`BENCH_WEBHOOK_RELEASE_RUNS`; 0 skips). */
  releaseRuns: number;
  /** Clients sending the release signals (`BENCH_WEBHOOK_RELEASE_CLIENTS`), as test:load's releasers. */
  releaseClients: number;
  /** Skip `npm run build` (`BENCH_WEBHOOK_SKIP_BUILD=1`): dist must be current. */
  skipBuild: boolean;
  /** Directory for `--cpu-prof` profiles of Tandem's API process and worker child (`BENCH_WEBHOOK_CPU_PROF`). */
  cpuProfileDir: string | undefined;
  /** Where the figures are written as JSON (`BENCH_WEBHOOK_OUTPUT`). */
  output: string;
}

export const WEBHOOK_TARGETS = {
  /** Tandem's throughput at least this share of the hand-written program's, at every connection count. */
  throughputRatioMin: 0.9,
  /** P50 at one connection at most this multiple of the hand-written program's. */
  p50RatioAtOneMax: 1.2,
  /** Tandem's own CPU per run at most this multiple of the hand-written program's. */
  cpuPerRunRatioMax: 2,
  /** No answer slower than 5 s at 50 connections. */
  slowAt50Max: 0,
  /** The Tandem process tree's memory after N runs and with N runs held waiting. */
  memoryMiBMax: 500,
  /** startExecution P95 at 25 clients at most this multiple of a bare Temporal start. */
  startP95RatioMax: 1.3,
} as const;

function nonNegativeInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, not "${raw}"`);
  return value;
}

export function readWebhookConfig(env: NodeJS.ProcessEnv = process.env): WebhookBenchConfig {
  const connections = (env.BENCH_WEBHOOK_CONNECTIONS?.trim() || '1,10,50').split(',').map((c) => Number(c.trim()));
  if (connections.some((c) => !Number.isInteger(c) || c < 1)) throw new Error('BENCH_WEBHOOK_CONNECTIONS must be positive integers, comma-separated');
  const sides = (env.BENCH_WEBHOOK_SIDES?.trim() || 'tandem,handwritten').split(',').map((s) => s.trim()) as Side[];
  if (sides.length === 0 || sides.some((s) => s !== 'tandem' && s !== 'handwritten'))
    throw new Error('BENCH_WEBHOOK_SIDES must list tandem and/or handwritten');
  return {
    connections,
    warmupSeconds: nonNegativeInt(env, 'BENCH_WEBHOOK_WARMUP_SECONDS', 3),
    seconds: positiveInt(env, 'BENCH_WEBHOOK_SECONDS', 10),
    rounds: positiveInt(env, 'BENCH_WEBHOOK_ROUNDS', 2),
    sides,
    memoryRuns: nonNegativeInt(env, 'BENCH_WEBHOOK_MEMORY_RUNS', 5_000),
    waitingRuns: nonNegativeInt(env, 'BENCH_WEBHOOK_WAITING_RUNS', 5_000),
    startClients: nonNegativeInt(env, 'BENCH_WEBHOOK_START_CLIENTS', 25),
    startSeconds: positiveInt(env, 'BENCH_WEBHOOK_START_SECONDS', 10),
    releaseRuns: nonNegativeInt(env, 'BENCH_WEBHOOK_RELEASE_RUNS', 500),
    releaseClients: positiveInt(env, 'BENCH_WEBHOOK_RELEASE_CLIENTS', 50),
    skipBuild: env.BENCH_WEBHOOK_SKIP_BUILD === '1',
    cpuProfileDir: env.BENCH_WEBHOOK_CPU_PROF?.trim() || undefined,
    output: env.BENCH_WEBHOOK_OUTPUT?.trim() || join(REPO_ROOT, 'benchmarks', 'results', 'webhook-latest.json'),
  };
}
