import type { EntityManager } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { ExecutionStatus, JsonValue, RunError } from '@tandem/schema';
import { Execution } from './entities.js';
import { isPostgres, type Database } from './orm.js';
import { preparedOn } from './sqlite-statements.js';

/** What an event moves on its run's row (the columns `EventIngest` keeps in step with the run). */
export interface RowMove {
  status: ExecutionStatus;
  temporalRunId?: string;
  finishedAt?: Date;
  result?: JsonValue | null;
  error?: RunError | null;
  updatedAt: Date;
}

/**
 * Writes a move on a run's row, inside the caller's transaction, with one `update … returning *`
 * and no read before it: the row as it now is, or null when no row matched (none with that id,
 * or, with `from`, none in that status: someone else moved it). The returned row is managed by
 * `em` and clean, so the transaction's flush writes nothing more for it.
 */
export type RowMoveWrite = (em: EntityManager, id: string, from: ExecutionStatus | null, move: RowMove) => Promise<Execution | null>;

/** SQLite: a statement prepared once per connection (sqlite-statements.ts); PostgreSQL: the query builder. */
export function rowMoveFor(db: Database): RowMoveWrite {
  return isPostgres(db) ? moveWithQueryBuilder : moveOnSqlite;
}

/** The columns a move sets, in a fixed order (so each shape of move is one prepared statement). */
function columnsOf(move: RowMove, date: (d: Date) => unknown): Array<[string, unknown]> {
  const columns: Array<[string, unknown]> = [['status', move.status]];
  if (move.temporalRunId !== undefined) columns.push(['temporal_run_id', move.temporalRunId]);
  if (move.finishedAt !== undefined) columns.push(['finished_at', date(move.finishedAt)]);
  // JSON as text on both (an array bound as is would be a PostgreSQL array).
  if (move.result !== undefined) columns.push(['result', move.result === null ? null : JSON.stringify(move.result)]);
  if (move.error !== undefined) columns.push(['error', move.error === null ? null : JSON.stringify(move.error)]);
  columns.push(['updated_at', date(move.updatedAt)]);
  return columns;
}

function transactionOf(em: EntityManager): Knex.Transaction {
  const transaction = em.getTransactionContext<Knex.Transaction>();
  if (!transaction) throw new Error('run rows are moved inside a transaction');
  return transaction;
}

async function moveOnSqlite(em: EntityManager, id: string, from: ExecutionStatus | null, move: RowMove): Promise<Execution | null> {
  // A transaction's client hands out the transaction's own connection.
  const connection = (await transactionOf(em).client.acquireConnection()) as SqliteDatabase;
  // Dates as the ORM writes them on SQLite: epoch milliseconds.
  const columns = columnsOf(move, (d) => d.getTime());
  const sql =
    `update \`executions\` set ${columns.map(([name]) => `\`${name}\` = ?`).join(', ')} where \`id\` = ?` +
    (from === null ? '' : ' and `status` = ?') +
    ' returning *';
  const values = [...columns.map(([, value]) => value), id, ...(from === null ? [] : [from])];
  const row = preparedOn(connection, sql).get(...values) as Record<string, unknown> | undefined;
  return row ? em.map(Execution, row) : null;
}

async function moveWithQueryBuilder(em: EntityManager, id: string, from: ExecutionStatus | null, move: RowMove): Promise<Execution | null> {
  // Dates as the ORM binds them on PostgreSQL: ISO 8601 in UTC.
  const columns = Object.fromEntries(columnsOf(move, (d) => d.toISOString()));
  const rows = (await transactionOf(em)('executions')
    .where({ id, ...(from === null ? {} : { status: from }) })
    .update(columns)
    .returning('*')) as Array<Record<string, unknown>>;
  return rows[0] ? em.map(Execution, rows[0]) : null;
}
