import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { ExecutionStatus, JsonValue, RunError } from '@tandem/schema';
import { Execution } from './entities.js';
import { isPostgres, type Database } from './orm.js';
import { onSqlite } from './sqlite-connection.js';
import { preparedOn } from './sqlite-statements.js';

/** Columns of a run's row that move while it runs (updatedAt with every write). */
export interface RowFields {
  status?: ExecutionStatus;
  temporalRunId?: string;
  finishedAt?: Date;
  result?: JsonValue | null;
  error?: RunError | null;
  updatedAt: Date;
}

/** What an event moves on its run's row (the columns `EventIngest` keeps in step with the run). */
export type RowMove = RowFields & { status: ExecutionStatus };

/**
 * Writes a move on a run's row, inside the caller's transaction, with one `update … returning *`
 * and no read before it: the row as it now is, or null when no row matched (none with that id,
 * or, with `from`, none in that status: someone else moved it). The flush of the caller's
 * transaction writes nothing more for it.
 */
export type RowMoveWrite = (em: EntityManager, id: string, from: ExecutionStatus | null, move: RowMove) => Promise<Execution | null>;

/** SQLite: a statement prepared once per connection (sqlite-statements.ts); PostgreSQL: the query builder. */
export function rowMoveFor(db: Database): RowMoveWrite {
  return isPostgres(db) ? moveWithQueryBuilder : moveOnSqlite;
}

/** The columns a write sets, in a fixed order (so each shape of write is one prepared statement). */
function columnsOf(move: RowFields, date: (d: Date) => unknown): Array<[string, unknown]> {
  const columns: Array<[string, unknown]> = [];
  if (move.status !== undefined) columns.push(['status', move.status]);
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
  const row = preparedOn(connection, sql).get(...values) as SqliteExecutionRow | undefined;
  return row ? executionOfSqliteRow(row) : null;
}

/** A row of `executions` as better-sqlite3 returns it: dates as epoch milliseconds, JSON as text. */
export interface SqliteExecutionRow {
  id: string;
  workflow_id: string;
  version_id: string;
  version_number: number;
  started_by_id: string;
  status: ExecutionStatus;
  input: string;
  result: string | null;
  error: string | null;
  started_at: number;
  finished_at: number | null;
  updated_at: number;
  temporal_workflow_id: string;
  temporal_run_id: string;
  parent_execution_id: string | null;
  parent_node_id: string | null;
  retry_of_id: string | null;
  retry_from_node_id: string | null;
}

/**
 * The run a row holds, as `em.map` would make it (server/test/execution-row.test.ts holds the
 * two equal, property by property): mapping through the ORM cost more than the update itself.
 * Not managed by any entity manager, so no flush writes it again.
 */
export function executionOfSqliteRow(row: SqliteExecutionRow): Execution {
  const json = <T>(text: string | null) => (text === null ? null : (JSON.parse(text) as T));
  return Object.assign(new Execution(), {
    id: row.id,
    workflowId: row.workflow_id,
    versionId: row.version_id,
    versionNumber: row.version_number,
    startedById: row.started_by_id,
    status: row.status,
    input: JSON.parse(row.input) as JsonValue,
    result: json<JsonValue>(row.result),
    error: json<RunError>(row.error),
    startedAt: new Date(row.started_at),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at),
    updatedAt: new Date(row.updated_at),
    temporalWorkflowId: row.temporal_workflow_id,
    temporalRunId: row.temporal_run_id,
    parentExecutionId: row.parent_execution_id,
    parentNodeId: row.parent_node_id,
    retryOfId: row.retry_of_id,
    retryFromNodeId: row.retry_from_node_id,
  });
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

/**
 * The writes of a run's row outside event moves: at its start (ExecutionService.launch) the row
 * inserted before the run starts, then Temporal's run id (or the failure to start) set on it; and
 * event ingest's touch of `updatedAt` while the run goes on. On SQLite each is one statement
 * prepared once per connection, without the ORM around it; on PostgreSQL the ORM's single
 * statements.
 */
export interface RunRowWrites {
  /** Inserts the row; a UniqueConstraintViolationException when a row with its id exists. */
  insert(em: EntityManager | undefined, execution: Execution): Promise<void>;
  /** Sets columns of the row with one update. */
  set(em: EntityManager | undefined, id: string, fields: RowFields): Promise<void>;
}

export function runRowWritesFor(db: Database): RunRowWrites {
  if (isPostgres(db)) {
    return {
      insert: (em, execution) => (em ?? db.em.fork()).insert(execution).then(() => undefined),
      set: (em, id, fields) => (em ?? db.em.fork()).nativeUpdate(Execution, { id }, fields).then(() => undefined),
    };
  }
  return {
    insert: (em, execution) => onSqlite(db, em, (connection) => insertOnSqlite(connection, execution)),
    set: (em, id, fields) =>
      onSqlite(db, em, (connection) => {
        const columns = columnsOf(fields, (d) => d.getTime());
        const sql = `update \`executions\` set ${columns.map(([name]) => `\`${name}\` = ?`).join(', ')} where \`id\` = ?`;
        preparedOn(connection, sql).run(...columns.map(([, value]) => value), id);
      }),
  };
}

const INSERT_RUN_SQL =
  'insert into `executions` (`id`, `workflow_id`, `version_id`, `version_number`, `started_by_id`, `status`, `input`, `result`, `error`, ' +
  '`started_at`, `finished_at`, `updated_at`, `temporal_workflow_id`, `temporal_run_id`, `parent_execution_id`, `parent_node_id`, `retry_of_id`, `retry_from_node_id`) ' +
  'values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

/** The row as the ORM writes it on SQLite: dates as epoch milliseconds, JSON as text. */
function insertOnSqlite(connection: SqliteDatabase, e: Execution): void {
  const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
  try {
    preparedOn(connection, INSERT_RUN_SQL).run(
      e.id,
      e.workflowId,
      e.versionId,
      e.versionNumber,
      e.startedById,
      e.status,
      JSON.stringify(e.input),
      json(e.result),
      json(e.error),
      e.startedAt.getTime(),
      e.finishedAt?.getTime() ?? null,
      e.updatedAt.getTime(),
      e.temporalWorkflowId,
      e.temporalRunId,
      e.parentExecutionId ?? null,
      e.parentNodeId ?? null,
      e.retryOfId ?? null,
      e.retryFromNodeId ?? null,
    );
  } catch (error) {
    // As the ORM reports it, so callers tell a duplicate id apart the same way on both databases.
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') throw new UniqueConstraintViolationException(error as Error);
    throw error;
  }
}

/** Reads a run's row by id, outside any transaction: the read behind `execution(id)`, the API's most frequent. */
export type ExecutionRead = (id: string) => Promise<Execution | null>;

/** SQLite: one statement prepared once per connection, mapped by hand; PostgreSQL: the ORM. */
export function executionReadFor(db: Database): ExecutionRead {
  if (isPostgres(db)) return (id) => db.em.fork().findOne(Execution, { id });
  return (id) =>
    onSqlite(db, undefined, (connection) => {
      const row = preparedOn(connection, 'select * from `executions` where `id` = ?').get(id) as SqliteExecutionRow | undefined;
      return row ? executionOfSqliteRow(row) : null;
    });
}
