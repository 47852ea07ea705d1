// `npm run bench:loop`: a 10,000-iteration forEach loop through the interpreter, with
// continue-as-new; prints wall time, the Temporal runs it took, and history size per run.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { startTemporal } from '@tandem/ops';
import { compileWorkflow, type EmittedEvent, type JsonValue } from '@tandem/schema';
import {
  bundleInterpreterWorkflow,
  createTandemWorker,
  InProcessEventBus,
  INTERPRETER_WORKFLOW,
  interpreterWorkflowId,
  type InterpreterInput,
} from '@tandem/worker';
import { table } from '../report.js';

const ITERATIONS = Number(process.env.BENCH_LOOP_ITERATIONS ?? 10_000);
const EVERY = Number(process.env.BENCH_LOOP_CONTINUE_EVERY ?? 500);

const definition = {
  format: 'tandem.workflow/v1',
  name: 'Batch sum',
  nodes: [
    { id: 't', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    { id: 'init', type: 'set', position: { x: 0, y: 0 }, config: { variables: { total: '0' } } },
    {
      id: 'each',
      type: 'loop',
      position: { x: 0, y: 0 },
      config: { mode: 'forEach', expression: 'input.items', maxIterations: 1_000_000, continueAsNewEvery: EVERY },
    },
    { id: 'add', type: 'set', position: { x: 0, y: 0 }, config: { variables: { total: 'vars.total + loop.item' } } },
    { id: 'out', type: 'output', position: { x: 0, y: 0 }, config: { expression: 'vars.total' } },
  ],
  edges: [
    { id: 'e1', source: 't', target: 'init' },
    { id: 'e2', source: 'init', target: 'each' },
    { id: 'e3', source: 'each', target: 'add', sourceHandle: 'body' },
    { id: 'e4', source: 'add', target: 'each' },
    { id: 'e5', source: 'each', target: 'out', sourceHandle: 'done' },
  ],
};

Runtime.install({ logger: new DefaultLogger('WARN') });
console.log(`[bench] ${ITERATIONS} iterations, continue-as-new every ${EVERY}`);
const temporal = await startTemporal(process.env.TEMPORAL_ADDRESS);
const native = await NativeConnection.connect({ address: temporal.address });
const connection = await Connection.connect({ address: temporal.address });
const bus = new InProcessEventBus(50_000);
const events: EmittedEvent[] = [];
await bus.subscribe((event) => events.push(event));
const taskQueue = `bench-loop-${randomUUID()}`;
const worker = await createTandemWorker({ connection: native, taskQueue, bus, workflowBundle: await bundleInterpreterWorkflow() });
const running = worker.run();
try {
  const compiled = compileWorkflow(definition);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  const items = Array.from({ length: ITERATIONS }, (_, i) => i + 1);
  const executionId = randomUUID();
  const args: InterpreterInput = { executionId, plan: compiled.plan, input: { items } as JsonValue };
  const client = new Client({ connection });
  const started = Date.now();
  const handle = await client.workflow.start(INTERPRETER_WORKFLOW, { taskQueue, workflowId: interpreterWorkflowId(executionId), args: [args] });
  const result = await handle.result();
  const wallMs = Date.now() - started;
  const expected = (ITERATIONS * (ITERATIONS + 1)) / 2;
  const runIds = [...new Set(events.filter((e) => e.executionId === executionId).map((e) => e.temporalRunId))];
  const sizes: number[] = [];
  for (const runId of runIds) sizes.push((await client.workflow.getHandle(handle.workflowId, runId).fetchHistory()).events?.length ?? 0);
  const header = ['iterations', 'wall s', 'iterations/s', 'Temporal runs', 'history events per run (max)', 'events emitted', 'result ok'];
  const row = [
    ITERATIONS,
    (wallMs / 1000).toFixed(1),
    (ITERATIONS / (wallMs / 1000)).toFixed(0),
    runIds.length,
    Math.max(...sizes),
    events.length,
    result === expected,
  ];
  console.log(table([header, row.map(String)], (column) => column > 0 && column < 6));
  if (result !== expected) process.exitCode = 1;
} finally {
  worker.shutdown();
  await running;
  await native.close();
  await connection.close();
  await temporal.stop();
}
