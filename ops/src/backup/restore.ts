import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { appliedMigrations, MIGRATION_NAMES, tableNames, unknownMigrations } from '@tandem/server';
import { describeTarget, openTarget, type DatabaseTarget } from './database-target.js';
import { manifestPathOf, readManifest, sha256Of, type BackupManifest } from './manifest.js';
import { runPgTool } from './pg-tools.js';

export interface RestoreOptions {
  /** The backup: its dump or its manifest. */
  backup: string;
  target: DatabaseTarget;
  /** Restore over a database that already holds tables (stop every Tandem process using it first). */
  replace?: boolean;
  log?: (line: string) => void;
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** Migrations this build ran after the restore (the backup was older). */
  migrated: string[];
}

/** Why a restore was refused before anything was written. */
export class RestoreRefused extends Error {
  override readonly name = 'RestoreRefused';
}

/**
 * Restores a backup into an empty database (or over one, with `replace`), then runs the
 * migrations this build has that the backup had not. Refuses a file whose checksum does not
 * match, one from a newer Tandem, and a database that is not empty, before writing anything.
 */
export async function restoreDatabase(options: RestoreOptions): Promise<RestoreResult> {
  const log = options.log ?? (() => {});
  const manifestPath = manifestPathOf(options.backup);
  const manifest = readManifest(manifestPath);
  const dump = join(dirname(manifestPath), manifest.file);
  if (!existsSync(dump)) throw new RestoreRefused(`the backup's dump ${dump} is missing`);
  const sha256 = await sha256Of(dump);
  if (sha256 !== manifest.sha256) {
    throw new RestoreRefused(`${dump} is corrupt: its sha256 is ${sha256}, the manifest says ${manifest.sha256}; use another backup`);
  }
  const unknown = unknownMigrations(manifest.migrations);
  if (unknown.length > 0) {
    throw new RestoreRefused(
      `the backup is from a newer Tandem (${manifest.tandemVersion}, migration level ${manifest.migrationLevel}; this one knows ${MIGRATION_NAMES.length}): ` +
        `unknown migration(s) ${unknown.join(', ')}; restore it with that release or newer`,
    );
  }
  if (manifest.database !== options.target.kind) {
    throw new RestoreRefused(
      `the backup is of ${manifest.database === 'sqlite' ? 'an SQLite' : 'a PostgreSQL'} database; restore it into the same kind (target: ${describeTarget(options.target)})`,
    );
  }
  await refuseUnlessEmpty(options.target, options.replace ?? false);

  log(`restoring ${dump} (taken ${manifest.createdAt}, migration level ${manifest.migrationLevel}) into ${describeTarget(options.target)}`);
  if (options.target.kind === 'sqlite') restoreSqlite(dump, options.target.file);
  else {
    const replace = options.replace ? ['--clean', '--if-exists'] : [];
    await runPgTool('pg_restore', options.target.url, ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', ...replace, dump]);
  }

  // The restored database catches up with this build's schema.
  const db = await openTarget(options.target, { migrate: true });
  try {
    const migrated = (await appliedMigrations(db)).filter((name) => !manifest.migrations.includes(name));
    log(`restore done${migrated.length > 0 ? `; ran migration(s) ${migrated.join(', ')}` : ''}`);
    return { manifest, migrated };
  } finally {
    await db.close();
  }
}

async function refuseUnlessEmpty(target: DatabaseTarget, replace: boolean): Promise<void> {
  if (target.kind === 'sqlite' && !existsSync(target.file)) return;
  const db = await openTarget(target, { migrate: false });
  try {
    const tables = await tableNames(db);
    if (tables.length > 0 && !replace) {
      throw new RestoreRefused(
        `${describeTarget(target)} is not empty (${tables.length} tables, e.g. ${tables.slice(0, 3).join(', ')}); ` +
          `restore into an empty database, name another with --database-url, or pass --replace to overwrite it (stop Tandem first)`,
      );
    }
  } finally {
    await db.close();
  }
}

/** Copies the backup beside the target, then renames it over (with the old file's WAL gone, SQLite cannot mix the two). */
function restoreSqlite(dump: string, file: string): void {
  const incoming = `${file}.restoring`;
  mkdirSync(dirname(file), { recursive: true });
  copyFileSync(dump, incoming);
  for (const suffix of ['-wal', '-shm']) rmSync(file + suffix, { force: true });
  renameSync(incoming, file);
}
