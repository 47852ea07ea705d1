import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CountedChange } from './count-events.js';

/** Seconds: from a fast GraphQL read to a slow run. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10];
const RUN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400];

/** What is read at scrape time from elsewhere in the server (each may fail: that figure is then left out). */
export interface ScrapeSources {
  websocketConnections?: () => Record<string, number>;
  taskQueue?: () => Promise<{ backlog: number; pollers: Record<string, number> }>;
  runsInProgress?: () => Promise<{ byStatus: Record<string, number>; oldestWaitingSeconds: number }>;
  dependencies?: Record<string, () => Promise<unknown>>;
}

/**
 * The API server's Prometheus figures. Labels are of bounded cardinality only: a GraphQL root
 * field (the schema's own names), a node type (the catalogue's), a status, an error code; never
 * a workflow, execution or user id, nor anything else a client sends.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  /** Read back by systemMetrics (system-figures.ts) as well as scraped. */
  readonly operationDuration = new Histogram({
    name: 'tandem_graphql_operation_duration_seconds',
    help: 'GraphQL operations over HTTP, by root field and kind (query, mutation)',
    labelNames: ['operation', 'kind'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly operationErrors = new Counter({
    name: 'tandem_graphql_errors_total',
    help: 'Errors returned by GraphQL operations, by root field and error code',
    labelNames: ['operation', 'code'] as const,
    registers: [this.registry],
  });
  private readonly runsStarted = new Counter({ name: 'tandem_runs_started_total', help: 'Runs started', registers: [this.registry] });
  private readonly runsFinished = new Counter({
    name: 'tandem_runs_finished_total',
    help: 'Runs ended, by status (COMPLETED, FAILED, CANCELLED)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  private readonly runDuration = new Histogram({
    name: 'tandem_run_duration_seconds',
    help: 'From the start request to the end of a run, by status',
    labelNames: ['status'] as const,
    buckets: RUN_BUCKETS,
    registers: [this.registry],
  });
  private readonly stepDuration = new Histogram({
    name: 'tandem_step_duration_seconds',
    help: 'Step durations, by node type and status',
    labelNames: ['node_type', 'status'] as const,
    buckets: RUN_BUCKETS,
    registers: [this.registry],
  });
  private readonly stepRetries = new Counter({
    name: 'tandem_step_retries_total',
    help: 'Step retries, by node type',
    labelNames: ['node_type'] as const,
    registers: [this.registry],
  });
  readonly eventLag = new Histogram({
    name: 'tandem_event_lag_seconds',
    help: 'From an execution event being emitted by the worker to it being stored by this server',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  /** `processMetrics: false` leaves out Node's process figures (their event-loop and GC observers run from the start). */
  constructor(sources: ScrapeSources = {}, options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    // Each status's series exists from the start at 0: Prometheus's rate() counts no increase
    // into a series' first sample, so a status first seen at 1 would lose that run.
    for (const status of ['COMPLETED', 'FAILED', 'CANCELLED']) this.runsFinished.inc({ status }, 0);
    const { websocketConnections, taskQueue, runsInProgress, dependencies } = sources;
    new Gauge({
      name: 'tandem_websocket_connections',
      help: 'Open websocket connections, by endpoint (graphql, collab)',
      labelNames: ['endpoint'] as const,
      registers: [this.registry],
      collect() {
        if (!websocketConnections) return;
        for (const [endpoint, count] of Object.entries(websocketConnections())) this.set({ endpoint }, count);
      },
    });
    const backlog = new Gauge({
      name: 'tandem_task_queue_backlog',
      help: "Tasks waiting in the installation's task queue (approximate, from Temporal)",
      registers: [this.registry],
    });
    new Gauge({
      name: 'tandem_task_queue_pollers',
      help: "Workers polling the installation's task queue, by task type (workflow, activity)",
      labelNames: ['type'] as const,
      registers: [this.registry],
      async collect() {
        if (!taskQueue) return;
        const described = await settle(taskQueue());
        if (!described) return;
        backlog.set(described.backlog);
        for (const [type, count] of Object.entries(described.pollers)) this.set({ type }, count);
      },
    });
    const oldestWaiting = new Gauge({
      name: 'tandem_runs_waiting_oldest_seconds',
      help: 'How long the longest-waiting run (status WAITING) has waited',
      registers: [this.registry],
    });
    new Gauge({
      name: 'tandem_runs_in_progress',
      help: 'Runs not ended, by status (RUNNING, WAITING, PAUSED)',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        if (!runsInProgress) return;
        const figures = await settle(runsInProgress());
        if (!figures) return;
        for (const status of ['RUNNING', 'WAITING', 'PAUSED']) this.set({ status }, figures.byStatus[status] ?? 0);
        oldestWaiting.set(figures.oldestWaitingSeconds);
      },
    });
    new Gauge({
      name: 'tandem_dependency_up',
      help: 'Whether a dependency answers, as /readyz checks it (1 up, 0 down)',
      labelNames: ['dependency'] as const,
      registers: [this.registry],
      async collect() {
        await Promise.all(
          Object.entries(dependencies ?? {}).map(async ([dependency, check]) => {
            const ok = await settle(check().then(() => true));
            this.set({ dependency }, ok ? 1 : 0);
          }),
        );
      },
    });
  }

  /** One GraphQL operation over HTTP: `operation` must be a root field name (or 'multiple', 'invalid'). */
  observeOperation(operation: string, kind: string, seconds: number, errorCodes: readonly string[]): void {
    this.operationDuration.observe({ operation, kind }, seconds);
    for (const code of errorCodes) this.operationErrors.inc({ operation, code });
  }

  observeEventLag(seconds: number): void {
    if (Number.isFinite(seconds)) this.eventLag.observe(Math.max(0, seconds));
  }

  /** Runs and steps as the metrics tables counted them (once each, whichever server counted them). */
  observeCounted(change: CountedChange): void {
    if (change.started > 0) this.runsStarted.inc(change.started);
    for (const run of change.finished) {
      this.runsFinished.inc({ status: run.status });
      if (run.status !== 'CANCELLED') this.runDuration.observe({ status: run.status }, run.durationMs / 1000);
    }
    for (const step of change.steps) this.stepDuration.observe({ node_type: step.nodeType, status: step.status }, step.durationMs / 1000);
    for (const retry of change.retries) this.stepRetries.inc({ node_type: retry.nodeType });
  }
}

/** A scrape must not fail because one source is down: that figure is left out (and alerted on through tandem_dependency_up). */
async function settle<T>(promise: Promise<T>, ms = 2_000): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
