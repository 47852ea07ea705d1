import { DefaultLogger, type LogLevel } from '@temporalio/worker';
import { createLogger, logLevel, useProcessLogger, type Logger } from '@tandem/worker';

/**
 * The Temporal SDK's level: TANDEM_LOG_LEVEL when set (its core is far too chatty at debug to
 * follow our development default), else INFO. Levels Temporal lacks become ERROR.
 */
export function temporalLogLevel(env: NodeJS.ProcessEnv = process.env): LogLevel {
  if (!env.TANDEM_LOG_LEVEL?.trim()) return 'INFO';
  const level = logLevel(env);
  return level === 'fatal' || level === 'silent' ? 'ERROR' : (level.toUpperCase() as LogLevel);
}

/** The Temporal SDK's own lines (worker, core) as lines of our logger, so a process writes one format. */
export function temporalRuntimeLogger(logger: Logger, env: NodeJS.ProcessEnv = process.env): DefaultLogger {
  const log = logger.child({ component: 'temporal' });
  return new DefaultLogger(temporalLogLevel(env), ({ level, message, meta }) => {
    const method = level === 'TRACE' ? 'trace' : level === 'DEBUG' ? 'debug' : level === 'INFO' ? 'info' : level === 'WARN' ? 'warn' : 'error';
    log[method](meta ?? {}, message);
  });
}

/** A service process's logger (api, worker, start), set as the process's for everything that logs without one. */
export function serviceLogger(name: string): Logger {
  return useProcessLogger(createLogger({ name }));
}
