import type BetterSqlite3 from 'better-sqlite3';
import { isPostgres, knexOf, MIGRATION_NAMES, type Database } from './orm.js';

// What backup and restore tools need to know about a database, without the API server.

/** MikroORM's table of applied migrations (its default name). */
const MIGRATIONS_TABLE = 'mikro_orm_migrations';

/** The migrations a database has applied, in order; empty for a database Tandem never opened. */
export async function appliedMigrations(db: Database): Promise<string[]> {
  const knex = knexOf(db);
  if (!(await knex.schema.hasTable(MIGRATIONS_TABLE))) return [];
  const rows: Array<{ name: string }> = await knex(MIGRATIONS_TABLE).select('name').orderBy('id');
  return rows.map((row) => row.name);
}

/**
 * Whether a database holding `applied` is newer than this build: it applied a migration this
 * build does not know (a restore would leave tables this code cannot read or write).
 */
export function unknownMigrations(applied: readonly string[]): string[] {
  return applied.filter((name) => !MIGRATION_NAMES.includes(name));
}

/** The names of the tables in the database (its current schema on PostgreSQL). */
export async function tableNames(db: Database): Promise<string[]> {
  const knex = knexOf(db);
  if (isPostgres(db)) {
    const rows: Array<{ table_name: string }> = await knex('information_schema.tables')
      .select('table_name')
      .whereRaw('table_schema = current_schema()')
      .andWhere('table_type', 'BASE TABLE');
    return rows.map((row) => row.table_name).sort();
  }
  const rows: Array<{ name: string }> = await knex('sqlite_master').select('name').where('type', 'table').andWhereNot('name', 'like', 'sqlite_%');
  return rows.map((row) => row.name).sort();
}

export interface SqliteBackupProgress {
  totalPages: number;
  remainingPages: number;
}

/**
 * Copies an SQLite database to `destination` through SQLite's online backup API while others
 * keep writing. A write by another connection restarts the copy, so each restart doubles the
 * pages copied per step: under steady writes the copy still ends, at worst in one step.
 */
export async function sqliteOnlineBackup(db: Database, destination: string, progress?: (progress: SqliteBackupProgress) => void): Promise<void> {
  if (isPostgres(db)) throw new Error('sqliteOnlineBackup needs an SQLite database');
  const client = knexOf(db).client as { acquireConnection(): Promise<BetterSqlite3.Database>; releaseConnection(connection: unknown): Promise<void> };
  const connection = await client.acquireConnection();
  try {
    let rate = 1_000;
    let lastRemaining = Number.POSITIVE_INFINITY;
    await connection.backup(destination, {
      progress: (step) => {
        if (step.remainingPages > lastRemaining) rate *= 2;
        lastRemaining = step.remainingPages;
        progress?.(step);
        return rate;
      },
    });
  } finally {
    await client.releaseConnection(connection);
  }
}
