// `npm run bench:engine`: the interpreter against hand-written Temporal workflows, and
// validate + compile of a large graph. Prints a table and writes benchmarks/results/engine-latest.json.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { startTemporal } from '@tandem/ops';
import { Cleanups } from '../cleanups.js';
import { benchCompile } from '../compile-bench.js';
import { readConfig, TARGETS } from '../config.js';
import { startStepServer } from '../http-server.js';
import { machineInfo } from '../machine.js';
import { measureWorkerMetricsCost } from '../metrics-cost.js';
import { formatReport, scenarioReport, writeReport, type EngineReport, type ScenarioReport } from '../report.js';
import { compareVariants, type Variant } from '../runner.js';
import { httpChainScenario, transformChainScenario, type Scenario } from '../scenarios.js';
import { bundleHandwrittenWorkflows, bundleInterpreterWorkflow, startHandwrittenWorker, startInterpreterWorker } from '../workers.js';

Runtime.install({ logger: new DefaultLogger('WARN') });

const config = readConfig();
const startedAt = Date.now();
const progress = (message: string) => console.error(`[bench] ${message}`);

const cleanups = new Cleanups(progress);

async function main(): Promise<EngineReport> {
  const machine = machineInfo();

  // Compilation is pure CPU: measured first, before the Temporal server and workers compete for the 2 cores.
  progress(`validate + compile of a ${config.graphNodes}-node graph, ${config.compileIterations} iterations`);
  const compile = benchCompile({ nodes: config.graphNodes, iterations: config.compileIterations, warmup: config.compileWarmup });

  progress('starting the Temporal dev server and the HTTP endpoint; bundling both workflow sets');
  // Each is registered for clean-up as soon as it is up, so a failure of another does not leak it.
  const startup = [
    startTemporal(undefined).then((t) => cleanups.owned('the Temporal dev server', t, () => t.stop())),
    startStepServer().then((server) => cleanups.owned('the HTTP endpoint', server, () => server.close())),
    bundleInterpreterWorkflow(),
    bundleHandwrittenWorkflows(),
  ] as const;
  cleanups.startedUp = Promise.allSettled(startup);
  const [temporal, steps, interpreterBundle, handwrittenBundle] = await Promise.all(startup);

  const connection = await Connection.connect({ address: temporal.address });
  cleanups.add('the client connection', () => connection.close());
  const nativeConnection = await NativeConnection.connect({ address: temporal.address });
  cleanups.add('the worker connection', () => nativeConnection.close());
  const client = new Client({ connection });

  const suffix = Date.now().toString(36);
  const interpreter = await startInterpreterWorker(nativeConnection, `bench-interpreter-${suffix}`, interpreterBundle);
  cleanups.add('the interpreter worker', () => interpreter.stop());
  const handwritten = await startHandwrittenWorker(nativeConnection, `bench-handwritten-${suffix}`, handwrittenBundle);
  cleanups.add('the hand-written worker', () => handwritten.stop());

  const ctx = { client, interpreterQueue: interpreter.taskQueue, handwrittenQueue: handwritten.taskQueue };
  const scenarios: Array<{ scenario: Scenario; runs: number }> = [
    { scenario: transformChainScenario(ctx), runs: config.transformRuns },
    { scenario: httpChainScenario(ctx, steps.baseUrl), runs: config.httpRuns },
  ];
  const runs: Record<string, ScenarioReport> = {};
  for (const { scenario, runs: count } of scenarios) {
    progress(`${scenario.title}: ${config.warmup} warm-up + ${count} measured runs per variant`);
    const [interpreted, baseline] = scenario.variants;
    let interpreterRuns = 0;
    const counted: Variant = { name: interpreted.name, run: (i) => interpreted.run(i).then(() => void interpreterRuns++) };
    const eventsBefore = interpreter.events();
    const loaded = await compareVariants([counted, baseline], { runs: count, warmup: config.warmup, concurrency: config.concurrency, rounds: config.rounds });
    const eventsPerRun = (interpreter.events() - eventsBefore) / interpreterRuns;
    progress(`${scenario.title}: ${config.serialRuns} runs per variant one at a time`);
    const serial = await compareVariants(scenario.variants, { runs: config.serialRuns, warmup: 3, concurrency: 1, rounds: config.rounds });
    runs[scenario.id] = scenarioReport(scenario.title, loaded, serial, eventsPerRun);
  }

  progress(
    `the cost of metrics: the transform chain on a worker scraped every ${config.metricsScrapeMs} ms against one without, ${config.transformRuns} runs each`,
  );
  const measured = await startInterpreterWorker(nativeConnection, `bench-interpreter-metrics-${suffix}`, interpreterBundle, { metrics: true });
  cleanups.add('the interpreter worker with metrics', () => measured.stop());
  const [withMetrics] = transformChainScenario({ ...ctx, interpreterQueue: measured.taskQueue }).variants;
  const [withoutMetrics] = transformChainScenario(ctx).variants;
  const metricsCost = await measureWorkerMetricsCost(withMetrics, withoutMetrics, measured.metrics!, config.metricsScrapeMs, {
    runs: config.transformRuns,
    warmup: config.warmup,
    concurrency: config.concurrency,
    rounds: Math.max(4, config.rounds),
  });

  await cleanups.run();
  const { output: _output, ...settings } = config;
  return {
    generatedAt: new Date().toISOString(),
    machine,
    config: settings,
    targets: TARGETS,
    runs,
    metricsCost: { ...metricsCost, meetsTarget: metricsCost.ratios.throughput >= TARGETS.metricsThroughputRatioMin },
    compile: { ...compile, meetsTarget: compile.compile.p95 < TARGETS.compileMsMax && compile.compile.p50 < TARGETS.compileMsMax },
    durationSeconds: (Date.now() - startedAt) / 1_000,
  };
}

try {
  const report = await main();
  writeReport(report, config.output);
  console.log(formatReport(report, config));
} catch (error) {
  console.error('[bench] failed:', error);
  process.exitCode = 1;
} finally {
  await cleanups.run();
  cleanups.release();
}
