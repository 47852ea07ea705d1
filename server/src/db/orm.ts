import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities.js';
import { Migration0001Initial } from './migrations/0001-initial.js';
import { Migration0002Collaboration } from './migrations/0002-collaboration.js';
import { Migration0003Secrets } from './migrations/0003-secrets.js';
import { Migration0004AuditEvents } from './migrations/0004-audit-events.js';
import { Migration0005Replay } from './migrations/0005-replay.js';
import { Migration0006Metrics } from './migrations/0006-metrics.js';
import { Migration0007RunsListIndex } from './migrations/0007-runs-list-index.js';
import { redactDatabaseErrors } from './redact.js';
import { cacheSqliteStatements } from './sqlite-statements.js';
import { BoundBetterSqliteDriver, BoundPostgreSqlDriver } from './bound-parameters.js';

export type Database = MikroORM;

/** Migrations in order; listed here (not discovered on disk) so source and build behave alike. */
const MIGRATIONS = [
  { name: '0001-initial', class: Migration0001Initial },
  { name: '0002-collaboration', class: Migration0002Collaboration },
  { name: '0003-secrets', class: Migration0003Secrets },
  { name: '0004-audit-events', class: Migration0004AuditEvents },
  { name: '0005-replay', class: Migration0005Replay },
  { name: '0006-metrics', class: Migration0006Metrics },
  { name: '0007-runs-list-index', class: Migration0007RunsListIndex },
];

export interface DatabaseOptions {
  /** postgres://… or unset for SQLite at `sqliteFile`. */
  url: string | undefined;
  sqliteFile: string;
  /** Log statements (without their values: never the `query-params` namespace). */
  debug?: boolean;
  /** Run pending migrations (default). Off for tools that only read a database's state (backups). */
  migrate?: boolean;
}

/** Migration names this build knows, in order: a database's migration level is how many of them it has applied. */
export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map((migration) => migration.name);

/** The embedded database's file in a data directory. */
export function sqliteFileIn(dataDir: string): string {
  return join(dataDir, 'tandem.db');
}

/** Connects, migrates, and returns the ORM. PostgreSQL when a URL is given, else an SQLite file. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const common: Partial<Options> = {
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    // Statement text only: MikroORM's `query-params` namespace (values inlined) stays off.
    debug: options.debug ? ['query', 'info', 'discovery'] : false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
  };
  let orm: MikroORM;
  if (options.url && /^postgres(ql)?:\/\//.test(options.url)) {
    orm = await MikroORM.init({ ...common, driver: BoundPostgreSqlDriver, clientUrl: options.url, pool: { min: 0, max: 10 } } as Options);
  } else if (options.url) {
    throw new Error(`DATABASE_URL must start with postgres:// (got "${options.url.split(':')[0]}:…"); leave it unset for the embedded SQLite file`);
  } else {
    mkdirSync(join(options.sqliteFile, '..'), { recursive: true });
    orm = await MikroORM.init({ ...common, driver: BoundBetterSqliteDriver, dbName: options.sqliteFile } as Options);
    // WAL lets readers proceed while the event writer commits.
    await orm.em.getConnection().execute('pragma journal_mode = wal');
    cacheSqliteStatements(knexOf(orm));
  }
  // Errors of failed statements carry no values (see redact.ts), before anything runs.
  redactDatabaseErrors(knexOf(orm));
  if (options.migrate !== false) await orm.getMigrator().up();
  return orm;
}

/** The query builder under the ORM, for code that works with rows directly (binary documents, secrets). */
export function knexOf(orm: Database) {
  return (orm.em.getConnection() as AbstractSqlConnection).getKnex();
}

export function isPostgres(orm: Database): boolean {
  return orm.config.get('driver') === BoundPostgreSqlDriver;
}
