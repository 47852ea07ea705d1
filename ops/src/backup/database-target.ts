import { openDatabase, sqliteFileIn, type Database } from '@tandem/server';

/** The database a backup is taken from or restored into. */
export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
export type DatabaseKind = DatabaseTarget['kind'];

/** The installation's database as Tandem itself finds it: DATABASE_URL, else the SQLite file in the data directory. */
export function databaseTarget(databaseUrl: string | undefined, dataDir: string): DatabaseTarget {
  if (!databaseUrl) return { kind: 'sqlite', file: sqliteFileIn(dataDir) };
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error(`the database URL must start with postgres:// (got "${databaseUrl.split(':')[0]}:…")`);
  return { kind: 'postgres', url: databaseUrl };
}

/** Opens a target without migrating it (a PostgreSQL database that does not exist yet is created). */
export function openTarget(target: DatabaseTarget, options: { migrate: boolean }): Promise<Database> {
  return target.kind === 'sqlite'
    ? openDatabase({ url: undefined, sqliteFile: target.file, migrate: options.migrate })
    : openDatabase({ url: target.url, sqliteFile: '', migrate: options.migrate });
}

/** For messages: the file, or the URL without its password. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return `SQLite file ${target.file}`;
  const url = new URL(target.url);
  if (url.password) url.password = '***';
  return `PostgreSQL ${url.toString()}`;
}
