import type { FilterQuery } from '@mikro-orm/core';
import type { ExecutionStatus } from '@tandem/schema';
import { Execution, Workflow } from './entities.js';
import { executionOfSqliteRow, type SqliteExecutionRow } from './execution-row.js';
import { isPostgres, type Database } from './orm.js';
import { onSqlite } from './sqlite-connection.js';
import { preparedOn } from './sqlite-statements.js';
import { afterCursor, newestFirst, rowidPageSql } from './rowid-page.js';
import type { VisibleWorkflows } from './workflow-page.js';

/** Which runs a list asks for (all of them: the runs of every workflow the user may read). */
export interface ExecutionFilter {
  workflowId?: string | null;
  status?: ExecutionStatus | null;
  startedFrom?: Date | null;
  startedBefore?: Date | null;
  finishedFrom?: Date | null;
  finishedBefore?: Date | null;
}

/** A page of runs, most recently started first: one row more than `limit` when there is a next page. */
export interface ExecutionPageQuery {
  userId: string;
  limit: number;
  /** After this run: its `startedAt` in ms and its id (a cursor of the API). */
  after: readonly [number, string] | null;
  filter: ExecutionFilter;
}

export interface ExecutionPageRows {
  rows: Execution[];
  totalCount: number;
}

/**
 * The runs list, `executions(first, after, filter)`, which run pages and dashboards poll. On
 * SQLite it is two statements (a count and a page) per filter shape, each prepared once per
 * connection, mapped by hand (the ORM's four
 * queries and entities cost most of the API's time under the load test's readers); PostgreSQL
 * goes through the ORM.
 */
export function executionPage(db: Database, visible: VisibleWorkflows, query: ExecutionPageQuery): Promise<ExecutionPageRows> {
  return isPostgres(db) ? executionPageWithOrm(db, visible, query) : executionPageOnSqlite(db, query);
}

export async function executionPageWithOrm(db: Database, visible: VisibleWorkflows, query: ExecutionPageQuery): Promise<ExecutionPageRows> {
  const { filter, after } = query;
  const em = db.em.fork();
  const readable = await visible(query.userId);
  const owned = await em.find(Workflow, filter.workflowId ? { $and: [readable, { id: filter.workflowId }] } : readable, { fields: ['id'] });
  const where: FilterQuery<Execution> = { workflowId: { $in: owned.map((w) => w.id) } };
  if (filter.status) where.status = filter.status;
  if (filter.startedFrom || filter.startedBefore)
    where.startedAt = { ...(filter.startedFrom && { $gte: filter.startedFrom }), ...(filter.startedBefore && { $lt: filter.startedBefore }) };
  if (filter.finishedFrom || filter.finishedBefore)
    where.finishedAt = { ...(filter.finishedFrom && { $gte: filter.finishedFrom }), ...(filter.finishedBefore && { $lt: filter.finishedBefore }) };
  const totalCount = await em.count(Execution, where);
  const pageWhere: FilterQuery<Execution> = after
    ? { $and: [where, { $or: [{ startedAt: { $lt: new Date(after[0]) } }, { startedAt: new Date(after[0]), id: { $lt: after[1] } }] }] }
    : where;
  const rows = await em.find(Execution, pageWhere, { orderBy: { startedAt: 'desc', id: 'desc' }, limit: query.limit + 1 });
  return { rows, totalCount };
}

/** The runs of the workflows the user owns or is a member of. */
const VISIBLE =
  '`workflow_id` in (select `id` from `workflows` where `owner_id` = ? union all select `workflow_id` from `workflow_members` where `user_id` = ?)';

/** The filter as SQL conditions and their values (dates as the ORM stores them on SQLite: epoch ms). */
function conditionsOf(userId: string, filter: ExecutionFilter): { where: string; values: unknown[] } {
  const parts = [VISIBLE];
  const values: unknown[] = [userId, userId];
  const add = (sql: string, value: unknown) => {
    parts.push(sql);
    values.push(value);
  };
  if (filter.workflowId) add('`workflow_id` = ?', filter.workflowId);
  if (filter.status) add('`status` = ?', filter.status);
  if (filter.startedFrom) add('`started_at` >= ?', filter.startedFrom.getTime());
  if (filter.startedBefore) add('`started_at` < ?', filter.startedBefore.getTime());
  if (filter.finishedFrom) add('`finished_at` >= ?', filter.finishedFrom.getTime());
  if (filter.finishedBefore) add('`finished_at` < ?', filter.finishedBefore.getTime());
  return { where: parts.join(' and '), values };
}

export function executionPageOnSqlite(db: Database, query: ExecutionPageQuery): Promise<ExecutionPageRows> {
  const { where, values } = conditionsOf(query.userId, query.filter);
  const { after, limit } = query;
  const pageSql = rowidPageSql('executions', after ? `${where} and ${afterCursor('started_at')}` : where, 'started_at');
  const pageValues = after ? [...values, after[0], after[0], after[1], limit + 1] : [...values, limit + 1];
  return onSqlite(db, undefined, (connection) => {
    const { count } = preparedOn(connection, `select count(*) as \`count\` from \`executions\` where ${where}`).get(...values) as { count: number };
    const rows = preparedOn(connection, pageSql).all(...pageValues) as SqliteExecutionRow[];
    return { rows: newestFirst(rows, (row) => row.started_at).map(executionOfSqliteRow), totalCount: count };
  });
}
