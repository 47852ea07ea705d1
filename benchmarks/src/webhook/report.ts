import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MachineInfo } from '../machine.js';
import { table } from '../report.js';
import { round, type Summary } from '../stats.js';
import { WEBHOOK_TARGETS, type WebhookBenchConfig } from './config.js';
import type { ReleaseFigures } from './release.js';

/** One side at one connection count, all rounds merged. */
export interface PhaseFigures {
  ok: number;
  failed: number;
  /** Answers slower than 5 s (failed or not). */
  slow: number;
  seconds: number;
  throughput: number;
  latency: Summary;
  errors: string[];
  /** Runs answered in the windows, warm-ups included: what the CPU figures are divided by. */
  runsAll: number;
  /** CPU time (user + system) of the side's own processes per run: Tandem's API + worker child, or the hand-written program. */
  cpuMsPerRun: number;
  /** Of `cpuMsPerRun`, Tandem's API server process (the rest is its worker child); absent for the hand-written side. */
  apiCpuMsPerRun?: number;
  /** The Temporal server's CPU time per run while this side was measured. */
  temporalCpuMsPerRun: number;
  /** Peak summed RSS of the side's processes during its windows. */
  peakRssMiB: number;
}

interface StartFigures {
  ok: number;
  failed: number;
  throughput: number;
  latency: Summary;
}

export interface WebhookReport {
  generatedAt: string;
  machine: MachineInfo;
  loadAverageAtEnd: number;
  config: Omit<WebhookBenchConfig, 'output'>;
  targets: typeof WEBHOOK_TARGETS;
  setup: Record<string, string | number>;
  comparison: Array<{ connections: number; tandem: PhaseFigures | null; handwritten: PhaseFigures | null }>;
  memory: {
    idleMiB: number;
    /** RSS per process of the tree: the API server first, then the worker child. */
    idleProcessesMiB: number[];
    afterComparisonMiB: number;
    runs?: {
      count: number;
      failed: number;
      slow: number;
      seconds: number;
      peakMiB: number;
      workerPeakMiB: number;
      afterMiB: number;
      afterProcessesMiB: number[];
    };
    held?: {
      count: number;
      startFailed: number;
      startSeconds: number;
      waiting: number;
      heldMiB: number;
      heldProcessesMiB: number[];
      signalFailed: number;
      /** Milliseconds from a signal to the run reported completed, one run at a time: the oldest held runs, and the newest. */
      resume: { oldest: Summary; newest: Summary };
      /** Seconds from signalling the others together until all had completed. */
      waveSeconds: number;
      completed: number;
      peakMiB: number;
      /** The worker child's own peak RSS from the first start until the last released run completed. */
      workerPeakMiB: number;
      doneMiB: number;
      settledMiB: number;
      settledProcessesMiB: number[];
    };
  } | null;
  start: { clients: number; tandem: StartFigures; bare: StartFigures; p95Ratio: number } | null;
  release: ReleaseFigures | null;
  durationSeconds: number;
}

export function writeWebhookReport(report: WebhookReport, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

const n = (value: number) => (Number.isFinite(value) ? String(round(value)) : '-');
const x = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '-');
const pass = (ok: boolean) => (ok ? 'met' : 'NOT met');

export function formatWebhookReport(report: WebhookReport): string {
  const m = report.machine;
  const lines: string[] = [];
  lines.push(`Tandem webhook benchmark (issue 17), ${report.generatedAt}`);
  lines.push(
    `machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; load average ${m.loadAverageAtStart} at start, ${report.loadAverageAtEnd} at end`,
  );
  lines.push(`temporal: ${m.temporalCli}; ${report.setup.temporal}; SDK ${m.temporalSdk}`);
  lines.push(`tandem: ${report.setup.tandem}`);
  lines.push(`hand-written: ${report.setup.handwritten}`);
  lines.push(
    `load: ${report.setup.loadGenerator}; ${report.config.rounds} round(s) of ${report.config.warmupSeconds} s warm-up + ${report.config.seconds} s measured per side, order alternating`,
  );
  lines.push('');
  const rows: string[][] = [
    ['conns', 'side', 'req/s', 'P50 ms', 'P95 ms', 'P99 ms', 'max ms', 'errors', '>5 s', 'CPU ms/run', '(API + worker)', 'Temporal CPU ms/run', 'peak RSS MiB'],
  ];
  for (const row of report.comparison) {
    for (const [name, f] of [
      ['tandem', row.tandem],
      ['hand-written', row.handwritten],
    ] as const) {
      if (!f) continue;
      rows.push([
        String(row.connections),
        name,
        n(f.throughput),
        n(f.latency.p50),
        n(f.latency.p95),
        n(f.latency.p99),
        n(f.latency.max),
        String(f.failed),
        String(f.slow),
        n(f.cpuMsPerRun),
        f.apiCpuMsPerRun === undefined ? '' : `${n(f.apiCpuMsPerRun)} + ${n(f.cpuMsPerRun - f.apiCpuMsPerRun)}`,
        n(f.temporalCpuMsPerRun),
        n(f.peakRssMiB),
      ]);
    }
  }
  lines.push(table(rows, (c) => c !== 1));
  const both = report.comparison.filter((r) => r.tandem && r.handwritten);
  if (both.length > 0) {
    lines.push('');
    lines.push('ratios Tandem / hand-written');
    const ratioRows: string[][] = [['conns', 'throughput', 'P50', 'P95', 'P99', 'CPU/run', 'peak RSS']];
    for (const row of both) {
      const t = row.tandem!;
      const h = row.handwritten!;
      ratioRows.push([
        String(row.connections),
        x(t.throughput / h.throughput),
        x(t.latency.p50 / h.latency.p50),
        x(t.latency.p95 / h.latency.p95),
        x(t.latency.p99 / h.latency.p99),
        x(t.cpuMsPerRun / h.cpuMsPerRun),
        x(t.peakRssMiB / h.peakRssMiB),
      ]);
    }
    lines.push(table(ratioRows, (c) => c > 0));
    lines.push('');
    const T = WEBHOOK_TARGETS;
    const worstThroughput = Math.min(...both.map((r) => r.tandem!.throughput / r.handwritten!.throughput));
    lines.push(
      `target throughput >= ${T.throughputRatioMin}x at every connection count: ${pass(worstThroughput >= T.throughputRatioMin)} (lowest ${x(worstThroughput)})`,
    );
    const one = both.find((r) => r.connections === 1);
    if (one)
      lines.push(
        `target P50 at 1 connection <= ${T.p50RatioAtOneMax}x: ${pass(one.tandem!.latency.p50 / one.handwritten!.latency.p50 <= T.p50RatioAtOneMax)} (${x(one.tandem!.latency.p50 / one.handwritten!.latency.p50)})`,
      );
    const fifty = report.comparison.find((r) => r.connections === 50);
    if (fifty?.tandem) lines.push(`target nothing over 5 s at 50 connections: ${pass(fifty.tandem.slow <= T.slowAt50Max)} (${fifty.tandem.slow})`);
    const worstCpu = Math.max(...both.map((r) => r.tandem!.cpuMsPerRun / r.handwritten!.cpuMsPerRun));
    lines.push(`target CPU per run <= ${T.cpuPerRunRatioMax}x: ${pass(worstCpu <= T.cpuPerRunRatioMax)} (highest ${x(worstCpu)})`);
  }
  const mem = report.memory;
  const apart = (miB: number[] | undefined) => (miB && miB.length > 1 ? ` (API ${miB[0]} + worker ${miB.slice(1).join(' + ')})` : '');
  if (mem) {
    lines.push('');
    lines.push(
      `memory of the Tandem process tree (API + worker child, RSS): idle ${n(mem.idleMiB)} MiB${apart(mem.idleProcessesMiB)}; after the comparison ${n(mem.afterComparisonMiB)} MiB; hand-written idle ${n(Number(report.setup.handwrittenIdleMiB))} MiB`,
    );
    if (mem.runs) {
      const r = mem.runs;
      lines.push(
        `  after ${r.count} webhook runs (50 connections, ${n(r.count / r.seconds)} runs/s, ${r.failed} failed, ${r.slow} over 5 s): ${n(r.afterMiB)} MiB${apart(r.afterProcessesMiB)} (peak ${n(r.peakMiB)}, the worker's ${n(r.workerPeakMiB)}) - target < ${WEBHOOK_TARGETS.memoryMiBMax}: ${pass(r.peakMiB < WEBHOOK_TARGETS.memoryMiBMax)}`,
      );
    }
    if (mem.held) {
      const h = mem.held;
      lines.push(
        `  ${h.waiting} of ${h.count} runs held waiting at once (started in ${n(h.startSeconds)} s, ${h.startFailed} failed): ${n(h.heldMiB)} MiB${apart(h.heldProcessesMiB)} - target < ${WEBHOOK_TARGETS.memoryMiBMax}: ${pass(h.peakMiB < WEBHOOK_TARGETS.memoryMiBMax)} (peak ${n(h.peakMiB)}, the worker's ${n(h.workerPeakMiB)})`,
      );
      lines.push(
        `  resume, signal to completed, one at a time: the oldest runs P50 ${n(h.resume.oldest.p50)} ms (max ${n(h.resume.oldest.max)}), the newest P50 ${n(h.resume.newest.p50)} ms (max ${n(h.resume.newest.max)}); the others signalled together completed in ${n(h.waveSeconds)} s`,
      );
      lines.push(
        `  after signalling them (${h.signalFailed} failed, ${h.completed} completed): ${n(h.doneMiB)} MiB; 30 s later ${n(h.settledMiB)} MiB${apart(h.settledProcessesMiB)} (idle was ${n(mem.idleMiB)})`,
      );
    }
  }
  if (report.start) {
    const s = report.start;
    lines.push('');
    lines.push(`startExecution at ${s.clients} clients (2 rounds, alternating) vs a bare client.workflow.start on the same server:`);
    const startRows = [
      ['', 'starts/s', 'P50 ms', 'P95 ms', 'P99 ms', 'failed'],
      ['startExecution (GraphQL)', n(s.tandem.throughput), n(s.tandem.latency.p50), n(s.tandem.latency.p95), n(s.tandem.latency.p99), String(s.tandem.failed)],
      ['bare Temporal start', n(s.bare.throughput), n(s.bare.latency.p50), n(s.bare.latency.p95), n(s.bare.latency.p99), String(s.bare.failed)],
    ];
    lines.push(table(startRows, (c) => c > 0));
    lines.push(`target P95 ratio <= ${WEBHOOK_TARGETS.startP95RatioMax}: ${pass(s.p95Ratio <= WEBHOOK_TARGETS.startP95RatioMax)} (${x(s.p95Ratio)})`);
  }
  if (report.release) lines.push('', ...formatRelease(report.release));
  lines.push('');
  lines.push(`took ${Math.round(report.durationSeconds)} s`);
  return lines.join('\n');
}

function formatRelease(r: ReleaseFigures): string[] {
  const row = (name: string, f: ReleaseFigures['tandem']) => [
    name,
    String(f.released),
    n(f.signalsPerSecond),
    n(f.latency.p50),
    n(f.latency.p95),
    n(f.latency.p99),
    `${f.notHeld} / ${f.signalsFailed} / ${f.notCompleted}`,
    f.waveSeconds.map(n).join(', '),
    n(f.cpuMsPerRun),
    n(f.temporalCpuMsPerRun),
  ];
  return [
    `release wave (test:load's): ${r.runs} runs held, released by ${r.clients} clients, 2 rounds, alternating; Tandem vs bare Temporal signals to hand-written waiting workflows:`,
    table(
      [
        [
          '',
          'released',
          'signals/s',
          'P50 ms',
          'P95 ms',
          'P99 ms',
          'not held / failed / not completed',
          'all completed after s',
          'CPU ms/run',
          'Temporal CPU ms/run',
        ],
        row('signalExecution (GraphQL)', r.tandem),
        row('bare Temporal signal', r.bare),
      ],
      (c) => c > 0,
    ),
    `signal P95 ratio ${x(r.p95Ratio)}; test:load's API P95 target of 200 ms against the bare signal's P95 here: ${n(r.bare.latency.p95)} ms`,
  ];
}
