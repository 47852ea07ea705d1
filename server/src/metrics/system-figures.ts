import type { EventLag } from '../health/readiness.js';
import { bucketsByLabels, histogramQuantile, type CumulativeBuckets } from './histogram-quantile.js';
import type { ServerMetrics } from './prometheus.js';

/** Latency quantiles in milliseconds (null when nothing was observed), estimated from histogram buckets. */
export interface Quantiles {
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  meanMs: number | null;
}

export interface OperationFigures extends Quantiles {
  /** The root field the operation selects ('multiple', 'invalid'). */
  operation: string;
  /** query, mutation (or unknown when it never resolved). */
  kind: string;
  /** Errors the operation's responses carried. */
  errors: number;
}

export interface ErrorFigures {
  operation: string;
  code: string;
  count: number;
}

export interface TaskQueueFigures {
  name: string;
  /** Tasks waiting (approximate, from Temporal's DescribeTaskQueue). */
  backlog: number;
  workflowPollers: number;
  activityPollers: number;
}

export interface SystemFigures {
  at: Date;
  /** Since when this server's figures are counted (its start). */
  since: Date;
  operations: OperationFigures[];
  errors: ErrorFigures[];
  /** Null when Temporal did not answer in time. */
  taskQueue: TaskQueueFigures | null;
  /** From an event being emitted by the worker to it being stored by this server. */
  eventLag: Quantiles & { waiting: number; oldestWaitingMs: number };
  websocketConnections: { graphql: number; collab: number };
}

export interface SystemSources {
  taskQueue: string;
  describeTaskQueue: () => Promise<{ backlog: number; pollers: Record<string, number> }>;
  websocketConnections: () => Record<string, number>;
  eventLag: () => EventLag;
}

/**
 * The installation's system figures as this API server measures them (the same histograms and
 * counters /metrics exposes, read back): GraphQL latency and errors by operation, the task
 * queue's backlog and pollers, event lag and open websockets.
 */
export async function readSystemFigures(metrics: ServerMetrics, sources: SystemSources, since: Date): Promise<SystemFigures> {
  const [durations, errorValues, lagValues, taskQueue] = await Promise.all([
    metrics.operationDuration.get(),
    metrics.operationErrors.get(),
    metrics.eventLag.get(),
    withTimeout(sources.describeTaskQueue(), 2_000).catch(() => null),
  ]);
  const errors: ErrorFigures[] = errorValues.values
    .map(({ labels, value }) => ({ operation: String(labels.operation), code: String(labels.code), count: value }))
    .filter((e) => e.count > 0)
    .sort((a, b) => b.count - a.count || a.operation.localeCompare(b.operation));
  const errorsOf = (operation: string) => errors.filter((e) => e.operation === operation).reduce((n, e) => n + e.count, 0);
  const operations = [...bucketsByLabels(durations.values, 'tandem_graphql_operation_duration_seconds').values()]
    .map(({ labels, buckets, sum }) => ({
      operation: labels.operation ?? 'invalid',
      kind: labels.kind ?? 'unknown',
      errors: 0,
      ...quantiles(buckets, sum),
    }))
    .filter((o) => o.count > 0)
    .sort((a, b) => b.count - a.count || a.operation.localeCompare(b.operation));
  // An operation's errors are counted once per operation, whatever its kinds.
  for (const name of new Set(operations.map((o) => o.operation))) operations.find((o) => o.operation === name)!.errors = errorsOf(name);
  const lagSeries = [...bucketsByLabels(lagValues.values, 'tandem_event_lag_seconds').values()][0];
  const lag = sources.eventLag();
  const sockets = sources.websocketConnections();
  return {
    at: new Date(),
    since,
    operations,
    errors,
    taskQueue: taskQueue
      ? {
          name: sources.taskQueue,
          backlog: taskQueue.backlog,
          workflowPollers: taskQueue.pollers.workflow ?? 0,
          activityPollers: taskQueue.pollers.activity ?? 0,
        }
      : null,
    eventLag: { ...(lagSeries ? quantiles(lagSeries.buckets, lagSeries.sum) : EMPTY), waiting: lag.waiting, oldestWaitingMs: lag.oldestMs },
    websocketConnections: { graphql: sockets.graphql ?? 0, collab: sockets.collab ?? 0 },
  };
}

const EMPTY: Quantiles = { count: 0, p50Ms: null, p95Ms: null, p99Ms: null, meanMs: null };

/** Quantiles of a histogram in seconds, as milliseconds. */
function quantiles(buckets: CumulativeBuckets, sumSeconds: number): Quantiles {
  const count = buckets.counts[buckets.counts.length - 1] ?? 0;
  const ms = (q: number) => {
    const seconds = histogramQuantile(q, buckets);
    return seconds === null ? null : Math.round(seconds * 1e6) / 1e3;
  };
  return { count, p50Ms: ms(0.5), p95Ms: ms(0.95), p99Ms: ms(0.99), meanMs: count === 0 ? null : Math.round((sumSeconds / count) * 1e6) / 1e3 };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
