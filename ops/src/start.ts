// `npm start`: Tandem on one machine with embedded defaults — Temporal (dev server unless
// TEMPORAL_ADDRESS) and the API server in this process, the worker in a supervised child
// process (a run that takes its worker down cannot take the API with it).
import { Client, Connection } from '@temporalio/client';
import { readServerConfig, startTandemServer } from '@tandem/server';
import { InProcessEventBus, RedisEventBus, type ExecutionEventBus } from '@tandem/worker';
import { ensureClientBuilt, serveClient } from './client.js';
import { readEnvironment } from './config.js';
import { buildDocsInBackground } from './docs/build.js';
import { serveDocs } from './docs/serve.js';
import { quarantinePoisonedRuns } from './quarantine.js';
import { defaultDevServerDb, startTemporal } from './temporal.js';
import { superviseWorker } from './worker-supervisor.js';
import { serviceLogger } from './logging.js';
import { releaseMemoryWhenIdle } from './memory-release.js';

// JSON lines on stdout at TANDEM_LOG_LEVEL (debug unless NODE_ENV=production); the worker child writes its own.
const log = serviceLogger('start');
releaseMemoryWhenIdle();
const say = (line: string) => log.info(line);

try {
  ensureClientBuilt(say);
  buildDocsInBackground(say);
  const env = readEnvironment();
  if (!env.temporalAddress) say(`Starting the Temporal dev server (state in ${defaultDevServerDb(env.dataDir)})...`);
  const temporal = await startTemporal(env.temporalAddress, { dbFile: defaultDevServerDb(env.dataDir), port: 7233, namespace: env.temporalNamespace });
  const bus: ExecutionEventBus = env.redisUrl ? new RedisEventBus({ url: env.redisUrl }) : new InProcessEventBus();
  const config = { ...readServerConfig(), dataDir: env.dataDir, temporalAddress: temporal.address, taskQueue: env.taskQueue };
  const server = await startTandemServer({ config, bus, logger: log, extend: (app) => [serveDocs(), serveClient()].forEach((routes) => routes(app)) });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: env.temporalNamespace });
  const worker = superviseWorker({
    env: {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: env.temporalNamespace,
      TEMPORAL_TASK_QUEUE: server.taskQueue,
      TANDEM_INSTALLATION_ID: server.installation.id,
      TANDEM_DATA_DIR: env.dataDir,
    },
    bus,
    log: say,
    shutdownGraceMs: env.shutdownGraceMs,
    afterCrash: async () => {
      await quarantinePoisonedRuns(client, server.taskQueue, { log: say });
    },
  });
  let stopping = false;
  const stop = async () => {
    await server.close();
    say('API server closed; draining the worker...');
    await worker.stop();
    await connection.close();
    await bus.close();
    await temporal.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      say(`${signal}: closing subscriptions, draining requests and the worker, stopping Temporal...`);
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          log.fatal({ err: error }, 'stopping failed');
          process.exit(1);
        },
      );
    });
  }
  await worker.ready.catch(async (error: unknown) => {
    await stop().catch(() => {});
    throw error;
  });
  say(`Temporal at ${temporal.address}${temporal.owned ? ' (dev server)' : ''}; worker polling task queue "${server.taskQueue}"`);
  say(
    `Tandem is running: the web client at ${server.url}/, the documentation at ${server.url}/docs/, GraphQL at ${server.url}/graphql (health: /healthz, readiness: /readyz)`,
  );
} catch (error) {
  // The install script has already said what to install or set; anything else is shown as is.
  log.fatal({ err: error }, (error as Error).message);
  process.exit(1);
}
