import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { eventually } from '../../test-support/eventually.js';
import { compileWorkflow, type EmittedEvent, type JsonValue } from '@tandem/schema';
import {
  createTandemWorker,
  InProcessEventBus,
  INTERPRETER_WORKFLOW,
  interpreterWorkflowId,
  NetworkPolicy,
  type ExecutionEventBus,
  type InterpreterInput,
  type SecretResolver,
} from '@tandem/worker';

export interface Harness {
  client: Client;
  taskQueue: string;
  bus: ExecutionEventBus;
  /** Every event the worker published, in order. */
  events: EmittedEvent[];
  start(definition: unknown, input?: JsonValue, options?: StartOptions): Promise<WorkflowHandle>;
  run(definition: unknown, input?: JsonValue, options?: StartOptions): Promise<RunOutcome>;
  eventsOf(executionId: string): EmittedEvent[];
  /** Stops the worker (and later restarts it with `startWorker`). */
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface RunOutcome {
  executionId: string;
  workflowId: string;
  result?: JsonValue;
  error?: WorkflowFailedError;
  events: EmittedEvent[];
}

export interface HarnessOptions {
  /** Addresses/hosts http.request may reach (the test servers are on loopback). */
  allow?: string[];
  bus?: ExecutionEventBus;
  /** Where http.request reads `secrets.NAME` values. */
  secrets?: SecretResolver;
  /** How long activities in flight may finish when the worker stops (Temporal's default: cancel at once). */
  shutdownGraceMs?: number;
  /** Temporal's stack trace query for the runs (the worker's default: off). */
  workflowStackTraces?: boolean;
}

export type StartOptions = Pick<InterpreterInput, 'triggerNodeId' | 'ownerId' | 'secretsNonce' | 'subplans' | 'reuse'>;

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed by an earlier file in this process.
  }
}

/** A real worker on a fresh task queue against the suite's Temporal server. */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  quietRuntime();
  const address = inject('temporalAddress');
  const code = readFileSync(inject('workflowBundlePath'), 'utf8');
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const nativeConnection = await NativeConnection.connect({ address });
  const taskQueue = `test-${randomUUID()}`;
  const bus = options.bus ?? new InProcessEventBus();
  const events: EmittedEvent[] = [];
  const unsubscribe = await bus.subscribe((event) => events.push(event));

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const startWorker = async () => {
    worker = await createTandemWorker({
      connection: nativeConnection,
      taskQueue,
      bus,
      workflowBundle: { code },
      ...(options.shutdownGraceMs === undefined ? {} : { shutdownGraceMs: options.shutdownGraceMs }),
      ...(options.workflowStackTraces === undefined ? {} : { workflowStackTraces: options.workflowStackTraces }),
      activities: {
        http: { policy: new NetworkPolicy(options.allow ?? []), maxResponseBytes: 100_000 },
        ...(options.secrets ? { secrets: options.secrets } : {}),
      },
    });
    running = worker.run();
  };
  const stopWorker = async () => {
    worker?.shutdown();
    await running;
    worker = undefined;
  };
  await startWorker();

  const start = async (definition: unknown, input: JsonValue = {}, startOptions: StartOptions = {}) => {
    const compiled = compileWorkflow(definition);
    if (!compiled.ok) throw new Error(`test workflow is invalid: ${JSON.stringify(compiled.problems, null, 2)}`);
    const executionId = randomUUID();
    const args: InterpreterInput = { executionId, plan: compiled.plan, input, ...startOptions };
    return client.workflow.start(INTERPRETER_WORKFLOW, { taskQueue, workflowId: interpreterWorkflowId(executionId), args: [args] });
  };

  const eventsOf = (executionId: string) => events.filter((e) => e.executionId === executionId);

  return {
    client,
    taskQueue,
    bus,
    events,
    start,
    eventsOf,
    async run(definition, input = {}, startOptions = {}) {
      const handle = await start(definition, input, startOptions);
      const executionId = handle.workflowId.replace(/^tandem-/, '');
      const outcome: RunOutcome = { executionId, workflowId: handle.workflowId, events: [] };
      try {
        outcome.result = (await handle.result()) as JsonValue;
      } catch (error) {
        if (!(error instanceof WorkflowFailedError)) throw error;
        outcome.error = error;
      }
      // Sinks run right after the workflow task: wait for the terminal event to be delivered.
      await eventually(() => eventsOf(executionId).some((e) => e.type.startsWith('EXECUTION_') && e.type !== 'EXECUTION_STARTED'));
      outcome.events = eventsOf(executionId);
      return outcome;
    },
    stopWorker,
    startWorker,
    async close() {
      await stopWorker();
      await unsubscribe();
      await nativeConnection.close();
      await connection.close();
    },
  };
}

/** A workflow document from nodes and edges, with the brief's envelope. */
export function workflow(
  nodes: Array<{ id: string; type: string; config?: Record<string, unknown> }>,
  edges: Array<[string, string] | [string, string, string]>,
  params: Record<string, JsonValue> = {},
): unknown {
  return {
    format: 'tandem.workflow/v1',
    name: 'test',
    description: '',
    params,
    nodes: nodes.map((n, i) => ({ id: n.id, type: n.type, position: { x: i * 200, y: 0 }, config: n.config ?? {} })),
    edges: edges.map(([source, target, handle], i) => ({ id: `e${i}`, source, target, ...(handle ? { sourceHandle: handle } : {}) })),
  };
}

/**
 * A Temporal history as JSON text with each payload's `data` decoded (it is base64 of JSON in
 * the history itself), so a test can look for values in it.
 */
export function decodedHistory(history: unknown): string {
  const decode = (value: unknown): unknown => {
    if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
    if (Array.isArray(value)) return value.map(decode);
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>);
      const isPayload = entries.some(([key]) => key === 'metadata') && entries.some(([key]) => key === 'data');
      return Object.fromEntries(
        entries.map(([key, item]) => [key, isPayload && typeof item === 'string' ? Buffer.from(item, 'base64').toString('utf8') : decode(item)]),
      );
    }
    return value;
  };
  return JSON.stringify(decode(JSON.parse(JSON.stringify(history))));
}
