import { DefaultLogger, NativeConnection, Runtime, type LogLevel, type Worker } from '@temporalio/worker';
import { temporalLogLevel } from './logging.js';
import { createTandemWorker, InProcessEventBus, NetworkPolicy, RedisEventBus, switchSetting, type ExecutionEventBus } from '@tandem/worker';
import { readEnvironment, type TandemEnvironment } from './config.js';
import { defaultDevServerDb, startTemporal, type RunningTemporal } from './temporal.js';

export interface EmbeddedTandem {
  env: TandemEnvironment;
  temporal: RunningTemporal;
  bus: ExecutionEventBus;
  worker: Worker;
  connection: NativeConnection;
  /** Resolves when the worker has stopped. */
  running: Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  env?: TandemEnvironment;
  /** The task queue of the worker started here (the CLI uses its own so it never steals another process's tasks). */
  taskQueue: string;
  /** gRPC port of a dev server started here. */
  devServerPort?: number;
  log?: (line: string) => void;
  /** Keep the dev server's state in the data dir (false: in memory). Default true. */
  persist?: boolean;
  /** Temporal SDK log level; TANDEM_LOG_LEVEL or INFO by default. */
  sdkLogLevel?: LogLevel;
}

/** Temporal (dev server unless TEMPORAL_ADDRESS), the event bus and a worker, in this process (for the workflow CLI; `npm start` runs its worker in a child process). */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedTandem> {
  const env = options.env ?? readEnvironment();
  const log = options.log ?? ((line: string) => console.log(line));
  const level = options.sdkLogLevel ?? temporalLogLevel();
  // Shutdown is ours to order (API, then worker, then Temporal): the SDK must not act on signals itself.
  Runtime.install({ logger: new DefaultLogger(level), shutdownSignals: [] });
  const persist = options.persist ?? true;
  if (!env.temporalAddress) log(`Starting the Temporal dev server (${persist ? `state in ${defaultDevServerDb(env.dataDir)}` : 'in memory'})...`);
  const temporal = await startTemporal(env.temporalAddress, {
    ...(persist ? { dbFile: defaultDevServerDb(env.dataDir) } : {}),
    port: options.devServerPort === 0 ? undefined : (options.devServerPort ?? 7233),
    namespace: env.temporalNamespace,
  });
  const bus: ExecutionEventBus = env.redisUrl ? new RedisEventBus({ url: env.redisUrl }) : new InProcessEventBus();
  const connection = await NativeConnection.connect({ address: temporal.address });
  const taskQueue = options.taskQueue;
  const worker = await createTandemWorker({
    connection,
    namespace: env.temporalNamespace,
    taskQueue,
    bus,
    workflowStackTraces: switchSetting(process.env, 'TANDEM_WORKFLOW_STACK_TRACES', false),
    activities: { http: { policy: NetworkPolicy.fromEnvironment(process.env.TANDEM_HTTP_ALLOW) } },
  });
  const running = worker.run();
  log(`Temporal at ${temporal.address}${temporal.owned ? ' (dev server)' : ''}; worker polling task queue "${taskQueue}"`);
  let stopped: Promise<void> | undefined;
  return {
    env,
    temporal,
    bus,
    worker,
    connection,
    running,
    stop() {
      stopped ??= (async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => {});
        await bus.close();
        await connection.close();
        await temporal.stop();
      })();
      return stopped;
    },
  };
}
