import { randomUUID } from 'node:crypto';
import { deploymentValue } from './db/deployment-values.js';
import { knexOf, type Database } from './db/orm.js';

/** One Tandem deployment: its database, and the API servers and workers that share it. */
export interface Installation {
  id: string;
  /**
   * The Temporal task queue its runs go to unless TEMPORAL_TASK_QUEUE says otherwise. Each
   * installation has its own, so two installations pointed at one Temporal server never run
   * each other's workflows (a worker on a shared queue runs every run on it, and the events
   * go to its own installation).
   */
  taskQueue: string;
}

/** The queue of every installation before queues were per installation. */
const LEGACY_TASK_QUEUE = 'tandem';

/** Reads this database's installation, creating it on first start. */
export async function loadInstallation(db: Database): Promise<Installation> {
  const id = await deploymentValue(db, 'installation-id', () => randomUUID());
  const taskQueue = await deploymentValue(db, 'installation-task-queue', async () =>
    // An installation that already deployed or ran workflows keeps the queue its runs and
    // schedules already use; a new one gets its own.
    (await hasHistory(db)) ? LEGACY_TASK_QUEUE : `tandem-${id.slice(0, 8)}`,
  );
  return { id, taskQueue };
}

async function hasHistory(db: Database): Promise<boolean> {
  const knex = knexOf(db);
  const [version, execution] = await Promise.all([knex('workflow_versions').first('id'), knex('executions').first('id')]);
  return Boolean(version ?? execution);
}
