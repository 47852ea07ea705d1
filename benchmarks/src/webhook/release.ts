// The release wave of `test:load`, against Temporal alone (issue 17): N runs held waiting for a
// signal, then released by C clients at once, each sending its next signal as soon as the last
// was answered. Tandem's side is signalExecution over GraphQL on the held-runs workflow; the
// bare side is client.workflow's signal on the hand-written program's waitForGo workflows, on
// the same Temporal server. The bare side is the floor this machine sets for a signal's latency
// while the runs it releases finish on the same two cores.
import { Client, Connection } from '@temporalio/client';
import { summarize, type Summary } from '../stats.js';
import type { LoadResult, LoadSpec, LoadTarget } from './load-child.js';
import { startUsage, type Measured } from './proc.js';
import { countRuns, SIGNAL_GO, waitForCount, type TandemApi } from './tandem-runs.js';

export interface ReleaseStack {
  tandem: TandemApi & { waitingWorkflowId: string };
  temporalAddress: string;
  /** The hand-written program's task queue; its worker runs `waitForGo`. */
  handwrittenQueue: string;
  /** Named `tandem` (API + worker), `handwritten` and `temporal`. */
  groups: readonly Measured[];
  load(spec: LoadSpec): Promise<LoadResult>;
  progress(message: string): void;
}

export interface ReleaseSideFigures {
  /** Runs held at once before each wave, summed over the rounds. */
  held: number;
  signalsFailed: number;
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
const HOLD_TIMEOUT_MS = 600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Wave {
  held: number;
  signals: LoadResult;
  waveSeconds: number;
  cpuSeconds: number;
  temporalCpuSeconds: number;
}

/** Starts `runs` held Tandem runs and waits until all wait; the ids of those that started. */
async function holdTandem(stack: ReleaseStack, runs: number): Promise<string[]> {
  const { tandem } = stack;
  const started = await stack.load({
    target: {
      kind: 'graphql',
      url: `${tandem.url}/graphql`,
      token: tandem.token,
      query: 'mutation($w: ID!, $i: JSON) { startExecution(workflowId: $w, input: $i) { id } }',
      variables: { w: tandem.waitingWorkflowId, i: {} },
      field: 'startExecution',
    },
    clients: START_CLIENTS,
    total: runs,
  });
  const ids = started.ids.filter(Boolean);
  const waiting = await waitForCount(tandem, tandem.waitingWorkflowId, 'WAITING', ids.length, HOLD_TIMEOUT_MS, 250);
  if (waiting < ids.length) throw new Error(`only ${waiting} of ${ids.length} Tandem runs were waiting after ${HOLD_TIMEOUT_MS / 1_000} s`);
  return ids;
}

/** Starts `runs` waitForGo workflows and waits until each has run its first workflow task (it waits for `go`). */
async function holdBare(stack: ReleaseStack, client: Client, runs: number): Promise<string[]> {
  const started = await stack.load({
    target: { kind: 'temporal-start', address: stack.temporalAddress, taskQueue: stack.handwrittenQueue, workflowType: 'waitForGo', args: [] },
    clients: START_CLIENTS,
    total: runs,
  });
  const ids = started.ids.filter(Boolean);
  const deadline = Date.now() + HOLD_TIMEOUT_MS;
  let pending = ids;
  while (pending.length > 0) {
    if (Date.now() > deadline) throw new Error(`${pending.length} bare workflows had not run their first task after ${HOLD_TIMEOUT_MS / 1_000} s`);
    const stillPending: string[] = [];
    for (let i = 0; i < pending.length; i += 50) {
      const batch = pending.slice(i, i + 50);
      // Started, task scheduled, started and completed: four events once the workflow waits.
      const lengths = await Promise.all(batch.map(async (id) => (await client.workflow.getHandle(id).describe()).historyLength));
      batch.forEach((id, j) => lengths[j]! < 4 && stillPending.push(id));
    }
    pending = stillPending;
    if (pending.length > 0) await sleep(250);
  }
  return ids;
}

async function wave(stack: ReleaseStack, side: Side, client: Client, runs: number, clients: number): Promise<Wave> {
  const { tandem } = stack;
  const completedBefore = side === 'tandem' ? await countRuns(tandem, tandem.waitingWorkflowId, 'COMPLETED') : 0;
  const ids = side === 'tandem' ? await holdTandem(stack, runs) : await holdBare(stack, client, runs);
  // Let the starts' tail (events, history) settle so that the wave is measured alone.
  await sleep(2_000);
  const target: LoadTarget =
    side === 'tandem'
      ? {
          kind: 'graphql',
          url: `${tandem.url}/graphql`,
          token: tandem.token,
          query: SIGNAL_GO,
          variables: {},
          field: 'signalExecution',
          perRequest: ids.map((id) => ({ id })),
        }
      : { kind: 'temporal-signal', address: stack.temporalAddress, signal: 'go', payload: { ok: true }, workflowIds: ids };
  const usage = startUsage(stack.groups);
  const startedAt = performance.now();
  const signals = await stack.load({ target, clients, total: ids.length });
  if (side === 'tandem') {
    const completed = await waitForCount(tandem, tandem.waitingWorkflowId, 'COMPLETED', completedBefore + ids.length, HOLD_TIMEOUT_MS, 100);
    if (completed < completedBefore + ids.length) throw new Error(`only ${completed - completedBefore} of ${ids.length} released Tandem runs completed`);
  } else {
    await Promise.all(ids.map((id) => client.workflow.getHandle(id).result()));
  }
  const waveSeconds = (performance.now() - startedAt) / 1_000;
  const used = usage.stop();
  return {
    held: ids.length,
    signals,
    waveSeconds,
    cpuSeconds: used[side === 'tandem' ? 'tandem' : 'handwritten']!.cpuSeconds,
    temporalCpuSeconds: used.temporal?.cpuSeconds ?? 0,
  };
}

function figures(waves: Wave[]): ReleaseSideFigures {
  const held = waves.reduce((s, w) => s + w.held, 0);
  const samples = waves.flatMap((w) => w.signals.samples);
  const signalSeconds = waves.reduce((s, w) => s + w.signals.seconds, 0);
  return {
    held,
    signalsFailed: waves.reduce((s, w) => s + w.signals.failed, 0),
    signalsPerSecond: samples.length / signalSeconds,
    latency: summarize(samples),
    waveSeconds: waves.map((w) => Math.round(w.waveSeconds * 100) / 100),
    cpuMsPerRun: (1_000 * waves.reduce((s, w) => s + w.cpuSeconds, 0)) / Math.max(1, held),
    temporalCpuMsPerRun: (1_000 * waves.reduce((s, w) => s + w.temporalCpuSeconds, 0)) / Math.max(1, held),
  };
}

/** Two rounds, the order of the sides alternating; each wave releases runs held for it alone. */
export async function releaseWaves(stack: ReleaseStack, runs: number, clients: number): Promise<ReleaseFigures> {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  try {
    const waves: Record<Side, Wave[]> = { tandem: [], bare: [] };
    for (let round = 0; round < 2; round++) {
      for (const side of round === 0 ? (['tandem', 'bare'] as const) : (['bare', 'tandem'] as const)) {
        stack.progress(`release wave, round ${round + 1}/2: ${side}: ${runs} runs held, released by ${clients} clients`);
        const measured = await wave(stack, side, client, runs, clients);
        if (measured.signals.failed > 0) stack.progress(`  ${side}: ${measured.signals.failed} signals failed, e.g. ${measured.signals.errors[0]}`);
        waves[side].push(measured);
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
