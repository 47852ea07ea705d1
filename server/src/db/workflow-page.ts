import type { FilterQuery } from '@mikro-orm/core';
import type { JsonValue } from '@tandem/schema';
import { Workflow } from './entities.js';
import { isPostgres, type Database } from './orm.js';
import { onSqlite } from './sqlite-connection.js';
import { preparedOn } from './sqlite-statements.js';
import { afterCursor, newestFirst, rowidPageSql } from './rowid-page.js';

/** A page of the workflows a user may read, newest change first: one row more than `limit` when there is a next page. */
export interface WorkflowPageQuery {
  userId: string;
  limit: number;
  /** After this workflow: its `updatedAt` in ms and its id (a cursor of the API). */
  after: readonly [number, string] | null;
  /** Part of the name (the ORM's LIKE, escaped by the caller's rules). */
  search?: string;
}

export interface WorkflowPageRows {
  rows: Workflow[];
  totalCount: number;
}

/** Who sees which workflows: the owner, and those it is shared with. */
export type VisibleWorkflows = (userId: string) => Promise<FilterQuery<Workflow>>;

/**
 * The workflows list, `workflows(first, after)`, the API's second most frequent read. On SQLite
 * without a search it is two statements prepared once per connection, mapped by hand (the ORM
 * cost more than the queries); a search, and PostgreSQL, go through the ORM.
 */
export function workflowPage(db: Database, visible: VisibleWorkflows, query: WorkflowPageQuery): Promise<WorkflowPageRows> {
  return isPostgres(db) || query.search ? workflowPageWithOrm(db, visible, query) : workflowPageOnSqlite(db, query);
}

export async function workflowPageWithOrm(db: Database, visible: VisibleWorkflows, query: WorkflowPageQuery): Promise<WorkflowPageRows> {
  let where: FilterQuery<Workflow> = await visible(query.userId);
  if (query.search) {
    const pattern = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    // SQLite's LIKE already ignores ASCII case and has no ILIKE; PostgreSQL's LIKE does not.
    where = { $and: [where, { name: isPostgres(db) ? { $ilike: pattern } : { $like: pattern } }] };
  }
  const em = db.em.fork();
  const totalCount = await em.count(Workflow, where);
  const { after } = query;
  const pageWhere: FilterQuery<Workflow> = after
    ? { $and: [where, { $or: [{ updatedAt: { $lt: new Date(after[0]) } }, { updatedAt: new Date(after[0]), id: { $lt: after[1] } }] }] }
    : where;
  const rows = await em.find(Workflow, pageWhere, { orderBy: { updatedAt: 'desc', id: 'desc' }, limit: query.limit + 1 });
  return { rows, totalCount };
}

const VISIBLE = '(`owner_id` = ? or `id` in (select `workflow_id` from `workflow_members` where `user_id` = ?))';
const COUNT_SQL = `select count(*) as \`count\` from \`workflows\` where ${VISIBLE}`;
const FIRST_PAGE_SQL = rowidPageSql('workflows', VISIBLE, 'updated_at');
const NEXT_PAGE_SQL = rowidPageSql('workflows', `${VISIBLE} and ${afterCursor('updated_at')}`, 'updated_at');

/** A row of `workflows` as better-sqlite3 returns it: dates as epoch milliseconds, JSON as text. */
export interface SqliteWorkflowRow {
  id: string;
  owner_id: string;
  name: string;
  description: string;
  definition: string;
  latest_version: number;
  webhook_secret: string;
  created_at: number;
  updated_at: number;
}

export function workflowPageOnSqlite(db: Database, query: WorkflowPageQuery): Promise<WorkflowPageRows> {
  const { userId, after, limit } = query;
  return onSqlite(db, undefined, (connection) => {
    const { count } = preparedOn(connection, COUNT_SQL).get(userId, userId) as { count: number };
    const rows = (
      after
        ? preparedOn(connection, NEXT_PAGE_SQL).all(userId, userId, after[0], after[0], after[1], limit + 1)
        : preparedOn(connection, FIRST_PAGE_SQL).all(userId, userId, limit + 1)
    ) as SqliteWorkflowRow[];
    return { rows: newestFirst(rows, (row) => row.updated_at).map(workflowOfSqliteRow), totalCount: count };
  });
}

/** The workflow a row holds, as the ORM maps it (server/test/workflow-page.test.ts holds the two equal). Not managed by any entity manager. */
export function workflowOfSqliteRow(row: SqliteWorkflowRow): Workflow {
  const workflow = Object.assign(new Workflow(), {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    description: row.description,
    latestVersion: row.latest_version,
    webhookSecret: row.webhook_secret,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  });
  // Parsed when first read: a list rarely asks for the definitions of its workflows.
  return withLazyDefinition(workflow, row.definition);
}

function withLazyDefinition(workflow: Workflow, text: string): Workflow {
  const settle = (value: JsonValue) => Object.defineProperty(workflow, 'definition', { value, writable: true, enumerable: true, configurable: true });
  return Object.defineProperty(workflow, 'definition', {
    get: () => settle(JSON.parse(text) as JsonValue).definition,
    set: settle,
    enumerable: true,
    configurable: true,
  });
}
