import type { MachineInfo } from '../machine.js';
import { table, writeJsonReport } from '../report.js';
import { round, type Summary } from '../stats.js';
import type { OverheadParts } from './bare.js';
import { API_TARGETS, type ApiBenchConfig } from './config.js';
import type { LoadFigures } from './loops.js';
import type { FirstEventFigures } from './first-event.js';
import type { MetricsCost } from './metrics-cost.js';

export interface LoadGeneratorInfo {
  kind: 'k6' | 'node';
  /** `k6 version`, or the Node version of the fallback. */
  version: string;
  /** Why the fallback was used. */
  fallbackReason?: string;
  /** Time spent building (or finding) k6 at start-up, seconds. */
  k6BuildSeconds?: number;
}

export interface ReadComparison {
  http: LoadFigures;
  bare: LoadFigures;
  /** HTTP / bare */
  ratios: { p50: number; p95: number; throughput: number };
}

export interface ReadReport {
  id: string;
  /** The operation, as sent. */
  query: string;
  /** At `config.clients` concurrent clients; the target applies here. */
  loaded: ReadComparison & { meetsTarget: boolean };
  /** One client at a time: latency without queueing. */
  serial: ReadComparison;
}

export interface ApiReport {
  generatedAt: string;
  machine: MachineInfo;
  database: string;
  loadGenerator: LoadGeneratorInfo;
  config: Omit<ApiBenchConfig, 'output' | 'databaseUrl'>;
  targets: typeof API_TARGETS;
  seeded: { workflows: number; completedExecutions: number };
  reads: Record<string, ReadReport>;
  /** `{ __typename }` over HTTP at 1 client: no resolver, no database; without a token and with it. */
  httpFloor: { anonymous: LoadFigures; authenticated: LoadFigures };
  overhead: OverheadParts;
  firstEvent: { sequential: FirstEventFigures; concurrent: FirstEventFigures; meetsTarget: boolean };
  metricsCost: MetricsCost & { meetsTarget: boolean };
  durationSeconds: number;
}

export function compare(http: LoadFigures, bare: LoadFigures): ReadComparison {
  return {
    http,
    bare,
    ratios: { p50: http.latency.p50 / bare.latency.p50, p95: http.latency.p95 / bare.latency.p95, throughput: http.throughput / bare.throughput },
  };
}

const ms = (value: number) => (Number.isFinite(value) ? round(value).toFixed(value < 10 ? 2 : 1) : '-');
const ratio = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '-');
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

export function formatApiReport(report: ApiReport, config: ApiBenchConfig): string {
  const m = report.machine;
  const g = report.loadGenerator;
  const lines: string[] = [];
  lines.push(`Tandem API benchmark, ${report.generatedAt}`);
  lines.push(`machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; load average ${m.loadAverageAtStart} at start`);
  lines.push(
    `one process: Temporal dev server (${m.temporalCli.split('\n')[0]}, child process, in memory), worker, API server on 127.0.0.1; ${report.database}; in-process event bus`,
  );
  lines.push(
    g.kind === 'k6'
      ? `load generator: ${g.version}, a separate process: ${config.clients} VUs, each one keep-alive connection, one request at a time`
      : `load generator: FALLBACK, Node ${g.version} child process: ${config.clients} loops, each one keep-alive connection (node:http), one request at a time (k6 unavailable: ${g.fallbackReason})`,
  );
  lines.push(
    `reads: ${config.warmupSeconds} s warm-up + ${config.seconds} s measured at ${config.clients} clients, then 1 s + ${config.serialSeconds} s at 1 client; ` +
      `baseline: graphql execute() in this process, same schema, services and user, same number of concurrent callers`,
  );
  lines.push(`data: 1 user, ${report.seeded.workflows} workflows (Sum deployed), ${report.seeded.completedExecutions} completed Sum runs before the reads`);
  for (const read of Object.values(report.reads)) lines.push(`${read.id}: ${read.query}`);
  lines.push('CPU % proc/gen: average use over the phase, percent of one core, of this process (server, worker, baseline) / of the load generator');
  lines.push('');

  const header = ['read', 'variant', 'requests', 'req/s', 'P50 ms', 'P95 ms', 'P99 ms', 'max ms', 'CPU % proc/gen', 'target P95', ''];
  const row = (label: string, name: string, f: LoadFigures, target?: boolean): string[] => [
    label,
    name,
    String(f.requests) + (f.failed > 0 ? ` (+${f.failed} failed)` : ''),
    round(f.throughput).toFixed(0),
    ms(f.latency.p50),
    ms(f.latency.p95),
    ms(f.latency.p99),
    ms(f.latency.max),
    f.cpu ? `${Math.round(f.cpu.process)} / ${Math.round(f.cpu.generator)}` : '',
    target === undefined ? '' : `< ${API_TARGETS.readP95MsMax} ms`,
    target === undefined ? '' : verdict(target),
  ];
  const ratioRow = (c: ReadComparison): string[] => [
    '',
    'ratio HTTP / bare',
    '',
    ratio(c.ratios.throughput),
    ratio(c.ratios.p50),
    ratio(c.ratios.p95),
    '',
    '',
    '',
    '',
    '',
  ];
  const httpName = g.kind === 'k6' ? 'HTTP (k6)' : 'HTTP (Node fallback)';
  for (const [label, pick] of [
    [`reads, ${config.clients} concurrent clients`, (r: ReadReport) => r.loaded] as const,
    ['reads, 1 client', (r: ReadReport) => r.serial] as const,
  ]) {
    lines.push(label);
    const rows: string[][] = [header];
    for (const read of Object.values(report.reads)) {
      const c = pick(read);
      rows.push(row(read.id, httpName, c.http, c === read.loaded ? read.loaded.meetsTarget : undefined));
      rows.push(row('', 'bare execute()', c.bare));
      rows.push(ratioRow(c));
    }
    lines.push(table(rows, (col) => col >= 2 && col <= 8));
    lines.push('');
  }

  const o = report.overhead;
  const p = (f: LoadFigures) => `${ms(f.latency.p50)} / ${ms(f.latency.p95)}`;
  lines.push(
    `HTTP at 1 client, P50 / P95 ms: { __typename } (no resolver) without a token ${p(report.httpFloor.anonymous)}, with the token ${p(report.httpFloor.authenticated)}; ` +
      Object.values(report.reads)
        .map((r) => `${r.id} ${p(r.serial.http)}`)
        .join(', '),
  );
  lines.push(
    `per-request work the baseline leaves out, timed alone in process (median / P95 ms): token lookup (userForToken, as contextFor) ${ms(o.tokenLookup.p50)} / ${ms(o.tokenLookup.p95)}; ` +
      `complexity check ${Object.entries(o.complexity)
        .map(([id, s]) => `${id} ${ms(s.p50)} / ${ms(s.p95)}`)
        .join(', ')}`,
  );
  lines.push('');

  const f = report.firstEvent;
  lines.push(
    'start → first event: startExecution sent over HTTP → first executionEvents message over graphql-ws (subscribed once the answer is back; client in a child process)',
  );
  const firstRows: string[][] = [['variant', 'runs', 'P50 ms', 'P95 ms', 'P99 ms', 'max ms', 'target P95', '']];
  const verdictFor = (s: FirstEventFigures) => s.firstEvent.p95 < API_TARGETS.firstEventP95MsMax;
  for (const [name, s] of [
    ['one at a time', f.sequential],
    [`${f.concurrent.concurrency} in flight`, f.concurrent],
  ] as const) {
    firstRows.push([
      name,
      String(s.runs),
      ms(s.firstEvent.p50),
      ms(s.firstEvent.p95),
      ms(s.firstEvent.p99),
      ms(s.firstEvent.max),
      `< ${API_TARGETS.firstEventP95MsMax} ms`,
      verdict(verdictFor(s)),
    ]);
  }
  lines.push(table(firstRows, (col) => col >= 1 && col <= 5));
  const unexpected = f.sequential.unexpectedFirstEvents + f.concurrent.unexpectedFirstEvents;
  if (unexpected > 0) lines.push(`warning: ${unexpected} run(s) did not see EXECUTION_STARTED (sequence 1) first`);
  lines.push('');
  lines.push('where that time goes, P50 / P95 ms after startExecution was sent:');
  const stages: Array<[string, (s: FirstEventFigures) => Summary]> = [
    ['startExecution answered', (s) => s.startAnswered],
    ["first event emitted (its `at`, the workflow's clock)", (s) => s.emitted],
    ['first event published on the bus (worker sink)', (s) => s.published],
    ["all of the run's published events stored by the server", (s) => s.stored],
    ['first event received by the client', (s) => s.firstEvent],
    ['terminal event received', (s) => s.completed],
  ];
  const stageRows: string[][] = [['stage', 'one at a time', `${f.concurrent.concurrency} in flight`]];
  for (const [label, pick] of stages)
    stageRows.push([label, `${ms(pick(f.sequential).p50)} / ${ms(pick(f.sequential).p95)}`, `${ms(pick(f.concurrent).p50)} / ${ms(pick(f.concurrent).p95)}`]);
  lines.push(table(stageRows, (col) => col >= 1));
  lines.push('');
  lines.push(...formatMetricsCost(report.metricsCost, config));
  lines.push('');
  lines.push(`figures written to ${config.output}; took ${Math.round(report.durationSeconds)} s`);
  return lines.join('\n');
}

function formatMetricsCost(cost: ApiReport['metricsCost'], config: ApiBenchConfig): string[] {
  const lines = [
    `the cost of metrics: the execution read at ${config.clients} clients next to ${config.metricsStartClients} callers starting runs, ${config.metricsSeconds} s per phase, a server with TANDEM_METRICS on (scraped every ${config.metricsScrapeMs} ms) or off, after one unmeasured phase, in the order on, off, off, on, off, on, on, off`,
  ];
  const rows: string[][] = [['metrics', 'reads/s', 'read P50 ms', 'read P95 ms', 'starts/s', 'start P50 ms', 'start P95 ms', 'scrapes', 'CPU %']];
  for (const phase of cost.phases) {
    rows.push([
      phase.metrics ? 'on' : 'off',
      round(phase.reads.throughput).toFixed(0),
      ms(phase.reads.latency.p50),
      ms(phase.reads.latency.p95),
      round(phase.starts.throughput).toFixed(1),
      ms(phase.starts.latency.p50),
      ms(phase.starts.latency.p95),
      String(phase.scrapes),
      String(Math.round(phase.cpuPercent)),
    ]);
  }
  const r = cost.ratios;
  rows.push(['on / off', ratio(r.readThroughput), '', ratio(r.readP95), '', '', ratio(r.startP95), '', ratio(r.cpu)]);
  lines.push(table(rows, (col) => col >= 1));
  lines.push(`target: P95 of reads and of starts at most ${API_TARGETS.metricsCostRatioMax}x with metrics on: ${verdict(cost.meetsTarget)}`);
  return lines;
}

export function writeApiReport(report: ApiReport, path: string): void {
  writeJsonReport(report, path);
}
