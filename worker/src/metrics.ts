import type { Worker } from '@temporalio/worker';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/**
 * A worker process's Prometheus figures: Node's process metrics and what its Temporal worker is
 * doing now. No labels beyond the fixed `kind`: never a workflow, run or user id.
 */
export function workerMetrics(worker: Pick<Worker, 'getStatus'>): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'tandem_worker_in_flight',
    help: 'Tasks this worker is running now, by kind (workflow_activations, activities)',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const status = worker.getStatus();
      this.set({ kind: 'workflow_activations' }, status.numInFlightWorkflowActivations);
      this.set({ kind: 'activities' }, status.numInFlightActivities);
    },
  });
  new Gauge({
    name: 'tandem_worker_cached_runs',
    help: 'Runs whose workflow state this worker keeps in memory',
    registers: [registry],
    collect() {
      this.set(worker.getStatus().numCachedWorkflows);
    },
  });
  new Gauge({
    name: 'tandem_worker_running',
    help: '1 while the worker polls its task queue',
    registers: [registry],
    collect() {
      this.set(worker.getStatus().runState === 'RUNNING' ? 1 : 0);
    },
  });
  return registry;
}
