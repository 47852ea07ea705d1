// `npm run bench:webhook` (issue 17): the same three-step webhook flow through Tandem (`npm
// start`'s shape) and as a hand-written Temporal program, on one Temporal server, at 1, 10 and
// 50 connections in alternating order; then the Tandem process tree's memory after N runs and
// with N runs held waiting, startExecution against a bare Temporal start, and the release wave of
// test:load against bare Temporal signals. Prints a table and writes
// benchmarks/results/webhook-latest.json. See docs/performance.md.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startTemporal, type RunningTemporal } from '@tandem/ops';
import { runChild } from '../api/child.js';
import { gql } from '../api/http.js';
import { SUM_WORKFLOW } from '../api/queries.js';
import { Cleanups } from '../cleanups.js';
import { machineInfo } from '../machine.js';
import { orderOfRound } from '../runner.js';
import { summarize } from '../stats.js';
import { readWebhookConfig, WEBHOOK_TARGETS, type Side } from './config.js';
import { releaseWaves, type ReleaseStack } from './release.js';
import { releaseRunsTarget, SIGNAL_GO, sleep, startRunsTarget, waitForCount, type TandemApi } from './tandem-runs.js';
import { HOOK_PATH, REQUEST_BODY, WAITING_WORKFLOW, WEBHOOK_WORKFLOW } from './flow.js';
import type { LoadResult, LoadSpec, LoadTarget } from './load-child.js';
import { childrenMatching, fixed, mib, processTree, rssBytes, startUsage, tree, type Measured, type Usage } from './proc.js';
import { buildTandem, seedTandem, startHandwritten, startTandem, type Program } from './processes.js';
import { formatWebhookReport, writeWebhookReport, type PhaseFigures, type WebhookReport } from './report.js';

const config = readWebhookConfig();
const startedAt = Date.now();
const progress = (message: string) => console.error(`[bench:webhook] ${message}`);

const cleanups = new Cleanups(progress);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The measured group of Tandem's API server process alone (the `tandem` group is it and its worker child). */
const TANDEM_API = 'tandem-api';

/** The measured group of Tandem's worker child alone (the tree without the API server process). */
const TANDEM_WORKER = 'tandem-worker';
const workerOf = (apiPid: number): Measured => ({ name: TANDEM_WORKER, pids: () => processTree(apiPid).filter((pid) => pid !== apiPid) });

const LOAD_CHILD = new URL('./load-child.ts', import.meta.url);
const load = (spec: LoadSpec) => runChild<LoadResult>(LOAD_CHILD, spec);

interface Stack {
  temporal: RunningTemporal;
  tandem: Program;
  handwritten: Program;
  groups: Measured[];
  targets: Record<Side, LoadTarget>;
  seeded: Awaited<ReturnType<typeof seedTandem>>;
  handwrittenQueue: string;
}

/** One measured window of one side, with what each process group used meanwhile (1 s of tail included). */
async function phase(stack: Stack, spec: LoadSpec): Promise<{ result: LoadResult; usage: Record<string, Usage> }> {
  const usage = startUsage(stack.groups);
  const result = await load(spec);
  await sleep(1_000);
  return { result, usage: usage.stop() };
}

function merge(side: Side, parts: Array<{ result: LoadResult; usage: Record<string, Usage> }>): PhaseFigures {
  const samples = parts.flatMap((p) => p.result.samples);
  const seconds = parts.reduce((s, p) => s + p.result.seconds, 0);
  const completed = parts.reduce((s, p) => s + p.result.completedAll, 0);
  const own = side === 'tandem' ? 'tandem' : 'handwritten';
  const cpu = parts.reduce((s, p) => s + p.usage[own]!.cpuSeconds, 0);
  const temporalCpu = parts.reduce((s, p) => s + (p.usage.temporal?.cpuSeconds ?? 0), 0);
  const apiCpu = side === 'tandem' ? parts.reduce((s, p) => s + p.usage[TANDEM_API]!.cpuSeconds, 0) : undefined;
  return {
    ok: samples.length,
    failed: parts.reduce((s, p) => s + p.result.failed, 0),
    slow: parts.reduce((s, p) => s + p.result.slow, 0),
    seconds,
    throughput: samples.length / seconds,
    latency: summarize(samples),
    errors: parts.flatMap((p) => p.result.errors).slice(0, 5),
    runsAll: completed,
    cpuMsPerRun: (1_000 * cpu) / Math.max(1, completed),
    ...(apiCpu === undefined ? {} : { apiCpuMsPerRun: (1_000 * apiCpu) / Math.max(1, completed) }),
    temporalCpuMsPerRun: (1_000 * temporalCpu) / Math.max(1, completed),
    peakRssMiB: Math.max(...parts.map((p) => p.usage[own]!.peakRssMiB)),
  };
}

async function comparison(stack: Stack): Promise<WebhookReport['comparison']> {
  const rows: WebhookReport['comparison'] = [];
  for (const connections of config.connections) {
    const parts: Record<Side, Array<{ result: LoadResult; usage: Record<string, Usage> }>> = { tandem: [], handwritten: [] };
    for (let round = 0; round < config.rounds; round++) {
      for (const side of orderOfRound(config.sides, round)) {
        progress(`${connections} connection(s), round ${round + 1}/${config.rounds}: ${side}`);
        const measured = await phase(stack, {
          target: stack.targets[side],
          clients: connections,
          warmupSeconds: config.warmupSeconds,
          seconds: config.seconds,
        });
        if (measured.result.errors.length > 0) progress(`  ${side}: ${measured.result.failed} failed, e.g. ${measured.result.errors[0]}`);
        parts[side].push(measured);
      }
    }
    const tandem = parts.tandem.length > 0 ? merge('tandem', parts.tandem) : null;
    const handwritten = parts.handwritten.length > 0 ? merge('handwritten', parts.handwritten) : null;
    rows.push({ connections, tandem, handwritten });
  }
  return rows;
}

const tandemApi = (stack: Stack): TandemApi => ({ url: stack.tandem.url, token: stack.seeded.user.token });

const releaseStack = (stack: Stack): ReleaseStack => ({
  tandem: tandemApi(stack),
  temporalAddress: stack.temporal.address,
  handwrittenQueue: stack.handwrittenQueue,
  groups: stack.groups,
  load,
  progress,
});

const treeMiB = (stack: Stack) => mib(rssBytes(stack.groups[0]!.pids()));
/** The tree's RSS per process: the API server (npm start's process) first, then its worker child. */
const processesMiB = (stack: Stack) => stack.groups[0]!.pids().map((pid) => Math.round(mib(rssBytes([pid]))));

/** Held runs resumed one at a time before the others are signalled together (half the oldest, half the newest). */
const RESUME_SAMPLE = 20;

/** Signals one held run and returns the milliseconds until the API reports it completed (its resume). */
async function resumeOne(stack: Stack, id: string): Promise<number> {
  const started = performance.now();
  await gql(stack.tandem.url, stack.seeded.user.token, SIGNAL_GO, { id });
  for (;;) {
    const data = await gql<{ execution: { status: string } }>(stack.tandem.url, stack.seeded.user.token, 'query($id: ID!) { execution(id: $id) { status } }', {
      id,
    });
    if (data.execution.status === 'COMPLETED') return performance.now() - started;
    if (performance.now() - started > 60_000) throw new Error(`run ${id} did not complete within 60 s of its signal`);
    await sleep(5);
  }
}

async function memory(stack: Stack, idleMiB: number, idleProcessesMiB: number[]): Promise<WebhookReport['memory']> {
  const tandemOnly = stack.groups.filter((g) => g.name === 'tandem' || g.name === TANDEM_WORKER);
  const result: WebhookReport['memory'] = { idleMiB, idleProcessesMiB, afterComparisonMiB: treeMiB(stack) };
  if (config.memoryRuns > 0) {
    progress(`memory: ${config.memoryRuns} webhook runs at 50 connections`);
    const usage = startUsage(tandemOnly);
    const runs = await load({ target: stack.targets.tandem, clients: 50, total: config.memoryRuns });
    const used = usage.stop();
    await sleep(5_000);
    result.runs = {
      count: config.memoryRuns,
      failed: runs.failed,
      slow: runs.slow,
      seconds: runs.seconds,
      peakMiB: used.tandem!.peakRssMiB,
      workerPeakMiB: used[TANDEM_WORKER]!.peakRssMiB,
      afterMiB: treeMiB(stack),
      afterProcessesMiB: processesMiB(stack),
    };
  }
  if (config.waitingRuns > 0) {
    const n = config.waitingRuns;
    const workflowId = stack.seeded.waitingWorkflowId;
    progress(`memory: ${n} runs held waiting on a signal (startExecution at 25 clients)`);
    const usage = startUsage(tandemOnly);
    const started = await load({ target: startRunsTarget(tandemApi(stack), workflowId), clients: 25, total: n });
    const ids = started.ids.filter(Boolean);
    const waiting = await waitForCount(tandemApi(stack), workflowId, 'WAITING', ids.length, 600_000);
    await sleep(5_000);
    const heldMiB = treeMiB(stack);
    const heldProcessesMiB = processesMiB(stack);
    progress(`memory: ${waiting} runs waiting, tree ${heldMiB.toFixed(0)} MiB; resuming ${RESUME_SAMPLE} of them one at a time`);
    // The oldest runs have left the worker's cache (replayed at their signal); the newest may still be in it.
    const sampled = [...ids.slice(0, RESUME_SAMPLE / 2), ...ids.slice(-RESUME_SAMPLE / 2)];
    const resumeMs: number[] = [];
    for (const id of sampled) resumeMs.push(await resumeOne(stack, id));
    const rest = ids.slice(RESUME_SAMPLE / 2, -RESUME_SAMPLE / 2);
    progress(`memory: signalling the other ${rest.length}`);
    const waveStart = Date.now();
    const signalled = await load({ target: releaseRunsTarget(tandemApi(stack), rest), clients: 25, total: rest.length });
    const completed = await waitForCount(tandemApi(stack), workflowId, 'COMPLETED', ids.length, 600_000);
    const waveSeconds = (Date.now() - waveStart) / 1_000;
    const used = usage.stop();
    const doneMiB = treeMiB(stack);
    progress(`memory: ${completed} completed; waiting 30 s for the tree to settle`);
    await sleep(30_000);
    result.held = {
      count: n,
      startFailed: started.failed,
      startSeconds: started.seconds,
      waiting,
      heldMiB,
      heldProcessesMiB,
      signalFailed: signalled.failed,
      resume: { oldest: summarize(resumeMs.slice(0, RESUME_SAMPLE / 2)), newest: summarize(resumeMs.slice(RESUME_SAMPLE / 2)) },
      waveSeconds,
      completed,
      peakMiB: used.tandem!.peakRssMiB,
      workerPeakMiB: used[TANDEM_WORKER]!.peakRssMiB,
      doneMiB,
      settledMiB: treeMiB(stack),
      settledProcessesMiB: processesMiB(stack),
    };
  }
  return result;
}

async function starts(stack: Stack): Promise<WebhookReport['start']> {
  if (config.startClients === 0) return null;
  const tandemTarget = startRunsTarget(tandemApi(stack), stack.seeded.sumWorkflowId, { a: 2, b: 3 });
  const bareTarget: LoadTarget = {
    kind: 'temporal-start',
    address: stack.temporal.address,
    taskQueue: stack.handwrittenQueue,
    workflowType: 'webhookFlow',
    args: [REQUEST_BODY],
  };
  const parts: Record<'tandem' | 'bare', LoadResult[]> = { tandem: [], bare: [] };
  for (let round = 0; round < 2; round++) {
    for (const which of orderOfRound(['tandem', 'bare'] as const, round)) {
      progress(`startExecution at ${config.startClients} clients, round ${round + 1}/2: ${which}`);
      const spec: LoadSpec = {
        target: which === 'tandem' ? tandemTarget : bareTarget,
        clients: config.startClients,
        warmupSeconds: 2,
        seconds: config.startSeconds,
      };
      const result = await load(spec);
      if (result.errors.length > 0) progress(`  ${which}: ${result.failed} failed, e.g. ${result.errors[0]}`);
      parts[which].push(result);
      // Let the runs started meanwhile finish before the next window.
      await sleep(3_000);
    }
  }
  const figures = (results: LoadResult[]) => {
    const samples = results.flatMap((r) => r.samples);
    const seconds = results.reduce((s, r) => s + r.seconds, 0);
    return { ok: samples.length, failed: results.reduce((s, r) => s + r.failed, 0), throughput: samples.length / seconds, latency: summarize(samples) };
  };
  const tandem = figures(parts.tandem);
  const bare = figures(parts.bare);
  return { clients: config.startClients, tandem, bare, p95Ratio: tandem.latency.p95 / bare.latency.p95 };
}

async function main(): Promise<WebhookReport> {
  const machine = machineInfo();
  if (!config.skipBuild) {
    progress('building (npm run build), as npm start does');
    buildTandem();
  }
  progress('starting the Temporal dev server (in memory)');
  const temporal = await startTemporal(process.env.TEMPORAL_ADDRESS?.trim() || undefined);
  cleanups.add('Temporal', () => temporal.stop());
  const temporalPids = temporal.owned ? childrenMatching(process.pid, 'temporal') : [];

  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-bench-webhook-'));
  cleanups.add('the data directory', async () => rmSync(dataDir, { recursive: true, force: true }));
  if (config.cpuProfileDir) mkdirSync(config.cpuProfileDir, { recursive: true });
  progress(
    `starting Tandem: node ops/dist/start.js (API + worker child), SQLite in ${dataDir}${config.cpuProfileDir ? `, --cpu-prof into ${config.cpuProfileDir}` : ''}`,
  );
  const tandem = await startTandem({ temporalAddress: temporal.address, port: await freePort(), dataDir, cpuProfileDir: config.cpuProfileDir, log: progress });
  cleanups.add('Tandem', () => tandem.stop());
  const seeded = await seedTandem(tandem.url, { webhook: WEBHOOK_WORKFLOW, waiting: WAITING_WORKFLOW, sum: SUM_WORKFLOW }, HOOK_PATH);

  const handwrittenQueue = `bench-handwritten-${Date.now().toString(36)}`;
  progress('starting the hand-written program (node:http + Temporal worker, one process)');
  const handwritten = await startHandwritten(temporal.address, handwrittenQueue, progress, config.cpuProfileDir);
  cleanups.add('the hand-written program', () => handwritten.stop());

  const stack: Stack = {
    temporal,
    tandem,
    handwritten,
    groups: [
      tree('tandem', tandem.pid),
      tree('handwritten', handwritten.pid),
      fixed('temporal', temporalPids),
      fixed(TANDEM_API, [tandem.pid]),
      workerOf(tandem.pid),
    ],
    targets: {
      tandem: { kind: 'webhook', url: seeded.webhook.url, headers: { 'x-tandem-webhook-secret': seeded.webhook.secret } },
      handwritten: { kind: 'webhook', url: handwritten.url, headers: {} },
    },
    seeded,
    handwrittenQueue,
  };
  progress(`Tandem tree: pids ${stack.groups[0]!.pids().join(', ')}; hand-written: ${handwritten.pid}; Temporal: ${temporalPids.join(', ') || 'not ours'}`);
  // Each side answers correctly before anything is measured (and is warm).
  for (const side of config.sides) {
    const check = await load({ target: stack.targets[side], clients: 1, total: 20 });
    if (check.failed > 0) throw new Error(`${side} does not answer the flow: ${check.errors.join('; ')}`);
  }
  await sleep(2_000);
  const idleMiB = treeMiB(stack);
  const idleProcessesMiB = processesMiB(stack);
  const handwrittenIdleMiB = mib(rssBytes(stack.groups[1]!.pids()));

  const rows = await comparison(stack);
  const memoryFigures = config.sides.includes('tandem') ? await memory(stack, idleMiB, idleProcessesMiB) : null;
  const start = config.sides.includes('tandem') ? await starts(stack) : null;
  const release =
    config.sides.includes('tandem') && config.releaseRuns > 0 ? await releaseWaves(releaseStack(stack), config.releaseRuns, config.releaseClients) : null;

  await cleanups.run();
  const { output: _output, ...settings } = config;
  return {
    generatedAt: new Date().toISOString(),
    machine,
    loadAverageAtEnd: Math.round(loadavg()[0]! * 100) / 100,
    config: settings,
    targets: WEBHOOK_TARGETS,
    setup: {
      tandem: 'npm start shape: npm run build, then node ops/dist/start.js (API server + worker child over IPC), SQLite, in-process bus',
      handwritten: 'one node process: node:http front + Temporal worker (SDK defaults, 100 concurrent tasks) + client.workflow.execute',
      temporal: temporal.owned ? 'Temporal CLI dev server, in memory, started by the benchmark' : `TEMPORAL_ADDRESS ${temporal.address}`,
      loadGenerator: `Node ${process.version} child process, one keep-alive connection per client, closed loop`,
      handwrittenIdleMiB,
    },
    comparison: rows,
    memory: memoryFigures,
    start,
    release,
    durationSeconds: (Date.now() - startedAt) / 1_000,
  };
}

try {
  const report = await main();
  writeWebhookReport(report, config.output);
  console.log(formatWebhookReport(report));
} catch (error) {
  console.error('[bench:webhook] failed:', error);
  process.exitCode = 1;
} finally {
  await cleanups.run();
  cleanups.release();
}
