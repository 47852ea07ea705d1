import type { EmittedEvent } from '@tandem/schema';
import { processLog, type Logger } from '@tandem/worker';
import { Execution, Workflow, WorkflowVersion, type User } from '../db/entities.js';
import { knexOf, type Database } from '../db/orm.js';
import { badInput } from '../errors.js';
import { addFigures, emptyFigures, MINUTE, type BucketFigures } from '../metrics/buckets.js';
import { MetricsStore } from '../metrics/metrics-store.js';
import type { ServerMetrics } from '../metrics/prometheus.js';
import { SKETCH_RELATIVE_ACCURACY } from '../metrics/sketch.js';
import type { AccessService } from './access.js';

export interface MetricsOptions {
  /** Counted events reach the tables (and live dashboards) this often. */
  flushMs: number;
  /** Buckets older than this are deleted. */
  retentionMs: number;
  /** Minute buckets older than this are rolled up into hours. */
  rollUpAfterMs: number;
  /** Where counting and maintenance failures are logged; the process's logger by default. */
  logger?: Logger;
}

export const DEFAULT_METRICS_OPTIONS: MetricsOptions = { flushMs: 1_000, retentionMs: 30 * 86_400_000, rollUpAfterMs: 86_400_000 };

/** Figures of a time window (a point of a series, or a whole range). Durations in milliseconds. */
export interface MetricsFigures {
  at: Date;
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  retries: number;
  /** completed / (completed + failed); null when none ended so. */
  successRate: number | null;
  durationP50: number | null;
  durationP95: number | null;
  durationP99: number | null;
  durationMean: number | null;
  firstStepP50: number | null;
  firstStepP95: number | null;
}

export interface NodeMetrics {
  workflowId: string;
  workflowName: string;
  nodeId: string;
  nodeType: string;
  totals: MetricsFigures;
  points: MetricsFigures[];
}

export interface DeployMark {
  version: number;
  at: Date;
  message: string;
}

export interface InProgress {
  running: number;
  waiting: number;
  paused: number;
}

export interface WorkflowMetrics {
  workflowId: string;
  from: Date;
  to: Date;
  /** Seconds per point. */
  step: number;
  points: MetricsFigures[];
  totals: MetricsFigures;
  nodes: NodeMetrics[];
  deploys: DeployMark[];
  inProgress: InProgress;
  sketchRelativeAccuracy: number;
}

export interface WorkflowSummary {
  workflowId: string;
  workflowName: string;
  totals: MetricsFigures;
}

export interface MetricsOverview {
  from: Date;
  to: Date;
  step: number;
  points: MetricsFigures[];
  totals: MetricsFigures;
  inProgress: InProgress;
  workflows: WorkflowSummary[];
  topFailingWorkflows: WorkflowSummary[];
  topFailingNodes: NodeMetrics[];
  slowestNodes: NodeMetrics[];
  sketchRelativeAccuracy: number;
}

export interface MetricsUpdate {
  workflowIds: string[];
  at: Date;
}

/** Most points a series may have. */
export const MAX_POINTS = 1_440;
/** Longest range a query may cover. */
const MAX_RANGE_MS = 400 * 86_400_000;

/**
 * Tandem's own metrics: events noted by ingest are counted into the metrics tables in batches
 * (never on the event's own path), minute buckets roll up into hours and expire, and the
 * figures are read back per workflow and across a user's workflows, with live updates.
 */
export class MetricsService {
  readonly store: MetricsStore;
  private pending = new Set<string>();
  private flushing: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | undefined;
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(workflowIds: ReadonlySet<string>) => void>();
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly access: AccessService,
    private readonly prometheus: ServerMetrics,
    private readonly options: MetricsOptions = DEFAULT_METRICS_OPTIONS,
  ) {
    this.store = new MetricsStore(db);
  }

  private get log(): Logger {
    return this.options.logger ?? processLog();
  }

  /** Counts what runs that moved lately may have left uncounted (a stop between storing and counting), then keeps the tables tidy. */
  start(): void {
    void this.catchUp().catch((error: unknown) => this.log.error({ err: error }, 'metrics catch-up failed'));
    this.maintenanceTimer = setInterval(
      () => void this.maintain().catch((error: unknown) => this.log.error({ err: error }, 'metrics maintenance failed')),
      600_000,
    );
    this.maintenanceTimer.unref();
    void this.maintain().catch((error: unknown) => this.log.error({ err: error }, 'metrics maintenance failed'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.maintenanceTimer);
    clearTimeout(this.flushTimer);
    await this.flush();
  }

  /** Called by ingest for each stored event: a set insert and a histogram observation, nothing more. */
  stored(event: EmittedEvent): void {
    this.prometheus.observeEventLag((Date.now() - Date.parse(event.at)) / 1000);
    this.pending.add(event.executionId);
    if (!this.flushTimer && !this.stopped) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        void this.flush();
      }, this.options.flushMs);
      this.flushTimer.unref();
    }
  }

  /** Counts everything noted so far (tests call it to skip the wait). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      while (this.pending.size > 0) {
        const batch = [...this.pending].slice(0, 200);
        for (const id of batch) this.pending.delete(id);
        try {
          const result = await this.store.count(batch);
          for (const change of result.changes) this.prometheus.observeCounted(change);
          if (result.workflowIds.size > 0) for (const listener of this.listeners) listener(result.workflowIds);
        } catch (error) {
          this.log.error({ err: error }, 'counting metrics failed (retried with the next batch)');
          for (const id of batch) this.pending.add(id);
          return;
        }
      }
    });
    return this.flushing;
  }

  private async catchUp(): Promise<void> {
    const since = new Date(Date.now() - this.options.rollUpAfterMs);
    const em = this.db.em.fork();
    let after = '';
    for (;;) {
      const rows = await em.find(Execution, { updatedAt: { $gte: since }, id: { $gt: after } }, { fields: ['id'], orderBy: { id: 'asc' }, limit: 1_000 });
      if (rows.length === 0) break;
      for (const row of rows) this.pending.add(row.id);
      after = rows.at(-1)!.id;
      await this.flush();
    }
  }

  async maintain(now = Date.now()): Promise<void> {
    await this.store.rollUp(now - this.options.rollUpAfterMs);
    await this.store.prune(now - this.options.retentionMs);
  }

  async workflowMetrics(user: User, workflowId: string, from: Date, to: Date, step?: number | null, version?: number | null): Promise<WorkflowMetrics> {
    const { workflow } = await this.access.require(user, workflowId, 'VIEWER');
    const range = checkRange(from, to, step);
    const buckets = await this.store.read([workflow.id], range.from, range.to, { nodes: true, versionNumber: version ?? undefined });
    const names = new Map([[workflow.id, workflow.name]]);
    const runs = buckets.filter((b) => b.nodeId === '');
    const versions = await this.db.em
      .fork()
      .find(
        WorkflowVersion,
        { workflowId: workflow.id, createdAt: { $gte: from, $lt: to } },
        { fields: ['number', 'createdAt', 'message'], orderBy: { number: 'asc' } },
      );
    return {
      workflowId: workflow.id,
      from,
      to,
      step: range.step,
      points: series(runs, range),
      totals: summarize(runs, from),
      nodes: nodesOf(
        buckets.filter((b) => b.nodeId !== ''),
        names,
        range,
      ),
      deploys: versions.map((v) => ({ version: v.number, at: v.createdAt, message: v.message })),
      inProgress: (await this.inProgress([workflow.id])).get(workflow.id) ?? { running: 0, waiting: 0, paused: 0 },
      sketchRelativeAccuracy: SKETCH_RELATIVE_ACCURACY,
    };
  }

  async overview(user: User, from: Date, to: Date, step?: number | null, limit = 5): Promise<MetricsOverview> {
    const range = checkRange(from, to, step);
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw badInput(`limit must be a whole number from 1 to 50 (got ${limit})`);
    const workflows = await this.visibleWorkflows(user);
    const names = new Map(workflows.map((w) => [w.id, w.name]));
    const buckets = await this.store.read([...names.keys()], range.from, range.to, { nodes: true });
    const runs = buckets.filter((b) => b.nodeId === '');
    const perWorkflow = [...groupBy(runs, (b) => b.workflowId)].map(([workflowId, own]) => ({
      workflowId,
      workflowName: names.get(workflowId) ?? '',
      totals: summarize(own, from),
    }));
    const nodes = nodesOf(
      buckets.filter((b) => b.nodeId !== ''),
      names,
      range,
    );
    const inProgress = [...(await this.inProgress([...names.keys()])).values()].reduce(
      (sum, p) => ({ running: sum.running + p.running, waiting: sum.waiting + p.waiting, paused: sum.paused + p.paused }),
      { running: 0, waiting: 0, paused: 0 },
    );
    return {
      from,
      to,
      step: range.step,
      points: series(runs, range),
      totals: summarize(runs, from),
      inProgress,
      workflows: perWorkflow.sort((a, b) => b.totals.started - a.totals.started || a.workflowName.localeCompare(b.workflowName)),
      topFailingWorkflows: perWorkflow
        .filter((w) => w.totals.failed > 0)
        .sort((a, b) => b.totals.failed - a.totals.failed)
        .slice(0, limit),
      topFailingNodes: nodes
        .filter((n) => n.totals.failed > 0)
        .sort((a, b) => b.totals.failed - a.totals.failed)
        .slice(0, limit),
      slowestNodes: nodes
        .filter((n) => n.totals.durationP95 !== null)
        .sort((a, b) => b.totals.durationP95! - a.totals.durationP95!)
        .slice(0, limit),
      sketchRelativeAccuracy: SKETCH_RELATIVE_ACCURACY,
    };
  }

  /** Live: which of the workflows the user may see (or only `only`, whose access the caller checked) have new figures. */
  async *updates(user: User, only?: string): AsyncGenerator<MetricsUpdate> {
    const pending = new Set<string>();
    let wake: (() => void) | undefined;
    const listener = (ids: ReadonlySet<string>) => {
      for (const id of ids) if (!only || id === only) pending.add(id);
      if (pending.size > 0) wake?.();
    };
    this.listeners.add(listener);
    try {
      for (;;) {
        if (pending.size === 0) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const ids = [...pending];
        pending.clear();
        // Access is checked as each update goes out: a workflow unshared since is not named.
        const allowed = only ? ids : await this.filterVisible(user, ids);
        if (allowed.length > 0) yield { workflowIds: allowed, at: new Date() };
      }
    } finally {
      this.listeners.delete(listener);
    }
  }

  private async filterVisible(user: User, ids: string[]): Promise<string[]> {
    const where = await this.access.visibleWhere(user.id);
    const rows = await this.db.em.fork().find(Workflow, { $and: [where, { id: { $in: ids } }] }, { fields: ['id'] });
    return rows.map((r) => r.id);
  }

  private async visibleWorkflows(user: User): Promise<Array<{ id: string; name: string }>> {
    const where = await this.access.visibleWhere(user.id);
    return this.db.em.fork().find(Workflow, where, { fields: ['id', 'name'] });
  }

  /** Runs not ended, per workflow. */
  async inProgress(workflowIds: string[]): Promise<Map<string, InProgress>> {
    const result = new Map<string, InProgress>();
    if (workflowIds.length === 0) return result;
    const rows = (await knexOf(this.db)('executions')
      .whereIn('workflow_id', workflowIds)
      .whereIn('status', ['RUNNING', 'WAITING', 'PAUSED'])
      .groupBy('workflow_id', 'status')
      .select('workflow_id', 'status')
      .count({ n: '*' })) as Array<{ workflow_id: string; status: string; n: number | string }>;
    for (const row of rows) {
      const entry = result.get(row.workflow_id) ?? { running: 0, waiting: 0, paused: 0 };
      entry[row.status.toLowerCase() as keyof InProgress] = Number(row.n);
      result.set(row.workflow_id, entry);
    }
    return result;
  }
}

interface Range {
  from: number;
  to: number;
  step: number;
}

function checkRange(from: Date, to: Date, step: number | null | undefined): Range {
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw badInput('from and to must be valid times');
  const span = to.getTime() - from.getTime();
  if (span <= 0) throw badInput(`"to" (${to.toISOString()}) must be after "from" (${from.toISOString()})`);
  if (span > MAX_RANGE_MS) throw badInput('a metrics range covers at most 400 days');
  // By default about 120 points, a whole number of minutes each.
  const chosen = step ?? Math.max(MINUTE, Math.ceil(span / 1000 / 120 / MINUTE) * MINUTE);
  if (!Number.isInteger(chosen) || chosen < MINUTE || chosen % MINUTE !== 0)
    throw badInput(`step must be a whole number of minutes in seconds (60, 300, 3600…; got ${chosen})`);
  if (span / 1000 / chosen > MAX_POINTS)
    throw badInput(
      `from, to and step give more than ${MAX_POINTS} points: use a larger step (at least ${Math.ceil(span / 1000 / MAX_POINTS / MINUTE) * MINUTE} s)`,
    );
  return { from: from.getTime(), to: to.getTime(), step: chosen };
}

/** Buckets into consecutive windows of `step` seconds from `from` (an hour bucket lands in the window holding its start). */
function series(buckets: readonly BucketFigures[], range: Range): MetricsFigures[] {
  const count = Math.ceil((range.to - range.from) / 1000 / range.step);
  const windows = Array.from({ length: count }, () => [] as BucketFigures[]);
  for (const b of buckets) windows[Math.floor((b.bucketStart - range.from) / 1000 / range.step)]?.push(b);
  return windows.map((own, i) => summarize(own, new Date(range.from + i * range.step * 1000)));
}

function summarize(buckets: readonly BucketFigures[], at: Date): MetricsFigures {
  const all = emptyFigures({ workflowId: '', versionNumber: 0, nodeId: '', nodeType: '', resolution: 0, bucketStart: 0 });
  for (const b of buckets) addFigures(all, b);
  const ended = all.completed + all.failed;
  return {
    at,
    started: all.started,
    completed: all.completed,
    failed: all.failed,
    cancelled: all.cancelled,
    retries: all.retries,
    successRate: ended === 0 ? null : all.completed / ended,
    durationP50: all.duration.quantile(0.5),
    durationP95: all.duration.quantile(0.95),
    durationP99: all.duration.quantile(0.99),
    durationMean: all.duration.count === 0 ? null : all.duration.sum / all.duration.count,
    firstStepP50: all.firstStep.quantile(0.5),
    firstStepP95: all.firstStep.quantile(0.95),
  };
}

function nodesOf(buckets: readonly BucketFigures[], names: ReadonlyMap<string, string>, range: Range): NodeMetrics[] {
  return [...groupBy(buckets, (b) => `${b.workflowId}\u0000${b.nodeId}`).values()].map((own) => ({
    workflowId: own[0]!.workflowId,
    workflowName: names.get(own[0]!.workflowId) ?? '',
    nodeId: own[0]!.nodeId,
    nodeType: own.at(-1)!.nodeType,
    totals: summarize(own, new Date(range.from)),
    points: series(own, range),
  }));
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
