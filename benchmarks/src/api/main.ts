// The body of `npm run bench:api` (entry: benchmarks/src/api.ts, which first installs the hook
// that compiles the server's source). Prints a table and writes benchmarks/results/api-latest.json.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { startTemporal } from '@tandem/ops';
import { readServerConfig, startTandemServer } from '@tandem/server';
import { bundleInterpreterWorkflow, createTandemWorker, InProcessEventBus } from '@tandem/worker';
import { buildApiSchema } from '@tandem/server/internals';
import { Cleanups } from '../cleanups.js';
import { machineInfo } from '../machine.js';
import { cpuPercent, cpuSnapshot } from './cpu.js';
import { bareContext, measureOverheadParts, runBareLoad } from './bare.js';
import { API_TARGETS, readApiConfig } from './config.js';
import { ensureK6, runK6, stopK6Build, type K6Availability } from './k6.js';
import type { LoadFigures } from './loops.js';
import { runNodeLoad, type HttpLoadSpec } from './node-load.js';
import { executionRead, typenameRead, workflowsRead, type ReadQuery } from './queries.js';
import { compare, formatApiReport, writeApiReport, type ApiReport, type LoadGeneratorInfo, type ReadReport } from './report.js';
import { seed, signUp } from './seed.js';
import { measureFirstEvents } from './first-event.js';
import { measureMetricsCost } from './metrics-cost.js';
import { connectWs } from './subscriptions.js';

Runtime.install({ logger: new DefaultLogger('WARN') });

const config = readApiConfig();
const startedAt = Date.now();
const progress = (message: string) => console.error(`[bench:api] ${message}`);

const cleanups = new Cleanups(progress);

async function loadGenerator(): Promise<{ info: LoadGeneratorInfo; run: (spec: HttpLoadSpec) => Promise<LoadFigures> }> {
  const node = (fallbackReason: string, k6BuildSeconds?: number) => ({
    info: { kind: 'node' as const, version: process.version, fallbackReason, ...(k6BuildSeconds === undefined ? {} : { k6BuildSeconds }) },
    run: runNodeLoad,
  });
  if (config.loadGenerator === 'node') return node('BENCH_LOAD_GENERATOR=node');
  const k6: K6Availability = await ensureK6(config.k6BuildTimeoutSeconds, progress);
  if (k6.ok) return { info: { kind: 'k6', version: k6.version, k6BuildSeconds: k6.buildSeconds }, run: runK6 };
  if (config.loadGenerator === 'k6') throw new Error(`BENCH_LOAD_GENERATOR=k6 but ${k6.reason}`);
  progress(`k6 is not available (${k6.reason}); falling back to the Node load generator`);
  return node(k6.reason, k6.buildSeconds);
}

/** Runs a phase and notes the CPU it took. */
async function withCpu(phase: () => Promise<LoadFigures>): Promise<LoadFigures> {
  const before = cpuSnapshot();
  const figures = await phase();
  const used = cpuPercent(before, cpuSnapshot());
  return { ...figures, cpu: { process: used.self, generator: used.children } };
}

async function main(): Promise<ApiReport> {
  const machine = machineInfo();
  cleanups.add('the k6 build', async () => stopK6Build());
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-bench-api-'));
  cleanups.add('the data directory', async () => rmSync(dataDir, { recursive: true, force: true }));

  progress(
    `starting the Temporal dev server; bundling the interpreter; ${config.loadGenerator === 'node' ? 'Node load generator' : 'k6 (built on first use)'}`,
  );
  const startup = [
    startTemporal(undefined).then((t) => cleanups.owned('the Temporal dev server', t, () => t.stop())),
    bundleInterpreterWorkflow(),
    loadGenerator(),
  ] as const;
  cleanups.startedUp = Promise.allSettled(startup);
  const [temporal, bundle, generator] = await Promise.all(startup);

  const bus = new InProcessEventBus();
  const taskQueue = `bench-api-${Date.now().toString(36)}`;
  const connection = await NativeConnection.connect({ address: temporal.address });
  cleanups.add('the worker connection', () => connection.close());
  const worker = await createTandemWorker({ connection, taskQueue, bus, workflowBundle: bundle });
  const running = worker.run();
  cleanups.add('the worker', async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  });

  const serverConfig = {
    ...readServerConfig({}),
    port: 0,
    host: '127.0.0.1',
    dataDir,
    databaseUrl: config.databaseUrl,
    temporalAddress: temporal.address,
    taskQueue,
  };
  const server = await startTandemServer({ config: serverConfig, bus, log: progress });
  cleanups.add('the API server', () => server.close());
  const database = config.databaseUrl ? 'PostgreSQL (BENCH_DATABASE_URL)' : 'SQLite file in a temporary directory';
  progress(`API server at ${server.url}/graphql (${database})`);

  const user = await signUp(server.url);
  const ws = await connectWs(server.url, user.token);
  cleanups.add('the websocket client', async () => void (await ws.dispose()));
  progress(`seeding ${config.workflows} workflows and ${config.seedExecutions} completed runs`);
  const seeded = await seed(server.url, user, ws, config.workflows, config.seedExecutions);

  const schema = await buildApiSchema();
  const bare = await bareContext(schema, server.services, user.token);
  const endpoint = `${server.url}/graphql`;
  const reads: ReadQuery[] = [executionRead(seeded.executionIds.at(-1)!), workflowsRead()];
  const loaded = { clients: config.clients, warmupSeconds: config.warmupSeconds, seconds: config.seconds };
  const serial = { clients: 1, warmupSeconds: 1, seconds: config.serialSeconds };
  const readReports: Record<string, ReadReport> = {};
  // The first loaded phase after seeding ran measurably slower than the same phase repeated later
  // (JIT, caches): one unmeasured pass over both reads first.
  progress(`warming the server up: both reads over HTTP at ${config.clients} clients, unmeasured`);
  for (const read of reads) await generator.run({ endpoint, token: user.token, read, clients: config.clients, warmupSeconds: 3, seconds: 1 });
  for (const read of reads) {
    progress(`${read.id}: HTTP at ${config.clients} clients (${generator.info.kind}), then bare execute(); then both at 1 client`);
    const httpLoaded = await withCpu(() => generator.run({ endpoint, token: user.token, read, ...loaded }));
    const bareLoaded = await withCpu(() => runBareLoad(bare, read, loaded));
    const httpSerial = await withCpu(() => generator.run({ endpoint, token: user.token, read, ...serial }));
    const bareSerial = await withCpu(() => runBareLoad(bare, read, serial));
    for (const figures of [httpLoaded, bareLoaded, httpSerial, bareSerial]) {
      if (figures.failed > 0 || figures.requests === 0) throw new Error(`${read.id}: ${figures.failed} failed requests: ${figures.errors.join('; ')}`);
    }
    const loadedComparison = compare(httpLoaded, bareLoaded);
    readReports[read.id] = {
      id: read.id,
      query: read.query,
      loaded: { ...loadedComparison, meetsTarget: httpLoaded.latency.p95 < API_TARGETS.readP95MsMax },
      serial: compare(httpSerial, bareSerial),
    };
  }
  progress('HTTP floor at 1 client: { __typename } without a token, then with it');
  const typename = typenameRead();
  const httpFloor = {
    anonymous: await generator.run({ endpoint, token: '', read: typename, ...serial }),
    authenticated: await generator.run({ endpoint, token: user.token, read: typename, ...serial }),
  };
  const overhead = await measureOverheadParts(bare, reads, 500);

  progress(
    `start → first event: ${config.subscriptionRuns} runs one at a time, then ${config.subscriptionRuns} with ${config.subscriptionConcurrency} in flight`,
  );
  const firstEventSpec = {
    url: server.url,
    token: user.token,
    workflowId: seeded.workflowId,
    runs: config.subscriptionRuns,
    warmup: config.subscriptionWarmup,
  };
  const sequential = await measureFirstEvents({ ...firstEventSpec, concurrency: 1, firstN: 1_000 }, bus, server.services.eventIngest);
  const concurrent = await measureFirstEvents(
    { ...firstEventSpec, concurrency: config.subscriptionConcurrency, firstN: 2_000 },
    bus,
    server.services.eventIngest,
  );

  // The main server stops here: each phase of the metrics cost starts its own on the same database.
  await server.close();
  const metricsCost = await measureMetricsCost({
    async start(metrics) {
      const phase = await startTandemServer({ config: { ...serverConfig, metrics }, bus, log: progress });
      return {
        url: phase.url,
        async settle() {
          // The runs started last are still ending: their events are stored before the server stops.
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          await phase.services.eventIngest.drained();
        },
        close: () => phase.close(),
      };
    },
    token: user.token,
    workflowId: seeded.workflowId,
    read: reads[0]!,
    readClients: config.clients,
    startClients: config.metricsStartClients,
    warmupSeconds: config.warmupSeconds,
    seconds: config.metricsSeconds,
    scrapeEveryMs: config.metricsScrapeMs,
    runLoad: generator.run,
    progress,
  });

  await cleanups.run();
  const { output: _output, databaseUrl: _databaseUrl, ...settings } = config;
  return {
    generatedAt: new Date().toISOString(),
    machine,
    database,
    loadGenerator: generator.info,
    config: settings,
    targets: API_TARGETS,
    seeded: { workflows: seeded.workflows, completedExecutions: seeded.executionIds.length },
    reads: readReports,
    httpFloor,
    overhead,
    metricsCost: {
      ...metricsCost,
      meetsTarget: metricsCost.ratios.readP95 < API_TARGETS.metricsCostRatioMax && metricsCost.ratios.startP95 < API_TARGETS.metricsCostRatioMax,
    },
    firstEvent: {
      sequential,
      concurrent,
      meetsTarget: sequential.firstEvent.p95 < API_TARGETS.firstEventP95MsMax && concurrent.firstEvent.p95 < API_TARGETS.firstEventP95MsMax,
    },
    durationSeconds: (Date.now() - startedAt) / 1_000,
  };
}

try {
  const report = await main();
  writeApiReport(report, config.output);
  console.log(formatApiReport(report, config));
} catch (error) {
  console.error('[bench:api] failed:', error);
  process.exitCode = 1;
} finally {
  await cleanups.run();
  cleanups.release();
}
