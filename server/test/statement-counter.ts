import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { knexOf, isPostgres, type Database } from '../src/db/orm.js';

/** Statements that reached one database, counted at its driver (so the prepared statements that bypass the ORM and knex count too). */
export interface StatementCounter {
  /** Statements since the last reset, by their text (placeholders, never values). */
  counts(): Map<string, number>;
  total(): number;
  reset(): void;
  stop(): void;
}

type Method = (...args: unknown[]) => unknown;

/**
 * Counts every statement `db` sends: on SQLite each run of a better-sqlite3 statement (prepared
 * here or by knex, cached or not) and each `exec`; on PostgreSQL each `query` of its pg clients,
 * `begin` and `commit` included (knex's own `query` event leaves those out). Only this
 * database's statements are counted: other databases in the process are told apart by file or
 * by name.
 */
export async function countStatements(db: Database): Promise<StatementCounter> {
  const counts = new Map<string, number>();
  const note = (sql: string) => {
    const text = sql.replace(/\s+/g, ' ').trim();
    counts.set(text, (counts.get(text) ?? 0) + 1);
  };
  const knex = knexOf(db);
  const connection = (await knex.client.acquireConnection()) as unknown;
  const restore: Array<() => void> = [];
  const wrap = (owner: Record<string, unknown>, name: string, sqlOf: (self: unknown, args: unknown[]) => string | null) => {
    const original = owner[name] as Method;
    owner[name] = function counted(this: unknown, ...args: unknown[]) {
      const sql = sqlOf(this, args);
      if (sql !== null) note(sql);
      return original.apply(this, args);
    };
    restore.push(() => (owner[name] = original));
  };
  try {
    if (isPostgres(db)) {
      const database = (connection as { database: string }).database;
      const client = Object.getPrototypeOf(connection) as Record<string, unknown>;
      wrap(client, 'query', (self, [query]) => {
        if ((self as { database?: string }).database !== database) return null;
        return typeof query === 'string' ? query : ((query as { text?: string } | null)?.text ?? null);
      });
    } else {
      const sqlite = connection as SqliteDatabase;
      const file = sqlite.name;
      const statement = Object.getPrototypeOf(sqlite.prepare('select 1')) as Record<string, unknown>;
      const ours = (self: unknown) => (self as Statement).database.name === file;
      for (const name of ['run', 'get', 'all', 'iterate']) wrap(statement, name, (self) => (ours(self) ? (self as Statement).source : null));
      wrap(Object.getPrototypeOf(sqlite) as Record<string, unknown>, 'exec', (self, [sql]) => ((self as SqliteDatabase).name === file ? String(sql) : null));
    }
  } finally {
    await knex.client.releaseConnection(connection);
  }
  return {
    counts: () => new Map(counts),
    total: () => [...counts.values()].reduce((sum, n) => sum + n, 0),
    reset: () => counts.clear(),
    stop: () => {
      for (const undo of restore.reverse()) undo();
    },
  };
}
