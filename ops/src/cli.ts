// `npm run workflow -- validate <file>`, `npm run workflow -- run <file> [--input JSON] [--trigger nodeId]`,
// `npm run workflow -- replay <executionId>` and `npm run workflow -- replay-check` (src/replay.ts).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { compileWorkflow, validateWorkflow, type EmittedEvent, type JsonValue, type Problem } from '@tandem/schema';
import { createLogger, INTERPRETER_WORKFLOW, interpreterWorkflowId, logLevel, useProcessLogger, type InterpreterInput } from '@tandem/worker';
import { readEnvironment } from './config.js';
import { startEmbedded } from './embedded.js';
import { REPLAY_USAGE, runReplayCommand } from './replay.js';
import { waitForTemporal } from './temporal.js';

const USAGE = `usage:
  npm run workflow -- validate <workflow.json>
  npm run workflow -- run <workflow.json> [--input '<json>'] [--trigger <nodeId>]
${REPLAY_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, file, ...rest] = argv;
  // Stdout is the command's result: the embedded worker's logs go to stderr, warnings and worse unless TANDEM_LOG_LEVEL says.
  useProcessLogger(createLogger({ name: 'cli', level: process.env.TANDEM_LOG_LEVEL ? logLevel() : 'warn', destination: process.stderr }));
  if (command === 'replay' || command === 'replay-check') {
    // The replayer is a worker: keep the SDK's own logging (core's non-determinism warnings
    // included: the verdicts say it) to errors.
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
    const env = readEnvironment();
    return runReplayCommand(command, argv.slice(1), {
      // Replay reads an existing Temporal's runs: TEMPORAL_ADDRESS, else a local one (e.g. `npm start`'s).
      address: env.temporalAddress ?? '127.0.0.1:7233',
      namespace: env.temporalNamespace,
      log: (line) => console.log(line),
      progress: (line) => console.error(line),
    });
  }
  if ((command !== 'validate' && command !== 'run') || !file) {
    console.error(USAGE);
    return 2;
  }
  const document = readJson(readFileSync(file, 'utf8'), file);
  if (command === 'validate') {
    const result = validateWorkflow(document);
    if (result.ok) console.log(`${file}: valid`);
    else printProblems(result.problems);
    return result.ok ? 0 : 1;
  }
  const options = parseFlags(rest);
  const compiled = compileWorkflow(document);
  if (!compiled.ok) {
    printProblems(compiled.problems);
    return 1;
  }
  return run({ executionId: randomUUID(), plan: compiled.plan, input: options.input, ...(options.trigger ? { triggerNodeId: options.trigger } : {}) });
}

async function run(args: InterpreterInput): Promise<number> {
  const env = readEnvironment();
  // Reuse the Temporal of a running `npm start` when there is one; else run a private dev server.
  let reuse = env.temporalAddress;
  if (!reuse)
    reuse = await waitForTemporal('127.0.0.1:7233', 1_000).then(
      () => '127.0.0.1:7233',
      () => undefined,
    );
  const tandem = await startEmbedded({
    env: { ...env, temporalAddress: reuse },
    taskQueue: `tandem-cli-${randomUUID()}`,
    devServerPort: 0,
    persist: false,
    sdkLogLevel: 'ERROR',
    log: (line) => console.error(line),
  });
  await tandem.bus.subscribe((event) => {
    if (event.executionId === args.executionId) console.log(describe(event));
  });
  const connection = await Connection.connect({ address: tandem.temporal.address });
  try {
    const client = new Client({ connection, namespace: env.temporalNamespace });
    const handle = await client.workflow.start(INTERPRETER_WORKFLOW, {
      taskQueue: tandem.worker.options.taskQueue,
      workflowId: interpreterWorkflowId(args.executionId),
      args: [args],
    });
    try {
      const result = (await handle.result()) as JsonValue;
      await settle();
      console.log(JSON.stringify(result, null, 2));
      return 0;
    } catch (error) {
      await settle();
      const cause = error instanceof WorkflowFailedError ? error.cause : error;
      console.error(`run failed: ${(cause as Error)?.message ?? String(cause)}`);
      return 1;
    }
  } finally {
    await connection.close();
    await tandem.stop();
  }
}

function describe(event: EmittedEvent): string {
  const node = event.nodeId ? ` ${event.nodeId}` : '';
  const data = Object.keys(event.data).length > 0 ? ` ${JSON.stringify(event.data).slice(0, 200)}` : '';
  return `#${event.sequence} ${event.type}${node}${data}`;
}

function printProblems(problems: Problem[]): void {
  console.error(`${problems.length} problem${problems.length === 1 ? '' : 's'}:`);
  for (const p of problems) console.error(`  - ${p.message}${p.path ? `  (at ${p.path})` : ''}`);
}

function parseFlags(args: string[]): { input: JsonValue; trigger?: string } {
  const out: { input: JsonValue; trigger?: string } = { input: {} };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    if (flag === '--input') out.input = readJson(value, '--input');
    else if (flag === '--trigger') out.trigger = value;
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  return out;
}

function readJson(text: string, what: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new Error(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Sinks run just after the last workflow task; let the final events print before the result. */
const settle = () => new Promise((r) => setTimeout(r, 200));

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
