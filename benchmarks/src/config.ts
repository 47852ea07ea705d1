import { join } from 'node:path';
import { REPO_ROOT } from '@tandem/ops';

/** What one `npm run bench:engine` does; every count can be changed with an environment variable. */
export interface EngineBenchConfig {
  /** Measured runs per variant of the transform chain (`BENCH_RUNS`). */
  transformRuns: number;
  /** Measured runs per variant of the HTTP chain (`BENCH_HTTP_RUNS`). */
  httpRuns: number;
  /** Unmeasured runs per variant before measuring (`BENCH_WARMUP`). */
  warmup: number;
  /** Runs in flight at once (`BENCH_CONCURRENCY`). */
  concurrency: number;
  /** Rounds the measured runs are split into, alternating the variants' order (`BENCH_ROUNDS`). */
  rounds: number;
  /** Runs per variant measured one at a time, for latency without queueing (`BENCH_SERIAL_RUNS`). */
  serialRuns: number;
  /** Nodes of the generated graph (`BENCH_GRAPH_NODES`). */
  graphNodes: number;
  /** Measured validate + compile iterations (`BENCH_COMPILE_ITERATIONS`) after `BENCH_COMPILE_WARMUP` unmeasured ones. */
  compileIterations: number;
  compileWarmup: number;
  /** How often the worker's Prometheus figures are scraped in the metrics cost, ms (`BENCH_METRICS_SCRAPE_MS`; Prometheus's default is 15,000). */
  metricsScrapeMs: number;
  /** Where the figures are written as JSON (`BENCH_OUTPUT`). */
  output: string;
}

export const TARGETS = {
  /** Interpreter throughput at least 90% of the hand-written workflows'. */
  throughputRatioMin: 0.9,
  /** Validate + compile of the generated graph, P95 and median. */
  compileMsMax: 50,
  /** Throughput with the worker's metrics on at least 95% of it with them off. */
  metricsThroughputRatioMin: 0.95,
} as const;

export function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not "${raw}"`);
  return value;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): EngineBenchConfig {
  const transformRuns = positiveInt(env, 'BENCH_RUNS', 240);
  return {
    transformRuns,
    httpRuns: positiveInt(env, 'BENCH_HTTP_RUNS', Math.max(1, Math.round(transformRuns / 2))),
    warmup: positiveInt(env, 'BENCH_WARMUP', 30),
    concurrency: positiveInt(env, 'BENCH_CONCURRENCY', 20),
    rounds: positiveInt(env, 'BENCH_ROUNDS', 2),
    serialRuns: positiveInt(env, 'BENCH_SERIAL_RUNS', 20),
    graphNodes: positiveInt(env, 'BENCH_GRAPH_NODES', 1_000),
    compileIterations: positiveInt(env, 'BENCH_COMPILE_ITERATIONS', 30),
    compileWarmup: positiveInt(env, 'BENCH_COMPILE_WARMUP', 5),
    metricsScrapeMs: positiveInt(env, 'BENCH_METRICS_SCRAPE_MS', 1_000),
    output: env.BENCH_OUTPUT?.trim() || join(REPO_ROOT, 'benchmarks', 'results', 'engine-latest.json'),
  };
}
