import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Knex } from '@mikro-orm/better-sqlite';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { preparedOn } from './sqlite-statements.js';
import type { EmittedEvent, JsonValue } from '@tandem/schema';
import { ExecutionEvent } from './entities.js';
import { isPostgres, type Database } from './orm.js';

/** Inserts an event unless one with its execution and sequence is stored; the new row's id, or null. */
export type EventInsert = (em: EntityManager, event: EmittedEvent) => Promise<string | null>;

/** The columns of a stored event, as the ORM maps them. */
export function eventColumns(event: EmittedEvent) {
  return {
    executionId: event.executionId,
    sequence: event.sequence,
    type: event.type,
    nodeId: event.nodeId,
    at: new Date(event.at),
    data: event.data as JsonValue,
  };
}

/**
 * The insert of every execution event, the statement a run writes most (ten times for a
 * three-step flow). On SQLite it is one statement prepared once per connection (sqlite-statements.ts) and run on the
 * connection of the caller's transaction, with the values written as the ORM writes them (a
 * date as epoch milliseconds, JSON as text): the ORM and query builder around it cost many
 * times the statement itself. On PostgreSQL it goes through the query builder.
 */
export function eventInsertFor(db: Database): EventInsert {
  return isPostgres(db) ? insertWithQueryBuilder : insertOnSqlite;
}

async function insertWithQueryBuilder(em: EntityManager, event: EmittedEvent): Promise<string | null> {
  const result = await (em as SqlEntityManager)
    .createQueryBuilder(ExecutionEvent)
    // In the same insert: whole values cost the hot path nothing when, as usual, there are none.
    .insert({ ...eventColumns(event), stepValues: event.values ?? null })
    .onConflict(['executionId', 'sequence'])
    .ignore()
    .execute('run');
  return result.affectedRows > 0 && result.insertId !== undefined ? String(result.insertId) : null;
}

const INSERT_EVENT_SQL =
  'insert into `execution_events` (`execution_id`, `sequence`, `type`, `node_id`, `at`, `data`, `step_values`) values (?, ?, ?, ?, ?, ?, ?) ' +
  'on conflict (`execution_id`, `sequence`) do nothing';

async function insertOnSqlite(em: EntityManager, event: EmittedEvent): Promise<string | null> {
  const transaction = em.getTransactionContext<Knex.Transaction>();
  if (!transaction) throw new Error('execution events are inserted inside a transaction');
  // A transaction's client hands out the transaction's own connection.
  const connection = (await transaction.client.acquireConnection()) as SqliteDatabase;
  const { changes, lastInsertRowid } = preparedOn(connection, INSERT_EVENT_SQL).run(
    event.executionId,
    event.sequence,
    event.type,
    event.nodeId,
    new Date(event.at).getTime(),
    JSON.stringify(event.data),
    event.values === undefined ? null : JSON.stringify(event.values),
  );
  return changes > 0 ? String(lastInsertRowid) : null;
}
