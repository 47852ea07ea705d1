import type express from 'express';
import { createLogger, InProcessEventBus, processLog, RedisEventBus, useProcessLogger } from '@tandem/worker';
import { readServerConfig } from './config.js';
import { startTandemServer, type TandemServer } from './tandem-server.js';

/**
 * The API server as a process of its own: settings from the environment, events from Redis
 * (or only this process's), and a graceful stop on SIGTERM/SIGINT.
 */
export async function runApiProcess(
  options: { extend?: (app: express.Express) => void; banner?: (server: TandemServer) => string } = {},
): Promise<TandemServer> {
  // JSON lines on stdout at TANDEM_LOG_LEVEL (docs/operations/logging.md).
  const logger = useProcessLogger(createLogger({ name: 'api' }));
  const config = readServerConfig();
  if (!config.redisUrl) logger.warn('REDIS_URL is not set: this server hears only events from workers in its own process.');
  const bus = config.redisUrl ? new RedisEventBus({ url: config.redisUrl }) : new InProcessEventBus();
  const server = await startTandemServer({ config, bus, logger, ...(options.extend ? { extend: options.extend } : {}) });
  logger.info({ url: server.url, taskQueue: server.taskQueue }, options.banner?.(server) ?? `Tandem API on ${server.url}/graphql`);
  stopOnSignals(
    async () => {
      await server.close();
      await bus.close();
    },
    (line) => logger.info(line),
    (error) => logger.fatal({ err: error }, 'stopping failed'),
  );
  return server;
}

/**
 * SIGTERM and SIGINT run `stop` once (a second signal while it runs is ignored), then the
 * process exits: 0 when everything closed, 1 when closing failed. Orchestrators send SIGTERM
 * before a rolling restart and kill the process only after their grace period.
 */
export function stopOnSignals(
  stop: () => Promise<void>,
  log: (line: string) => void = (line) => processLog().info(line),
  fail: (error: unknown) => void = (error) => processLog().fatal({ err: error }, 'stopping failed'),
): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: refusing new connections, closing subscriptions and collaboration sockets, finishing requests in flight...`);
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          fail(error);
          process.exit(1);
        },
      );
    });
  }
}
