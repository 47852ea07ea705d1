// `npm run workflow -- replay <executionId>` and `npm run workflow -- replay-check`: replay runs'
// Temporal histories against the current worker build before rolling it out (docs/engine.md).
import { Client, Connection, type WorkflowExecutionInfo } from '@temporalio/client';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { INTERPRETER_WORKFLOW, interpreterWorkflowId, replayInterpreterHistories, type HistoryToReplay, type ReplayVerdict } from '@tandem/worker';

/** A run's verdict, with what the listing said of it (replay-check). */
export interface ReplayRow extends ReplayVerdict {
  /** The run's status when it was listed or described (RUNNING, COMPLETED, CONTINUED_AS_NEW, …). */
  status?: string;
}

export interface ReplayReport {
  rows: ReplayRow[];
  /** True when every history replayed without error. */
  ok: boolean;
}

export interface ReplayOptions {
  /** The workflow bundle to replay against; default: the one a worker of this build runs. */
  workflowBundle?: WorkflowBundleOption;
  /** Called once per history replayed, in order, with its position (1-based) and the total. */
  onResult?: (row: ReplayRow, index: number, total: number) => void;
}

/**
 * The Temporal workflow id to replay: `target` itself when `raw` (a workflow id, e.g. a
 * Schedule's `tandem-s-…` run) or when it already is a Tandem workflow id (`tandem-…`), else
 * the workflow id Tandem gives the run of that execution id.
 */
export function workflowIdOf(target: string, raw = false): string {
  return raw || target.startsWith('tandem-') ? target : interpreterWorkflowId(target);
}

/**
 * The histories of a workflow's runs, oldest first: the current (latest) run and, following
 * each run's `continuedExecutionRunId` back, the runs of its continue-as-new chain before it,
 * at most `maxRuns` in all (the newest ones).
 */
export async function fetchRunHistories(client: Client, workflowId: string, maxRuns = 100): Promise<HistoryToReplay[]> {
  const { runId } = await client.workflow.getHandle(workflowId).describe();
  const histories: HistoryToReplay[] = [];
  let next: string | undefined = runId;
  while (next && histories.length < maxRuns) {
    const history = await client.workflow.getHandle(workflowId, next).fetchHistory();
    histories.unshift({ workflowId, runId: next, history });
    next = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return histories;
}

/** Replays every run of one workflow (`replay`): see fetchRunHistories. */
export async function replayWorkflow(client: Client, workflowId: string, options: ReplayOptions & { maxRuns?: number } = {}): Promise<ReplayReport> {
  const histories = await fetchRunHistories(client, workflowId, options.maxRuns);
  return replayAll(histories, new Map(), options);
}

/**
 * The `limit` most recently started interpreter runs (open and closed; each run of a
 * continue-as-new chain is one), newest first, optionally only those of one task queue.
 */
export async function listInterpreterRuns(client: Client, options: { limit: number; taskQueue?: string }): Promise<WorkflowExecutionInfo[]> {
  let query = `WorkflowType = '${escapeQueryString(INTERPRETER_WORKFLOW)}'`;
  if (options.taskQueue) query += ` AND TaskQueue = '${escapeQueryString(options.taskQueue)}'`;
  const runs: WorkflowExecutionInfo[] = [];
  if (options.limit <= 0) return runs;
  for await (const info of client.workflow.list({ query, pageSize: Math.min(options.limit, 1_000) })) {
    runs.push(info);
    if (runs.length >= options.limit) break;
  }
  return runs;
}

/** `replay-check`: replays the `limit` most recent interpreter runs (listInterpreterRuns). */
export async function replayCheck(client: Client, options: ReplayOptions & { limit: number; taskQueue?: string }): Promise<ReplayReport> {
  const runs = await listInterpreterRuns(client, options);
  const statuses = new Map(runs.map((r) => [r.runId, r.status.name]));
  async function* histories(): AsyncGenerator<HistoryToReplay> {
    // One at a time, as the replayer asks: an operator's namespace may hold long histories.
    for (const run of runs)
      yield { workflowId: run.workflowId, runId: run.runId, history: await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory() };
  }
  return replayAll(histories(), statuses, options, runs.length);
}

async function replayAll(
  histories: HistoryToReplay[] | AsyncIterable<HistoryToReplay>,
  statuses: Map<string, string>,
  options: ReplayOptions,
  total = Array.isArray(histories) ? histories.length : 0,
): Promise<ReplayReport> {
  const rows: ReplayRow[] = [];
  for await (const verdict of replayInterpreterHistories(histories, options.workflowBundle ? { workflowBundle: options.workflowBundle } : {})) {
    const status = statuses.get(verdict.runId);
    const row: ReplayRow = status ? { ...verdict, status } : verdict;
    rows.push(row);
    options.onResult?.(row, rows.length, total);
  }
  return { rows, ok: rows.every((r) => r.verdict === 'ok') };
}

/** One line per run: `OK`, `NON-DETERMINISM: <message>` or `FAILED: <message>`. */
export function describeRow(row: ReplayRow): string {
  const what = row.verdict === 'ok' ? 'OK' : `${row.verdict === 'nondeterminism' ? 'NON-DETERMINISM' : 'FAILED'}: ${row.message ?? ''}`;
  return `${row.workflowId} ${row.runId}${row.status ? ` (${row.status})` : ''}: ${what}`;
}

/** The summary table replay-check prints: one row per run, then the counts. */
export function summaryTable(rows: ReplayRow[]): string {
  const header = ['workflow id', 'run id', 'status', 'replay'];
  const cells = rows.map((r) => [
    r.workflowId,
    r.runId,
    r.status ?? '',
    r.verdict === 'ok' ? 'OK' : r.verdict === 'nondeterminism' ? 'NON-DETERMINISM' : 'FAILED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const count = (v: ReplayVerdict['verdict']) => rows.filter((r) => r.verdict === v).length;
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    '',
    `${rows.length} run${rows.length === 1 ? '' : 's'} replayed: ${count('ok')} OK, ${count('nondeterminism')} non-deterministic, ${count('failed')} failed`,
  ].join('\n');
}

export const REPLAY_USAGE = `  npm run workflow -- replay <executionId> [--namespace <ns>] [--bundle <file>] [--max-runs <n>]
  npm run workflow -- replay --workflow-id <temporal workflow id> [--namespace <ns>] [--bundle <file>] [--max-runs <n>]
  npm run workflow -- replay-check [--limit <n>] [--namespace <ns>] [--task-queue <queue>] [--bundle <file>]`;

export interface ReplayCommandContext {
  /** Temporal's gRPC address. */
  address: string;
  namespace: string;
  /** Where results go (stdout). */
  log: (line: string) => void;
  /** Where progress and usage errors go (stderr). */
  progress: (line: string) => void;
}

/**
 * Runs `replay` or `replay-check` with their arguments (after the command name). Exit code:
 * 0 when every history replayed, 1 when any is non-deterministic or failed (or the run is not
 * found), 2 on usage errors.
 */
export async function runReplayCommand(command: 'replay' | 'replay-check', args: string[], context: ReplayCommandContext): Promise<number> {
  let flags: ReplayFlags;
  try {
    flags = parseReplayFlags(command, args);
  } catch (error) {
    context.progress(`${(error as Error).message}\nusage:\n${REPLAY_USAGE}`);
    return 2;
  }
  const connection = await Connection.connect({ address: context.address });
  try {
    const client = new Client({ connection, namespace: flags.namespace ?? context.namespace });
    const options: ReplayOptions = flags.bundle ? { workflowBundle: { codePath: flags.bundle } } : {};
    let report: ReplayReport;
    if (command === 'replay') {
      const workflowId = flags.workflowId ?? workflowIdOf(flags.target!);
      report = await replayWorkflow(client, workflowId, {
        ...options,
        ...(flags.maxRuns !== undefined ? { maxRuns: flags.maxRuns } : {}),
        onResult: (row) => context.log(describeRow(row)),
      });
    } else {
      context.progress(`Listing the ${flags.limit} most recent interpreter runs${flags.taskQueue ? ` on task queue "${flags.taskQueue}"` : ''}...`);
      report = await replayCheck(client, {
        ...options,
        limit: flags.limit,
        ...(flags.taskQueue ? { taskQueue: flags.taskQueue } : {}),
        onResult: (row, index, total) => context.progress(`${index}/${total} ${describeRow(row)}`),
      });
      context.log(summaryTable(report.rows));
      for (const row of report.rows.filter((r) => r.verdict !== 'ok')) context.log(describeRow(row));
    }
    if (!report.ok) context.progress('Replay found runs this build would break: do not roll it out while they are in flight (docs/engine.md).');
    return report.ok ? 0 : 1;
  } catch (error) {
    context.progress(`replay failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await connection.close();
  }
}

interface ReplayFlags {
  target?: string;
  workflowId?: string;
  namespace?: string;
  bundle?: string;
  taskQueue?: string;
  maxRuns?: number;
  limit: number;
}

function parseReplayFlags(command: 'replay' | 'replay-check', args: string[]): ReplayFlags {
  const flags: ReplayFlags = { limit: 50 };
  const count = (flag: string, value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive whole number, not "${value}"`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      if (command !== 'replay' || flags.target !== undefined) throw new Error(`unexpected argument "${arg}"`);
      flags.target = arg;
      continue;
    }
    const value = args[++i];
    if (value === undefined) throw new Error(`${arg} needs a value`);
    if (arg === '--namespace') flags.namespace = value;
    else if (arg === '--bundle') flags.bundle = value;
    else if (arg === '--workflow-id' && command === 'replay') flags.workflowId = value;
    else if (arg === '--max-runs' && command === 'replay') flags.maxRuns = count(arg, value);
    else if (arg === '--limit' && command === 'replay-check') flags.limit = count(arg, value);
    else if (arg === '--task-queue' && command === 'replay-check') flags.taskQueue = value;
    else throw new Error(`unknown option ${arg}`);
  }
  if (command === 'replay' && (flags.target === undefined) === (flags.workflowId === undefined))
    throw new Error('replay needs an execution id or --workflow-id <id> (one of them)');
  return flags;
}

function escapeQueryString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}
