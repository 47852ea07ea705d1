import { pino, type DestinationStream, type Level, type Logger } from 'pino';

export type { Logger } from 'pino';

/** What TANDEM_LOG_LEVEL may say (any case); `off` is `silent`. Temporal's names (WARN, ERROR, …) are the same words. */
const LEVELS = new Set<string>(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

/**
 * The level of a process's logs: TANDEM_LOG_LEVEL when set, else info in production, silent
 * under tests (the suite stays quiet; a test that reads logs gives its own logger), debug otherwise.
 */
export function logLevel(env: NodeJS.ProcessEnv = process.env): Level | 'silent' {
  const given = env.TANDEM_LOG_LEVEL?.trim().toLowerCase();
  if (given) {
    const level = given === 'off' ? 'silent' : given;
    if (!LEVELS.has(level)) throw new Error(`TANDEM_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, not "${env.TANDEM_LOG_LEVEL}"`);
    return level as Level | 'silent';
  }
  if (env.NODE_ENV === 'production') return 'info';
  if (env.NODE_ENV === 'test' || env.VITEST) return 'silent';
  return 'debug';
}

/**
 * Fields that never reach a log line, wherever a call site puts them: credentials in headers,
 * passwords, bearer and session tokens, webhook secrets, secret values. Call sites log ids and
 * names, never request bodies or variables; this is the net under that rule.
 */
export const REDACTED_PATHS = [
  'password',
  'token',
  'secret',
  'value',
  'authorization',
  'cookie',
  '*.password',
  '*.token',
  '*.secret',
  '*.value',
  '*.authorization',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["x-tandem-webhook-secret"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-tandem-webhook-secret"]',
  'variables',
  '*.variables',
];

export interface LoggerOptions {
  /** The process this is (`api`, `worker`, `start`): every line says it. */
  name: string;
  level?: Level | 'silent';
  /** Where lines go; stdout by default (one JSON object a line). */
  destination?: DestinationStream;
}

/** A process's logger: JSON lines with level, time and msg, at the environment's level, redacting credentials. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? logLevel(),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Level names, not numbers: the lines are read by people as often as by collectors.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

let processLogger: Logger | undefined;

/**
 * The process's logger, for code that logs outside a request or run and is given none (event
 * buses, Redis reconnects): the one an entry point set with `useProcessLogger`, else one at the
 * environment's level.
 */
export function processLog(): Logger {
  processLogger ??= createLogger({ name: 'tandem' });
  return processLogger;
}

/** Entry points (api, worker, npm start) name the process's logger once, before anything logs. */
export function useProcessLogger(logger: Logger): Logger {
  processLogger = logger;
  return logger;
}
