import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import type { Registry } from 'prom-client';
import { bundleInterpreterWorkflow, createTandemWorker, InProcessEventBus, NetworkPolicy, quietLogger, workerMetrics } from '@tandem/worker';
import { handwrittenActivities } from './handwritten/activities.js';

/** Worker settings shared by both variants, so they compete on equal terms. */
export const WORKER_SETTINGS = {
  maxConcurrentActivityTaskExecutions: 100,
  maxConcurrentWorkflowTaskExecutions: 100,
} as const;

export interface RunningWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

const HANDWRITTEN_WORKFLOWS = fileURLToPath(new URL('./handwritten/workflows.ts', import.meta.url));

export function bundleHandwrittenWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: HANDWRITTEN_WORKFLOWS,
    logger: quietLogger,
    webpackConfigHook: (config) => {
      config.resolve ??= {};
      config.resolve.extensionAlias = { '.js': ['.ts', '.js'] };
      return config;
    },
  });
}

export { bundleInterpreterWorkflow };

async function running(worker: Worker, taskQueue: string, after: () => Promise<void> = async () => {}): Promise<RunningWorker> {
  const done = worker.run();
  return {
    taskQueue,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
      await after();
    },
  };
}

export interface InterpreterWorker extends RunningWorker {
  /** Events the interpreter published to the in-process bus. */
  events(): number;
  /** Its Prometheus figures, when started with `metrics` (what TANDEM_WORKER_METRICS_ADDRESS serves). */
  metrics?: Registry;
}

/** The Tandem worker as shipped (`createTandemWorker`), with an in-process event bus and loopback allowed. */
export async function startInterpreterWorker(
  connection: NativeConnection,
  taskQueue: string,
  bundle: WorkflowBundle,
  options: { metrics?: boolean } = {},
): Promise<InterpreterWorker> {
  const bus = new InProcessEventBus();
  let events = 0;
  const unsubscribe = await bus.subscribe(() => events++);
  const worker = await createTandemWorker({
    connection,
    taskQueue,
    bus,
    workflowBundle: bundle,
    activities: { http: { policy: new NetworkPolicy(['127.0.0.1']) } },
    ...WORKER_SETTINGS,
  });
  const handle = await running(worker, taskQueue, async () => {
    await unsubscribe();
    await bus.close();
  });
  return { ...handle, events: () => events, ...(options.metrics ? { metrics: workerMetrics(worker) } : {}) };
}

/** A plain Temporal worker for the hand-written workflows and their activity. */
export async function startHandwrittenWorker(connection: NativeConnection, taskQueue: string, bundle: WorkflowBundle): Promise<RunningWorker> {
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue,
    workflowBundle: bundle,
    activities: handwrittenActivities,
    ...WORKER_SETTINGS,
  });
  return running(worker, taskQueue);
}
