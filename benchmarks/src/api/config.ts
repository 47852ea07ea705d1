import { positiveInt } from '../config.js';
import { join } from 'node:path';
import { REPO_ROOT } from '@tandem/ops';

export type LoadGeneratorChoice = 'auto' | 'k6' | 'node';

/** What one `npm run bench:api` does; every setting can be changed with an environment variable. */
export interface ApiBenchConfig {
  /** Concurrent clients of the loaded read phases (`BENCH_API_CLIENTS`). */
  clients: number;
  /** Unmeasured seconds before each loaded read phase (`BENCH_API_WARMUP_SECONDS`). */
  warmupSeconds: number;
  /** Measured seconds of each loaded read phase (`BENCH_API_SECONDS`). */
  seconds: number;
  /** Measured seconds of each one-client read phase (`BENCH_API_SERIAL_SECONDS`); 1 s of warm-up before. */
  serialSeconds: number;
  /** Workflows the benchmark user owns (`BENCH_API_WORKFLOWS`). */
  workflows: number;
  /** Completed executions seeded before measuring (`BENCH_API_SEED_EXECUTIONS`). */
  seedExecutions: number;
  /** Measured start → first event runs, one at a time and again with `subscriptionConcurrency` in flight (`BENCH_API_SUBSCRIPTION_RUNS`). */
  subscriptionRuns: number;
  /** Runs in flight in the concurrent start → first event variant (`BENCH_API_SUBSCRIPTION_CONCURRENCY`). */
  subscriptionConcurrency: number;
  /** Unmeasured start → first event runs before each variant (`BENCH_API_SUBSCRIPTION_WARMUP`). */
  subscriptionWarmup: number;
  /** Measured seconds of each phase of the metrics cost, on and off (`BENCH_API_METRICS_SECONDS`). */
  metricsSeconds: number;
  /** Callers starting runs back to back during the metrics cost phases (`BENCH_API_METRICS_START_CLIENTS`). */
  metricsStartClients: number;
  /** How often /metrics is scraped while metrics are on, ms (`BENCH_API_METRICS_SCRAPE_MS`; Prometheus's default is 15,000). */
  metricsScrapeMs: number;
  /** `k6`, `node` (the fallback load generator), or `auto`: k6 when it builds in time (`BENCH_LOAD_GENERATOR`). */
  loadGenerator: LoadGeneratorChoice;
  /** Longest wait for the k6 build before falling back, seconds (`BENCH_K6_BUILD_TIMEOUT`). */
  k6BuildTimeoutSeconds: number;
  /** postgres://… to run against PostgreSQL instead of a fresh SQLite file (`BENCH_DATABASE_URL`). */
  databaseUrl: string | undefined;
  /** Where the figures are written as JSON (`BENCH_API_OUTPUT`). */
  output: string;
}

export const API_TARGETS = {
  /** P95 of each read at the loaded concurrency, over HTTP. */
  readP95MsMax: 20,
  /** P95 from sending startExecution to the first event at a subscriber. */
  firstEventP95MsMax: 150,
  /** Metrics on over metrics off, for the P95 of reads and of startExecution under the mixed load (issue: under 5 %). */
  metricsCostRatioMax: 1.05,
} as const;

export function readApiConfig(env: NodeJS.ProcessEnv = process.env): ApiBenchConfig {
  const generator = (env.BENCH_LOAD_GENERATOR?.trim() || 'auto') as LoadGeneratorChoice;
  if (!['auto', 'k6', 'node'].includes(generator)) throw new Error(`BENCH_LOAD_GENERATOR must be auto, k6 or node, not "${generator}"`);
  const databaseUrl = env.BENCH_DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('BENCH_DATABASE_URL must be a postgres:// URL');
  return {
    clients: positiveInt(env, 'BENCH_API_CLIENTS', 50),
    warmupSeconds: positiveInt(env, 'BENCH_API_WARMUP_SECONDS', 2),
    seconds: positiveInt(env, 'BENCH_API_SECONDS', 8),
    serialSeconds: positiveInt(env, 'BENCH_API_SERIAL_SECONDS', 3),
    workflows: Math.max(2, positiveInt(env, 'BENCH_API_WORKFLOWS', 50)),
    seedExecutions: positiveInt(env, 'BENCH_API_SEED_EXECUTIONS', 3),
    subscriptionRuns: positiveInt(env, 'BENCH_API_SUBSCRIPTION_RUNS', 50),
    subscriptionConcurrency: positiveInt(env, 'BENCH_API_SUBSCRIPTION_CONCURRENCY', 10),
    subscriptionWarmup: positiveInt(env, 'BENCH_API_SUBSCRIPTION_WARMUP', 5),
    metricsSeconds: positiveInt(env, 'BENCH_API_METRICS_SECONDS', 10),
    metricsStartClients: positiveInt(env, 'BENCH_API_METRICS_START_CLIENTS', 4),
    metricsScrapeMs: positiveInt(env, 'BENCH_API_METRICS_SCRAPE_MS', 1_000),
    loadGenerator: generator,
    k6BuildTimeoutSeconds: positiveInt(env, 'BENCH_K6_BUILD_TIMEOUT', 360),
    databaseUrl,
    output: env.BENCH_API_OUTPUT?.trim() || join(REPO_ROOT, 'benchmarks', 'results', 'api-latest.json'),
  };
}
