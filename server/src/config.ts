import { resolve } from 'node:path';
import { switchSetting } from '@tandem/worker';

/** Server settings from the environment, with the embedded defaults. */
export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  /** postgres://… for PostgreSQL; unset for the embedded SQLite file under dataDir. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  temporalAddress: string;
  temporalNamespace: string;
  /** Task queue of this installation's runs; unset: the installation's own (see loadInstallation). */
  taskQueue: string | undefined;
  /** Introspection and the landing page; on outside production unless set. */
  introspection: boolean;
  /** Browser origins allowed to open websockets (and CORS); empty allows same-origin and non-browser clients. */
  allowedOrigins: string[];
  /** Largest request body, bytes. */
  maxBodyBytes: number;
  sessionTtlMs: number;
  /** Live events one subscriber may have pending before it is told to resume with `after`. */
  subscriberBuffer: number;
  /** TANDEM_SECRETS_KEY: the key that encrypts users' secrets (base64 of 32 bytes, or id:base64); unset: a key generated into dataDir. */
  secretsKey: string | undefined;
  /** TANDEM_SECRETS_KEYS: older keys (id:base64,…) still accepted for reading until `npm run secrets:rotate`. */
  secretsKeys: string | undefined;
  /** The address clients reach this server at (for collaboration URLs); taken from each request when unset. */
  publicUrl: string | undefined;
  /** How long a collaboration ticket may be used to open a socket. */
  collabTicketTtlMs: number;
  /** A document nobody is connected to is unloaded from memory after this long. */
  collabIdleUnloadMs: number;
  /** Stored size (history included) past which a workflow's document takes no more edits. */
  collabMaxDocumentBytes: number;
  /**
   * Express's `trust proxy`: which proxies in front may tell the client's address and protocol
   * (X-Forwarded-For, X-Forwarded-Proto). Unset trusts none (the socket's address and protocol).
   */
  trustProxy: boolean | number | string | undefined;
  /** TANDEM_RETENTION_DAYS: finished runs and their events are deleted this many days after they end; unset keeps them. */
  retentionDays: number | undefined;
  /** Rows one retention batch deletes at most (TANDEM_RETENTION_BATCH_SIZE). */
  retentionBatchSize: number;
  /** Pause between retention batches, ms (TANDEM_RETENTION_PAUSE_MS). */
  retentionPauseMs: number;
  /**
   * TANDEM_METRICS (`on`, the default, or `off`): `off` collects nothing: no Prometheus endpoint or
   * figures, no workflow metrics counted from stored events (what was counted stays readable).
   */
  metrics: boolean;
  /** TANDEM_METRICS_TOKEN: when set, GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** TANDEM_METRICS_ADDRESS (`host:port`): serve /metrics on a listener of its own there instead of on the API port. */
  metricsAddress: string | undefined;
  /** TANDEM_METRICS_RETENTION_DAYS: how long workflow metrics are kept (30). */
  metricsRetentionDays: number;
  /** TANDEM_METRICS_FLUSH_MS: how often stored events are counted into the metrics tables (1000). */
  metricsFlushMs: number;
}

export function readServerConfig(env: NodeJS.ProcessEnv = process.env, root = process.cwd()): ServerConfig {
  const production = env.NODE_ENV === 'production';
  return {
    port: Number(env.PORT ?? 4000),
    host: env.HOST ?? '0.0.0.0',
    dataDir: resolve(root, env.TANDEM_DATA_DIR ?? '.data'),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    temporalAddress: env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
    temporalNamespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE || undefined,
    introspection: env.TANDEM_INTROSPECTION ? env.TANDEM_INTROSPECTION === 'true' : !production,
    allowedOrigins: (env.TANDEM_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    maxBodyBytes: Number(env.TANDEM_MAX_BODY_BYTES ?? 2_000_000),
    sessionTtlMs: Number(env.TANDEM_SESSION_TTL_MS ?? 30 * 86_400_000),
    subscriberBuffer: Number(env.TANDEM_SUBSCRIBER_BUFFER ?? 1_000),
    secretsKey: env.TANDEM_SECRETS_KEY || undefined,
    secretsKeys: env.TANDEM_SECRETS_KEYS || undefined,
    publicUrl: env.TANDEM_PUBLIC_URL || undefined,
    collabTicketTtlMs: Number(env.TANDEM_COLLAB_TICKET_TTL_MS ?? 60_000),
    collabIdleUnloadMs: Number(env.TANDEM_COLLAB_IDLE_UNLOAD_MS ?? 30_000),
    collabMaxDocumentBytes: Number(env.TANDEM_COLLAB_MAX_DOCUMENT_BYTES ?? 32_000_000),
    trustProxy: parseTrustProxy(env.TANDEM_TRUST_PROXY),
    retentionDays: positiveNumber(env, 'TANDEM_RETENTION_DAYS'),
    retentionBatchSize: positiveNumber(env, 'TANDEM_RETENTION_BATCH_SIZE', true) ?? 500,
    retentionPauseMs: positiveNumber(env, 'TANDEM_RETENTION_PAUSE_MS', true) ?? 200,
    metrics: metricsEnabled(env),
    metricsToken: env.TANDEM_METRICS_TOKEN || undefined,
    metricsAddress: env.TANDEM_METRICS_ADDRESS || undefined,
    metricsRetentionDays: positiveNumber(env, 'TANDEM_METRICS_RETENTION_DAYS') ?? 30,
    metricsFlushMs: positiveNumber(env, 'TANDEM_METRICS_FLUSH_MS') ?? 1_000,
  };
}

/** `true`/`false`, a number of hops, or addresses and subnets (`loopback`, `10.0.0.0/8, 127.0.0.1`). */
function parseTrustProxy(value: string | undefined): boolean | number | string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^\d+$/.test(text)) return Number(text);
  return text;
}

/** TANDEM_METRICS: on unless `off` (the API server and the worker both read it). */
export function metricsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return switchSetting(env, 'TANDEM_METRICS', true);
}

/** A setting that must be a number above zero (whole when `whole`); unset or empty is undefined. */
function positiveNumber(env: NodeJS.ProcessEnv, name: string, whole = false): number | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value) || (whole && !Number.isInteger(value))) {
    throw new Error(`${name} must be a ${whole ? 'whole ' : ''}number above 0, not "${text}"`);
  }
  return value;
}
