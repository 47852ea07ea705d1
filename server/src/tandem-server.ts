import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { processLog, type ExecutionEventBus, type Logger } from '@tandem/worker';
import type { ServerConfig } from './config.js';
import { openDatabase, type Database } from './db/orm.js';
import type { Services } from './graphql/context.js';
import { buildApiSchema } from './graphql/schema.js';
import { createHttpServer } from './http/app.js';
import { AccountService } from './services/accounts.js';
import { EventIngest } from './services/event-ingest.js';
import { EventStreams } from './services/event-streams.js';
import { ExecutionService } from './services/executions.js';
import { WorkflowService } from './services/workflows.js';
import { ScheduleService } from './services/schedules.js';
import { TemplateService } from './services/templates.js';
import type express from 'express';
import { AccessService } from './services/access.js';
import { CollabService, DEFAULT_COLLAB_OPTIONS } from './collab/collab-service.js';
import { loadInstallation, type Installation } from './installation.js';
import { SecretService } from './services/secrets.js';
import { AuditService } from './services/audit.js';
import { ReplayService } from './services/replay.js';
import { loadKeyring } from './secrets/keyring.js';
import { RetentionJob } from './services/retention.js';
import { eventLagCheck, workerPollingCheck } from './health/readiness.js';
import { MetricsService } from './services/metrics.js';
import { SystemService } from './services/system.js';
import { readSystemFigures } from './metrics/system-figures.js';
import { ServerMetrics } from './metrics/prometheus.js';
import { countWebsockets, describeTaskQueue, runsInProgress } from './metrics/scrape-sources.js';
import { operationMetricsPlugin } from './metrics/graphql-plugin.js';
import { metricsHandler, parseListenAddress, serveMetrics, type MetricsListener } from './metrics/metrics-http.js';

export interface TandemServerOptions {
  config: ServerConfig;
  /** Where execution events arrive from workers: shared in-process, or Redis. */
  bus: ExecutionEventBus;
  /** Extra routes, e.g. the built web client. */
  extend?: (app: express.Express) => void;
  /** Structured logs: one line per request and per run transition (the process's logger by default). */
  logger?: Logger;
  /** Plain lines of the parts that report progress (keyring, collaboration, retention); info lines of `logger` by default. */
  log?: (line: string) => void;
}

export interface TandemServer {
  url: string;
  port: number;
  db: Database;
  services: Services;
  installation: Installation;
  /** The task queue runs are started on: TEMPORAL_TASK_QUEUE, or the installation's own. */
  taskQueue: string;
  /** Stops accepting, closes subscriptions, drains, then closes the database and Temporal connection. */
  close(): Promise<void>;
}

/** The API server: database (migrated), Temporal client, event pipeline, GraphQL over HTTP and websockets. */
export async function startTandemServer(options: TandemServerOptions): Promise<TandemServer> {
  const { config } = options;
  const startedAt = new Date();
  const logger = options.logger ?? processLog();
  const log = options.log ?? ((line: string) => logger.info(line));
  // Before anything opens: a malformed key stops the server at once.
  const keyring = loadKeyring({ key: config.secretsKey, keys: config.secretsKeys, dataDir: config.dataDir, generate: true, log });
  const db = await openDatabase({ url: config.databaseUrl, sqliteFile: join(config.dataDir, 'tandem.db') });
  const installation = await loadInstallation(db);
  const taskQueue = config.taskQueue ?? installation.taskQueue;
  const connection = await Connection.connect({ address: config.temporalAddress });
  const temporal = new Client({ connection, namespace: config.temporalNamespace });
  const schedules = new ScheduleService(temporal, taskQueue, db);
  const access = new AccessService(db);
  const collab = await CollabService.create(db, access, {
    ...DEFAULT_COLLAB_OPTIONS,
    redisUrl: config.redisUrl,
    ticketTtlMs: config.collabTicketTtlMs,
    idleUnloadMs: config.collabIdleUnloadMs,
    maxDocumentBytes: config.collabMaxDocumentBytes,
    log,
  });
  const workflows = new WorkflowService(db, access, collab.drafts, schedules);
  const events = new EventStreams(db, { subscriberBuffer: config.subscriberBuffer });
  const readiness: Record<string, () => Promise<unknown>> = {
    database: () => db.em.getConnection().execute('select 1'),
    temporal: () => connection.workflowService.getSystemInfo({}),
    eventBus: () => options.bus.ping(),
    ...(config.redisUrl ? { redis: () => collab.ping() } : {}),
    worker: workerPollingCheck(connection, config.temporalNamespace, taskQueue),
    // eventLag: added once the ingest exists (below).
  };
  // Counted from the HTTP server's upgrades once it exists (below).
  const websockets = { count: (): Record<string, number> => ({}) };
  const taskQueueFigures = describeTaskQueue(connection, config.temporalNamespace, taskQueue);
  // TANDEM_METRICS=off: the figures exist (systemMetrics reads them) but nothing observes or serves them.
  const prometheus = new ServerMetrics(
    config.metrics
      ? { websocketConnections: () => websockets.count(), taskQueue: taskQueueFigures, runsInProgress: runsInProgress(db), dependencies: readiness }
      : {},
    { processMetrics: config.metrics },
  );
  const metrics = new MetricsService(db, access, prometheus, {
    flushMs: config.metricsFlushMs,
    retentionMs: config.metricsRetentionDays * 86_400_000,
    rollUpAfterMs: 86_400_000,
    logger,
  });
  const eventIngest = new EventIngest(db, options.bus, temporal, events, config.metrics ? (event) => metrics.stored(event) : undefined, logger);
  const executions = new ExecutionService(db, temporal, taskQueue, workflows, eventIngest);
  const services: Services = {
    accounts: new AccountService(db, config.sessionTtlMs),
    workflows,
    executions,
    events,
    eventIngest,
    schedules,
    templates: new TemplateService(db, workflows),
    access,
    collab,
    secrets: new SecretService(db, keyring),
    audit: new AuditService(db),
    replay: new ReplayService(db, temporal, executions, workflows),
    metrics,
    system: new SystemService(db, () =>
      readSystemFigures(
        prometheus,
        { taskQueue, describeTaskQueue: taskQueueFigures, websocketConnections: () => websockets.count(), eventLag: () => eventIngest.lag() },
        startedAt,
      ),
    ),
  };
  readiness.eventLag = eventLagCheck(() => eventIngest.lag());
  await eventIngest.start();
  if (config.metrics) metrics.start();
  else if (config.metricsAddress) log('TANDEM_METRICS is off: nothing is served at TANDEM_METRICS_ADDRESS');
  // Off unless TANDEM_RETENTION_DAYS is set; one server of the installation sweeps at a time.
  const retention =
    config.retentionDays === undefined
      ? undefined
      : new RetentionJob(db, { days: config.retentionDays, batchSize: config.retentionBatchSize, pauseMs: config.retentionPauseMs, holder: randomUUID(), log });
  retention?.start();
  // Runs may have ended while no server was listening; their rows catch up in the background.
  void executions.reconcileUnfinished().then(
    (changed) => changed > 0 && log(`reconciled ${changed} execution(s) with Temporal`),
    (error: unknown) => log(`reconciling executions failed: ${(error as Error).message}`),
  );

  const http = await createHttpServer({
    schema: await buildApiSchema(),
    services,
    introspection: config.introspection,
    allowedOrigins: config.allowedOrigins,
    maxBodyBytes: config.maxBodyBytes,
    publicUrl: config.publicUrl,
    trustProxy: config.trustProxy,
    collab,
    readiness,
    log: logger,
    plugins: config.metrics ? [operationMetricsPlugin(prometheus)] : [],
    // On the API port unless TANDEM_METRICS_ADDRESS gives it a listener of its own (below).
    ...(!config.metrics || config.metricsAddress ? {} : { metrics: metricsHandler(prometheus.registry, { token: config.metricsToken }) }),
    ...(options.extend ? { extend: options.extend } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    http.server.once('error', reject);
    http.server.listen(config.port, config.host, () => resolve());
  });
  websockets.count = countWebsockets(http.server);
  const metricsListener: MetricsListener | undefined =
    config.metrics && config.metricsAddress
      ? await serveMetrics(prometheus.registry, { ...parseListenAddress(config.metricsAddress, 'TANDEM_METRICS_ADDRESS'), token: config.metricsToken })
      : undefined;
  const port = (http.server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    db,
    services,
    installation,
    taskQueue,
    close() {
      closing ??= (async () => {
        const step = async (name: string, work: Promise<unknown>) => {
          const started = Date.now();
          await work;
          logger.debug({ durationMs: Date.now() - started }, `shutdown: ${name}`);
        };
        http.stopAccepting();
        await step('collaboration', collab.close());
        await step('http', http.close());
        // Streams end first (their clients resume elsewhere), then the bus stops and its position is kept.
        events.close();
        await step('events', eventIngest.stop());
        await step('retention', retention?.stop() ?? Promise.resolve());
        await step('metrics', metrics.stop());
        await step('metrics listener', metricsListener?.close() ?? Promise.resolve());
        await step('temporal connection', connection.close());
        await step('database', db.close());
      })();
      return closing;
    },
  };
}
