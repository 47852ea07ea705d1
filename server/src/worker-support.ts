// What a worker process takes from the API server's package: its database (for the installation's
// task queue and the secrets http.request nodes use), the metrics listener and the poller check.
// A worker imports this, not `@tandem/server`: the whole server (GraphQL schema, Apollo, Express,
// collaboration) would add about 60 MiB to every worker process for nothing it runs.
export { metricsEnabled } from './config.js';
export { loadInstallation, type Installation } from './installation.js';
export { openDatabase, type Database, type DatabaseOptions } from './db/orm.js';
export { openSecretResolver, type WorkerSecretsOptions } from './secrets/resolver.js';
export { serveMetrics, parseListenAddress, type MetricsListener } from './metrics/metrics-http.js';
export { recentPollers } from './health/readiness.js';
