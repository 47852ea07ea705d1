// What a worker process takes from the API server's package: its database (for the installation's
// task queue and the secrets http.request nodes use), the metrics listener and the poller check.
// A worker imports this, not `@tandem/server`: the whole server (GraphQL schema, Apollo, Express,
// collaboration) would add about 60 MiB to every worker process for nothing it runs. The database
// (ORM and driver, about 30 MiB more) is loaded only when a worker needs it.
import type { DatabaseOptions } from './db/orm.js';
import type { Installation } from './installation.js';

export { metricsEnabled } from './config.js';
export type { DatabaseOptions, Installation };
export { openSecretResolver, type WorkerSecretsOptions } from './secrets/worker-resolver.js';
export { serveMetrics, parseListenAddress, type MetricsListener } from './metrics/metrics-http.js';
export { recentPollers } from './health/readiness.js';

/** The installation's id and task queue, read from its database (opened for this read alone, and closed). */
export async function readInstallation(options: DatabaseOptions): Promise<Installation> {
  const [{ openDatabase }, { loadInstallation }] = await Promise.all([import('./db/orm.js'), import('./installation.js')]);
  const db = await openDatabase(options);
  try {
    return await loadInstallation(db);
  } finally {
    await db.close();
  }
}
