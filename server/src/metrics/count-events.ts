import { bucketStartOf, MINUTE, type BucketSet } from './buckets.js';

/** The event types that move a figure; the others are never read for metrics. */
export const COUNTED_EVENT_TYPES = [
  'EXECUTION_STARTED',
  'STEP_STARTED',
  'STEP_COMPLETED',
  'STEP_FAILED',
  'STEP_RETRYING',
  'EXECUTION_COMPLETED',
  'EXECUTION_FAILED',
  'EXECUTION_CANCELLED',
] as const;

export interface CountedRun {
  workflowId: string;
  versionNumber: number;
  /** When the start was requested (the execution row's startedAt). */
  startedAt: Date;
  /** Node id → node type in the version the run runs. */
  nodeTypes: ReadonlyMap<string, string>;
  /** Whether the first STEP_STARTED was already counted (time to first step). */
  firstStepCounted: boolean;
}

export interface CountedEvent {
  sequence: number;
  type: string;
  nodeId?: string | null | undefined;
  at: Date;
  data: unknown;
}

/** What one run's newly counted events did, also for the Prometheus counters (bounded labels only). */
export interface CountedChange {
  started: number;
  finished: Array<{ status: 'COMPLETED' | 'FAILED' | 'CANCELLED'; durationMs: number }>;
  steps: Array<{ nodeType: string; status: 'COMPLETED' | 'FAILED'; durationMs: number }>;
  retries: Array<{ nodeType: string }>;
}

/**
 * Adds a run's events (in sequence order, all after what was counted before) into minute
 * buckets: the run's own row (nodeId '') and one row per node. Returns whether the first step
 * has now been counted, and what changed.
 */
export function countRunEvents(run: CountedRun, events: readonly CountedEvent[], into: BucketSet): { firstStepCounted: boolean; change: CountedChange } {
  let firstStepCounted = run.firstStepCounted;
  const change: CountedChange = { started: 0, finished: [], steps: [], retries: [] };
  const runBucket = (at: Date) =>
    into.at({
      workflowId: run.workflowId,
      versionNumber: run.versionNumber,
      nodeId: '',
      nodeType: '',
      resolution: MINUTE,
      bucketStart: bucketStartOf(at.getTime(), MINUTE),
    });
  const nodeBucket = (nodeId: string, at: Date) =>
    into.at({
      workflowId: run.workflowId,
      versionNumber: run.versionNumber,
      nodeId,
      nodeType: run.nodeTypes.get(nodeId) ?? 'unknown',
      resolution: MINUTE,
      bucketStart: bucketStartOf(at.getTime(), MINUTE),
    });
  for (const event of events) {
    const nodeId = event.nodeId ?? '';
    const nodeType = run.nodeTypes.get(nodeId) ?? 'unknown';
    switch (event.type) {
      case 'EXECUTION_STARTED':
        runBucket(event.at).started += 1;
        change.started += 1;
        break;
      case 'STEP_STARTED':
        if (!firstStepCounted) {
          runBucket(event.at).firstStep.add(Math.max(0, event.at.getTime() - run.startedAt.getTime()));
          firstStepCounted = true;
        }
        break;
      case 'STEP_COMPLETED':
      case 'STEP_FAILED': {
        const bucket = nodeBucket(nodeId, event.at);
        const durationMs = durationOf(event.data);
        const status = event.type === 'STEP_COMPLETED' ? 'COMPLETED' : 'FAILED';
        if (status === 'COMPLETED') bucket.completed += 1;
        else bucket.failed += 1;
        if (durationMs !== null) {
          bucket.duration.add(durationMs);
          change.steps.push({ nodeType, status, durationMs });
        }
        break;
      }
      case 'STEP_RETRYING':
        nodeBucket(nodeId, event.at).retries += 1;
        runBucket(event.at).retries += 1;
        change.retries.push({ nodeType });
        break;
      case 'EXECUTION_COMPLETED':
      case 'EXECUTION_FAILED':
      case 'EXECUTION_CANCELLED': {
        const bucket = runBucket(event.at);
        const durationMs = Math.max(0, event.at.getTime() - run.startedAt.getTime());
        const status = event.type === 'EXECUTION_COMPLETED' ? 'COMPLETED' : event.type === 'EXECUTION_FAILED' ? 'FAILED' : 'CANCELLED';
        if (status === 'COMPLETED') bucket.completed += 1;
        else if (status === 'FAILED') bucket.failed += 1;
        else bucket.cancelled += 1;
        // A cancelled run's length says when someone gave up, not how long the work takes.
        if (status !== 'CANCELLED') bucket.duration.add(durationMs);
        change.finished.push({ status, durationMs });
        break;
      }
    }
  }
  return { firstStepCounted, change };
}

function durationOf(data: unknown): number | null {
  const value = (data as { durationMs?: unknown } | null)?.durationMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}
