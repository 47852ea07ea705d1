// The release wave of `test:load`, against Temporal alone (issue 17): N runs held waiting for a
// signal, then released by C clients at once, each sending its next signal as soon as the last
// was answered. Tandem's side is signalExecution over GraphQL on a held-runs workflow of the
// wave's own; the bare side is client.workflow's signal, from the load generator's process, to
// the hand-written program's waitForGo workflows on the same Temporal server. The bare side is
// the floor this machine sets for a signal's latency while the runs it releases finish on the
// same two cores.
//
// How each side sees its runs complete differs: Tandem's by polling the API's count of the
// wave's completed runs every 250 ms, the bare ones by one `result()` long poll per run.
import { Client, Connection } from '@temporalio/client';
import { orderOfRound } from '../runner.js';
import { summarize, type Summary } from '../stats.js';
import { WAITING_WORKFLOW } from './flow.js';
import type { LoadResult, LoadSpec } from './load-child.js';
import { createDeployedWorkflow } from './processes.js';
import { startUsage, type Measured } from './proc.js';
import { releaseRunsTarget, sleep, startRunsTarget, waitForCount, type TandemApi } from './tandem-runs.js';

export interface ReleaseStack {
  tandem: TandemApi;
  temporalAddress: string;
  /** The hand-written program's task queue; its worker runs `waitForGo`. */
  handwrittenQueue: string;
  /** Named `tandem` (API + worker), `handwritten` and `temporal`. */
  groups: readonly Measured[];
  load(spec: LoadSpec): Promise<LoadResult>;
  progress(message: string): void;
}

export interface ReleaseSideFigures {
  /** Runs held and then released, over both rounds. */
  released: number;
  /** Runs that did not start, or did not wait for their signal in time, over both rounds. */
  notHeld: number;
  signalsFailed: number;
  /** Released runs that had not completed by the deadline. */
  notCompleted: number;
  signalsPerSecond: number;
  /** Each signal's latency, as its client saw it. */
  latency: Summary;
  /** Seconds from the first signal until every released run had completed, per round. */
  waveSeconds: number[];
  /** CPU (user + system) per released run during the waves: the side's own processes, and the Temporal server's. */
  cpuMsPerRun: number;
  temporalCpuMsPerRun: number;
}

export interface ReleaseFigures {
  runs: number;
  clients: number;
  tandem: ReleaseSideFigures;
  bare: ReleaseSideFigures;
  p95Ratio: number;
}

type Side = 'tandem' | 'bare';

/** Clients that start the held runs, as test:load starts them (25 at a time). */
const START_CLIENTS = 25;
const HOLD_TIMEOUT_MS = 300_000;
const COMPLETION_TIMEOUT_MS = 120_000;

interface Wave {
  /** Runs asked to be held. */
  asked: number;
  held: number;
  signals: LoadResult;
  completed: number;
  waveSeconds: number;
  cpuSeconds: number;
  temporalCpuSeconds: number;
}

/** What one side does in a wave: hold runs (their ids), then wait until `ids` (the signalled ones) have completed (how many did). */
interface Sided {
  hold(runs: number): Promise<string[]>;
  release(ids: string[]): LoadSpec['target'];
  completed(ids: string[]): Promise<number>;
  usageGroup: string;
}

/** Tandem: a held-runs workflow of the wave's own, so that its counts are the wave's runs alone. */
async function tandemSide(stack: ReleaseStack, wave: number): Promise<Sided> {
  const { tandem } = stack;
  const workflow = await createDeployedWorkflow(tandem.url, tandem.token, `Release wave ${wave}`, WAITING_WORKFLOW);
  return {
    async hold(runs) {
      const started = await stack.load({ target: startRunsTarget(tandem, workflow.id), clients: START_CLIENTS, total: runs });
      const ids = started.ids.filter(Boolean);
      const waiting = await waitForCount(tandem, workflow.id, 'WAITING', ids.length, HOLD_TIMEOUT_MS, 250);
      if (waiting < ids.length) stack.progress(`  tandem: only ${waiting} of ${ids.length} runs waiting after ${HOLD_TIMEOUT_MS / 1_000} s`);
      return ids;
    },
    release: (ids) => releaseRunsTarget(tandem, ids),
    completed: (ids) => waitForCount(tandem, workflow.id, 'COMPLETED', ids.length, COMPLETION_TIMEOUT_MS, 250),
    usageGroup: 'tandem',
  };
}

/** Bare: waitForGo workflows, held once each has run its first workflow task and has none pending. */
function bareSide(stack: ReleaseStack, client: Client): Sided {
  return {
    async hold(runs) {
      const started = await stack.load({
        target: { kind: 'temporal-start', address: stack.temporalAddress, taskQueue: stack.handwrittenQueue, workflowType: 'waitForGo', args: [] },
        clients: START_CLIENTS,
        total: runs,
      });
      let pending = started.ids.filter(Boolean);
      const waiting: string[] = [];
      const deadline = Date.now() + HOLD_TIMEOUT_MS;
      while (pending.length > 0 && Date.now() < deadline) {
        const stillPending: string[] = [];
        for (let i = 0; i < pending.length; i += 50) {
          const batch = pending.slice(i, i + 50);
          const descriptions = await Promise.all(batch.map((id) => client.workflow.getHandle(id).describe()));
          // Started, task scheduled, started and completed, and no task since: it waits for `go`.
          batch.forEach((id, j) => (descriptions[j]!.historyLength >= 4 && !descriptions[j]!.raw.pendingWorkflowTask ? waiting : stillPending).push(id));
        }
        pending = stillPending;
        if (pending.length > 0) await sleep(250);
      }
      if (pending.length > 0) stack.progress(`  bare: ${pending.length} workflows not waiting after ${HOLD_TIMEOUT_MS / 1_000} s`);
      return waiting;
    },
    release: (ids) => ({ kind: 'temporal-signal', address: stack.temporalAddress, signal: 'go', payload: { ok: true }, workflowIds: ids }),
    async completed(ids) {
      let done = 0;
      const all = Promise.all(
        ids.map((id) =>
          client.workflow
            .getHandle(id)
            .result()
            .then(() => done++),
        ),
      );
      // A timer of its own, cleared after: a pending one would keep the benchmark's process alive.
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, COMPLETION_TIMEOUT_MS)));
      await Promise.race([all, deadline]).finally(() => clearTimeout(timer));
      return done;
    },
    usageGroup: 'handwritten',
  };
}

async function wave(stack: ReleaseStack, side: Sided, runs: number, clients: number): Promise<Wave> {
  const ids = await side.hold(runs);
  // Let the starts' tail (events, history) settle so that the wave is measured alone.
  await sleep(2_000);
  const usage = startUsage(stack.groups);
  const startedAt = performance.now();
  const signals = await stack.load({ target: side.release(ids), clients, total: ids.length });
  const completed = await side.completed(signals.ids.filter(Boolean));
  const waveSeconds = (performance.now() - startedAt) / 1_000;
  const used = usage.stop();
  return {
    asked: runs,
    held: ids.length,
    signals,
    completed,
    waveSeconds,
    cpuSeconds: used[side.usageGroup]!.cpuSeconds,
    temporalCpuSeconds: used.temporal?.cpuSeconds ?? 0,
  };
}

function figures(waves: Wave[]): ReleaseSideFigures {
  const released = waves.reduce((s, w) => s + w.held, 0);
  const samples = waves.flatMap((w) => w.signals.samples);
  const signalSeconds = waves.reduce((s, w) => s + w.signals.seconds, 0);
  return {
    released,
    notHeld: waves.reduce((s, w) => s + w.asked - w.held, 0),
    signalsFailed: waves.reduce((s, w) => s + w.signals.failed, 0),
    notCompleted: waves.reduce((s, w) => s + w.signals.ok - w.completed, 0),
    signalsPerSecond: signalSeconds > 0 ? samples.length / signalSeconds : 0,
    latency: summarize(samples),
    waveSeconds: waves.map((w) => Math.round(w.waveSeconds * 100) / 100),
    cpuMsPerRun: (1_000 * waves.reduce((s, w) => s + w.cpuSeconds, 0)) / Math.max(1, released),
    temporalCpuMsPerRun: (1_000 * waves.reduce((s, w) => s + w.temporalCpuSeconds, 0)) / Math.max(1, released),
  };
}

/** Two rounds, the order of the sides alternating; each wave releases runs held for it alone. */
export async function releaseWaves(stack: ReleaseStack, runs: number, clients: number): Promise<ReleaseFigures> {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  try {
    const waves: Record<Side, Wave[]> = { tandem: [], bare: [] };
    for (let round = 0; round < 2; round++) {
      for (const name of orderOfRound(['tandem', 'bare'] as const, round)) {
        stack.progress(`release wave, round ${round + 1}/2: ${name}: ${runs} runs held, released by ${clients} clients`);
        const side = name === 'tandem' ? await tandemSide(stack, round + 1) : bareSide(stack, client);
        const measured = await wave(stack, side, runs, clients);
        if (measured.signals.failed > 0) stack.progress(`  ${name}: ${measured.signals.failed} signals failed, e.g. ${measured.signals.errors[0]}`);
        if (measured.completed < measured.signals.ok) stack.progress(`  ${name}: ${measured.signals.ok - measured.completed} released runs not completed`);
        waves[name].push(measured);
        await sleep(3_000);
      }
    }
    const tandem = figures(waves.tandem);
    const bare = figures(waves.bare);
    return { runs, clients, tandem, bare, p95Ratio: tandem.latency.p95 / bare.latency.p95 };
  } finally {
    await connection.close();
  }
}
