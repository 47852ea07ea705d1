import type { EntityManager } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { knexOf, type Database } from './orm.js';

/**
 * Runs `use` on an SQLite connection: the one of `em`'s transaction when it is in one, else one
 * from the pool (the database's one connection, once no transaction holds it), as an ORM
 * statement would. For statements prepared with `preparedOn`, which bypass the ORM and knex.
 */
export async function onSqlite<T>(db: Database, em: EntityManager | undefined, use: (connection: SqliteDatabase) => T): Promise<T> {
  const client = (em?.getTransactionContext<Knex.Transaction>() ?? knexOf(db)).client;
  const connection = (await client.acquireConnection()) as SqliteDatabase;
  try {
    return use(connection);
  } finally {
    await client.releaseConnection(connection);
  }
}
