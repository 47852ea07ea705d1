import { gql } from '../lib/api';

/** Figures of one time window, as the API gives them (durations in ms). */
export interface MetricsPoint {
  at: string;
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  retries: number;
  successRate: number | null;
  durationP50: number | null;
  durationP95: number | null;
  durationP99: number | null;
}

export interface NodeMetrics {
  workflowId: string;
  workflowName: string;
  nodeId: string;
  nodeType: string;
  totals: MetricsPoint;
}

export interface InProgress {
  running: number;
  waiting: number;
  paused: number;
}

export interface WorkflowMetrics {
  step: number;
  points: MetricsPoint[];
  totals: MetricsPoint;
  nodes: NodeMetrics[];
  deploys: Array<{ version: number; at: string; message: string }>;
  inProgress: InProgress;
}

export interface MetricsOverview {
  step: number;
  points: MetricsPoint[];
  totals: MetricsPoint;
  inProgress: InProgress;
  workflows: Array<{ workflowId: string; workflowName: string; totals: MetricsPoint }>;
  topFailingWorkflows: Array<{ workflowId: string; workflowName: string; totals: MetricsPoint }>;
  topFailingNodes: NodeMetrics[];
  slowestNodes: NodeMetrics[];
}

/** The time ranges the pickers offer, in milliseconds. */
export const RANGES = [
  { label: '1 h', ms: 3_600_000 },
  { label: '24 h', ms: 86_400_000 },
  { label: '7 d', ms: 7 * 86_400_000 },
  { label: '30 d', ms: 30 * 86_400_000 },
] as const;

const POINT = 'at started completed failed cancelled retries successRate durationP50 durationP95 durationP99';
const NODE = `workflowId workflowName nodeId nodeType totals { ${POINT} }`;

export async function workflowMetrics(workflowId: string, from: Date, to: Date): Promise<WorkflowMetrics> {
  const data = await gql<{ workflowMetrics: WorkflowMetrics }>(
    `query WorkflowMetrics($id: ID!, $from: DateTimeISO!, $to: DateTimeISO!) {
      workflowMetrics(workflowId: $id, from: $from, to: $to) {
        step points { ${POINT} } totals { ${POINT} } nodes { ${NODE} }
        deploys { version at message } inProgress { running waiting paused }
      }
    }`,
    { id: workflowId, from: from.toISOString(), to: to.toISOString() },
  );
  return data.workflowMetrics;
}

export async function metricsOverview(from: Date, to: Date): Promise<MetricsOverview> {
  const data = await gql<{ metricsOverview: MetricsOverview }>(
    `query MetricsOverview($from: DateTimeISO!, $to: DateTimeISO!) {
      metricsOverview(from: $from, to: $to) {
        step points { ${POINT} } totals { ${POINT} } inProgress { running waiting paused }
        workflows { workflowId workflowName totals { ${POINT} } }
        topFailingWorkflows { workflowId workflowName totals { ${POINT} } }
        topFailingNodes { ${NODE} } slowestNodes { ${NODE} }
      }
    }`,
    { from: from.toISOString(), to: to.toISOString() },
  );
  return data.metricsOverview;
}

export interface PointRun {
  id: string;
  status: string;
  startedAt: string;
}

/** The runs behind a point: started in its window, or ended in it with a status. */
export async function runsBehind(workflowId: string | null, from: Date, to: Date, status: string | null): Promise<PointRun[]> {
  const filter = status
    ? { workflowId, status, finishedFrom: from.toISOString(), finishedBefore: to.toISOString() }
    : { workflowId, startedFrom: from.toISOString(), startedBefore: to.toISOString() };
  const data = await gql<{ executions: { edges: Array<{ node: PointRun }> } }>(
    `query RunsBehind($filter: ExecutionFilter) { executions(first: 50, filter: $filter) { edges { node { id status startedAt } } } }`,
    { filter },
  );
  return data.executions.edges.map((e) => e.node);
}

export const METRICS_UPDATED = 'subscription MetricsUpdated($id: ID) { metricsUpdated(workflowId: $id) { workflowIds at } }';
