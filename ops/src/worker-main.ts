// The Tandem worker process: `npm run start:worker` in production, and the child process
// `npm start` supervises (see worker-supervisor.ts), so that nothing a run does in the worker
// can take the API down with it.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { metricsEnabled, openSecretResolver, parseListenAddress, readInstallation, serveMetrics } from '@tandem/server/worker-support';
import {
  createTandemWorker,
  workerMetrics,
  InProcessEventBus,
  IpcEventBus,
  NetworkPolicy,
  RedisEventBus,
  workerIdentity,
  type ExecutionEventBus,
  switchSetting,
} from '@tandem/worker';
import { readEnvironment, type TandemEnvironment } from './config.js';
import { assertQueueNotShared, QueueSharedError } from './task-queue.js';
import { serviceLogger, temporalRuntimeLogger } from './logging.js';
import { EXIT_CONFIG } from './worker-supervisor.js';

/** JSON lines on stdout, the Temporal SDK's included (docs/operations/logging.md). */
const log = serviceLogger('worker');

async function main(): Promise<void> {
  const env = readEnvironment();
  // Signals are handled below, in order (drain the worker, then close connections).
  Runtime.install({ logger: temporalRuntimeLogger(log), shutdownSignals: [] });
  const address = env.temporalAddress ?? '127.0.0.1:7233';
  const installation = await installationOf(env);
  const taskQueue = env.taskQueue ?? installation.taskQueue;

  const client = await Connection.connect({ address });
  try {
    await assertQueueNotShared(client, env.temporalNamespace, taskQueue, installation.id);
  } finally {
    await client.close();
  }

  const bus = eventBus(env);
  const connection = await NativeConnection.connect({ address });
  // http.request reads the run owner's secrets from the database, decrypted with the API server's key.
  const secrets = openSecretResolver({
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: env.dataDir,
    key: process.env.TANDEM_SECRETS_KEY,
    keys: process.env.TANDEM_SECRETS_KEYS,
  });
  const worker = await createTandemWorker({
    connection,
    namespace: env.temporalNamespace,
    taskQueue,
    bus,
    logger: log,
    identity: workerIdentity(installation.id, hostname(), process.pid),
    ...(env.workerCachedRuns === undefined ? {} : { maxCachedWorkflows: env.workerCachedRuns }),
    workflowStackTraces: switchSetting(process.env, 'TANDEM_WORKFLOW_STACK_TRACES', false),
    // On SIGTERM (a rolling restart), activities in flight finish instead of being retried elsewhere.
    shutdownGraceMs: env.shutdownGraceMs,
    activities: { http: { policy: NetworkPolicy.fromEnvironment(process.env.TANDEM_HTTP_ALLOW) }, secrets },
  });
  // Prometheus: GET /metrics on a port of its own, only when TANDEM_WORKER_METRICS_ADDRESS names one (and TANDEM_METRICS is not off).
  const metricsAddress = metricsEnabled() ? process.env.TANDEM_WORKER_METRICS_ADDRESS : undefined;
  const metrics = metricsAddress
    ? await serveMetrics(workerMetrics(worker), {
        ...parseListenAddress(metricsAddress, 'TANDEM_WORKER_METRICS_ADDRESS'),
        token: process.env.TANDEM_METRICS_TOKEN || undefined,
      })
    : undefined;
  if (metrics) log.info({ url: metrics.url }, `Worker metrics at ${metrics.url}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => worker.shutdown());
  // The parent (npm start) stops this process when it goes away.
  process.once('disconnect', () => worker.getState() === 'RUNNING' && worker.shutdown());
  log.info(
    { taskQueue, address, namespace: env.temporalNamespace },
    `Tandem worker polling task queue "${taskQueue}" on ${address} (namespace ${env.temporalNamespace})`,
  );
  process.send?.({ type: 'ready', taskQueue });
  await worker.run();
  await metrics?.close();
  await bus.close();
  await secrets.close();
  await connection.close();
  // The IPC channel would keep this process alive after its worker stopped.
  if (process.connected) process.disconnect();
}

/** The installation whose runs this worker serves, read from its database (created by the first API server or worker). */
async function installationOf(env: TandemEnvironment): Promise<{ id: string; taskQueue: string }> {
  const id = process.env.TANDEM_INSTALLATION_ID;
  if (id && env.taskQueue) return { id, taskQueue: env.taskQueue };
  return readInstallation({ url: process.env.DATABASE_URL || undefined, sqliteFile: join(env.dataDir, 'tandem.db') });
}

function eventBus(env: TandemEnvironment): ExecutionEventBus {
  if (env.redisUrl) return new RedisEventBus({ url: env.redisUrl });
  if (IpcEventBus.available()) return IpcEventBus.toParent();
  log.warn('REDIS_URL is not set: execution events stay in this process and reach no API server.');
  return new InProcessEventBus();
}

main().catch((error: unknown) => {
  log.fatal({ err: error }, error instanceof Error ? error.message : String(error));
  process.exit(error instanceof QueueSharedError ? EXIT_CONFIG : 1);
});
