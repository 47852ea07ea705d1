// What collecting metrics costs the API (docs/performance.md, "The cost of metrics"): the same
// mixed load against a server with TANDEM_METRICS on and one with it off, in one run: an
// unmeasured phase first (the first server of a process runs measurably slower: JIT, caches),
// then on, off, off, on, off, on, on, off, so that neither side always meets a warmer machine.
import { cpuPercent, cpuSnapshot } from './cpu.js';
import { gql } from './http.js';
import { timedLoops, type LoadFigures } from './loops.js';
import type { HttpLoadSpec } from './node-load.js';
import { START_EXECUTION, type ReadQuery } from './queries.js';
import { repeatUntilStopped } from '../runner.js';

/** A server started for one phase, with metrics on or off. */
export interface PhaseServer {
  url: string;
  /** Resolves once every event of the phase's runs is stored (so the next phase starts clean). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface MetricsCostSpec {
  start(metrics: boolean): Promise<PhaseServer>;
  token: string;
  workflowId: string;
  read: ReadQuery;
  readClients: number;
  /** Callers starting runs back to back next to the reads: each run's events are stored and, with metrics on, counted. */
  startClients: number;
  warmupSeconds: number;
  seconds: number;
  /** GET /metrics this often while metrics are on (Prometheus's default is every 15 s). */
  scrapeEveryMs: number;
  runLoad(spec: HttpLoadSpec): Promise<LoadFigures>;
  progress(message: string): void;
}

export interface MetricsPhase {
  metrics: boolean;
  reads: LoadFigures;
  starts: LoadFigures;
  scrapes: number;
  /** Percent of one core used by this process (server, worker, the start callers) over the phase. */
  cpuPercent: number;
}

export interface MetricsCost {
  phases: MetricsPhase[];
  /** Mean of the phases with metrics on over the mean of those with it off (above 1: metrics cost that much). */
  ratios: { readP95: number; startP95: number; readThroughput: number; cpu: number };
}

const ORDER = [true, false, false, true, false, true, true, false] as const;

export async function measureMetricsCost(spec: MetricsCostSpec): Promise<MetricsCost> {
  spec.progress('metrics cost: one unmeasured phase first');
  const warming = await spec.start(true);
  try {
    await measurePhase({ ...spec, seconds: Math.max(1, Math.round(spec.seconds / 2)) }, warming, true);
    await warming.settle();
  } finally {
    await warming.close();
  }
  const phases: MetricsPhase[] = [];
  for (const metrics of ORDER) {
    spec.progress(`metrics ${metrics ? 'on' : 'off'}: reads at ${spec.readClients} clients next to ${spec.startClients} callers starting runs`);
    const server = await spec.start(metrics);
    try {
      phases.push(await measurePhase(spec, server, metrics));
      await server.settle();
    } finally {
      await server.close();
    }
  }
  const mean = (on: boolean, pick: (phase: MetricsPhase) => number) => {
    const picked = phases.filter((p) => p.metrics === on).map(pick);
    return picked.reduce((sum, value) => sum + value, 0) / picked.length;
  };
  const ratio = (pick: (phase: MetricsPhase) => number) => mean(true, pick) / mean(false, pick);
  return {
    phases,
    ratios: {
      readP95: ratio((p) => p.reads.latency.p95),
      startP95: ratio((p) => p.starts.latency.p95),
      readThroughput: ratio((p) => p.reads.throughput),
      cpu: ratio((p) => p.cpuPercent),
    },
  };
}

async function measurePhase(spec: MetricsCostSpec, server: PhaseServer, metrics: boolean): Promise<MetricsPhase> {
  let scrapes = 0;
  const scrape = async () => {
    const response = await fetch(`${server.url}/metrics`);
    if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
    await response.text();
    scrapes++;
  };
  const stopScraping = metrics ? repeatUntilStopped(scrape, spec.scrapeEveryMs) : async () => {};
  const before = cpuSnapshot();
  const window = { warmupSeconds: spec.warmupSeconds, seconds: spec.seconds };
  let input = 0;
  const [reads, starts] = await Promise.all([
    spec.runLoad({ endpoint: `${server.url}/graphql`, token: spec.token, read: spec.read, clients: spec.readClients, ...window }),
    timedLoops({ clients: spec.startClients, ...window }, async () => {
      input++;
      await gql(server.url, spec.token, START_EXECUTION, { workflowId: spec.workflowId, input: { a: input, b: 1 } });
    }),
  ]);
  const used = cpuPercent(before, cpuSnapshot());
  await stopScraping();
  for (const figures of [reads, starts]) {
    if (figures.failed > 0 || figures.requests === 0)
      throw new Error(`metrics ${metrics ? 'on' : 'off'}: ${figures.failed} failed: ${figures.errors.join('; ')}`);
  }
  return { metrics, reads, starts, scrapes, cpuPercent: used.self };
}
