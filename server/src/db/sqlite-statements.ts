import type { Database as SqliteDatabase, RunResult, Statement } from 'better-sqlite3';
import { BoundedMap } from '../bounded-map.js';

/** Prepared statements kept per connection; the least recently used goes first. */
const STATEMENTS_PER_CONNECTION = 500;

const statementsOf = new WeakMap<SqliteDatabase, BoundedMap<string, Statement>>();

/**
 * A statement prepared once per connection and reused. Preparing compiles the SQL, which cost
 * about as much as running the short statements a run writes; knex prepares every statement
 * anew. SQLite re-prepares a kept statement itself when the schema changes under it.
 */
export function preparedOn(connection: SqliteDatabase, sql: string): Statement {
  let statements = statementsOf.get(connection);
  if (!statements) statementsOf.set(connection, (statements = new BoundedMap(STATEMENTS_PER_CONNECTION)));
  let statement = statements.recent(sql);
  if (!statement) statements.set(sql, (statement = connection.prepare(sql)));
  return statement;
}

interface KnexSqliteClient {
  _query(connection: SqliteDatabase, query: KnexQuery): Promise<KnexQuery>;
  _formatBindings(bindings: unknown): unknown[];
  _optSafeIntegers(options: unknown): boolean | undefined;
}

interface KnexQuery {
  sql?: string;
  bindings?: unknown;
  options?: unknown;
  response?: unknown;
  context?: { lastID: RunResult['lastInsertRowid']; changes: number };
}

const CACHING = Symbol('tandem.cachedStatements');

/**
 * Makes knex's better-sqlite3 dialect (which every ORM query goes through) run statements
 * prepared by `preparedOn`, exactly as its own `_query` runs a fresh one. A query that asks for
 * safe integers keeps a statement of its own, as that mode would stay on a shared one.
 */
export function cacheSqliteStatements(knex: { client: unknown }): void {
  let owner = Object.getPrototypeOf(knex.client) as (KnexSqliteClient & { [CACHING]?: true }) | null;
  while (owner && !Object.prototype.hasOwnProperty.call(owner, '_query')) owner = Object.getPrototypeOf(owner) as typeof owner;
  if (!owner) throw new Error('knex client has no _query method');
  if (owner[CACHING]) return;
  const fresh = owner._query;
  owner._query = async function cachedQuery(this: KnexSqliteClient, connection, query) {
    if (!query.sql || !connection || this._optSafeIntegers(query.options) !== undefined) return fresh.call(this, connection, query);
    const statement = preparedOn(connection, query.sql);
    const bindings = this._formatBindings(query.bindings);
    if (statement.reader) {
      query.response = statement.all(bindings);
      return query;
    }
    const response = statement.run(bindings);
    query.response = response;
    query.context = { lastID: response.lastInsertRowid, changes: response.changes };
    return query;
  };
  owner[CACHING] = true;
}
