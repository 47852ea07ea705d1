import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CompileBenchResult } from './compile-bench.js';
import { TARGETS, type EngineBenchConfig } from './config.js';
import type { MachineInfo } from './machine.js';
import type { WorkerMetricsCost } from './metrics-cost.js';
import type { VariantResult } from './runner.js';
import { round, type Summary } from './stats.js';

export interface ScenarioReport {
  title: string;
  interpreter: VariantResult;
  handwritten: VariantResult;
  /** interpreter / hand-written */
  ratios: { throughput: number; p50: number; p95: number };
  meetsThroughputTarget: boolean;
  /** Latency with one run in flight (no queueing): interpreter, hand-written, and their P50/P95 ratios. */
  serial: { interpreter: Summary; handwritten: Summary; ratios: { p50: number; p95: number } };
  /** Events the interpreter published per run (0 for the baseline, which publishes none). */
  eventsPerRun?: number;
}

export interface EngineReport {
  generatedAt: string;
  machine: MachineInfo;
  config: Omit<EngineBenchConfig, 'output'>;
  targets: typeof TARGETS;
  runs: Record<string, ScenarioReport>;
  compile: CompileBenchResult & { meetsTarget: boolean };
  metricsCost: WorkerMetricsCost & { meetsTarget: boolean };
  durationSeconds: number;
}

export function scenarioReport(
  title: string,
  [interpreter, handwritten]: VariantResult[],
  [serialInterpreter, serialHandwritten]: VariantResult[],
  eventsPerRun?: number,
): ScenarioReport {
  const ratios = {
    throughput: interpreter!.throughput / handwritten!.throughput,
    p50: interpreter!.latency.p50 / handwritten!.latency.p50,
    p95: interpreter!.latency.p95 / handwritten!.latency.p95,
  };
  return {
    title,
    interpreter: interpreter!,
    handwritten: handwritten!,
    ratios,
    meetsThroughputTarget: ratios.throughput >= TARGETS.throughputRatioMin,
    serial: {
      interpreter: serialInterpreter!.latency,
      handwritten: serialHandwritten!.latency,
      ratios: {
        p50: serialInterpreter!.latency.p50 / serialHandwritten!.latency.p50,
        p95: serialInterpreter!.latency.p95 / serialHandwritten!.latency.p95,
      },
    },
    ...(eventsPerRun === undefined ? {} : { eventsPerRun }),
  };
}

export function table(rows: string[][], alignRight: (column: number) => boolean): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, c) => (alignRight(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const ms = (value: number) => round(value).toFixed(value < 10 ? 2 : 1);
const ratio = (value: number) => value.toFixed(2);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

export function formatReport(report: EngineReport, config: EngineBenchConfig): string {
  const m = report.machine;
  const lines: string[] = [];
  lines.push(`Tandem engine benchmark, ${report.generatedAt}`);
  lines.push(`machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; load average ${m.loadAverageAtStart} at start`);
  lines.push(`temporal: ${m.temporalCli}, dev server in memory on loopback; SDK ${m.temporalSdk}`);
  lines.push(
    `load: ${config.transformRuns} (transform) / ${config.httpRuns} (HTTP) measured runs per variant in ${config.rounds} rounds ` +
      `of alternating order, ${config.concurrency} in flight, after ${config.warmup} warm-up runs per variant; ms from start request to result`,
  );
  lines.push('');

  const rows: string[][] = [['scenario', 'variant', 'runs', 'runs/s', 'P50 ms', 'P95 ms', 'P99 ms', 'max ms']];
  for (const scenario of Object.values(report.runs)) {
    for (const [label, v] of [
      [scenario.title, scenario.interpreter],
      ['', scenario.handwritten],
    ] as const) {
      rows.push([label, v.name, String(v.runs), round(v.throughput).toFixed(1), ms(v.latency.p50), ms(v.latency.p95), ms(v.latency.p99), ms(v.latency.max)]);
    }
  }
  lines.push(table(rows, (c) => c >= 2));
  lines.push('');

  const ratioRows: string[][] = [['ratio interpreter / hand-written', 'throughput', 'target', '', 'P50', 'P95', 'events/run']];
  for (const scenario of Object.values(report.runs)) {
    ratioRows.push([
      scenario.title,
      ratio(scenario.ratios.throughput),
      `>= ${TARGETS.throughputRatioMin.toFixed(2)}`,
      verdict(scenario.meetsThroughputTarget),
      ratio(scenario.ratios.p50),
      ratio(scenario.ratios.p95),
      scenario.eventsPerRun === undefined ? '' : round(scenario.eventsPerRun).toFixed(0),
    ]);
  }
  lines.push(table(ratioRows, (c) => c >= 1 && c !== 3));
  lines.push('');

  lines.push(`latency with one run in flight (${config.serialRuns} runs per variant, no queueing)`);
  const serialRows: string[][] = [['scenario', 'interp P50', 'interp P95', 'hand P50', 'hand P95', 'ratio P50', 'ratio P95']];
  for (const scenario of Object.values(report.runs)) {
    const { interpreter: i, handwritten: h, ratios: r } = scenario.serial;
    serialRows.push([scenario.title, ms(i.p50), ms(i.p95), ms(h.p50), ms(h.p95), ratio(r.p50), ratio(r.p95)]);
  }
  lines.push(table(serialRows, (c) => c >= 1));
  lines.push('');

  const cost = report.metricsCost;
  lines.push(
    `the cost of metrics: the transform chain on a worker whose Prometheus figures were scraped every ${config.metricsScrapeMs} ms (${cost.scrapes} scrapes) against one without`,
  );
  const costRows: string[][] = [['variant', 'runs', 'runs/s', 'P50 ms', 'P95 ms']];
  for (const v of [cost.on, cost.off]) costRows.push([v.name, String(v.runs), round(v.throughput).toFixed(1), ms(v.latency.p50), ms(v.latency.p95)]);
  costRows.push(['on / off', '', ratio(cost.ratios.throughput), '', ratio(cost.ratios.p95)]);
  lines.push(table(costRows, (col) => col >= 1));
  lines.push(`target: throughput with metrics on >= ${TARGETS.metricsThroughputRatioMin} of it without: ${verdict(cost.meetsTarget)}`);
  lines.push('');

  const c = report.compile;
  const mix = Object.entries(c.mix)
    .sort((a, b) => b[1] - a[1])
    .map(([type, count]) => `${count} ${type}`)
    .join(', ');
  lines.push(
    `validate + compile: generated graph of ${c.nodes} nodes, ${c.edges} edges (${mix}); ${c.expressionFields} expression/template fields; plan ${Math.round(c.planBytes / 1024)} KiB`,
  );
  lines.push(`${c.iterations} iterations after ${c.warmup} warm-up, each on a fresh copy of the document`);
  const compileRow = (label: string, s: Summary, target: boolean): string[] => [
    label,
    ms(s.p50),
    ms(s.p95),
    ms(s.max),
    target ? `< ${TARGETS.compileMsMax} ms` : '',
    target ? verdict(s.p95 < TARGETS.compileMsMax && s.p50 < TARGETS.compileMsMax) : '',
  ];
  lines.push(
    table(
      [
        ['', 'median ms', 'P95 ms', 'max ms', 'target', ''],
        compileRow('compileWorkflow (validate + compile)', c.compile, true),
        compileRow('  validateWorkflow alone', c.validate, false),
        compileRow('  expression/template parsing alone', c.expressionParsing, false),
        compileRow('validateWorkflow after one edit (others remembered)', c.revalidateAfterOneEdit, false),
      ],
      (col) => col >= 1 && col <= 3,
    ),
  );
  lines.push('');
  lines.push(`figures written to ${config.output}; took ${Math.round(report.durationSeconds)} s`);
  return lines.join('\n');
}

/** Rounds every number in the report for the JSON file. */
function rounded(value: unknown): unknown {
  if (typeof value === 'number') return round(value);
  if (Array.isArray(value)) return value.map(rounded);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)]));
  return value;
}

/** Writes a benchmark's figures as JSON, numbers rounded. */
export function writeJsonReport(report: unknown, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(rounded(report), null, 2)}\n`);
}

export function writeReport(report: EngineReport, path: string): void {
  writeJsonReport(report, path);
}
