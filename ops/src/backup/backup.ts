import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appliedMigrations, sqliteOnlineBackup, type Database } from '@tandem/server';
import { describeTarget, openTarget, type DatabaseTarget } from './database-target.js';
import { MANIFEST_SUFFIX, sha256Of, tandemVersion, type BackupManifest } from './manifest.js';
import { runPgTool } from './pg-tools.js';

export interface BackupOptions {
  source: DatabaseTarget;
  /** Directory the dump and its manifest are written to (created when missing). */
  directory: string;
  log?: (line: string) => void;
  now?: () => Date;
}

export interface BackupResult {
  /** The dump's path; its manifest is this plus `.manifest.json`. */
  file: string;
  manifest: BackupManifest;
}

/** Progress lines at most this often. */
const PROGRESS_EVERY_MS = 2_000;

/**
 * A consistent backup of a database Tandem may be using: SQLite's online backup API, or
 * pg_dump's custom format (one snapshot). The dump is written under a temporary name and
 * renamed, then its manifest; a failed backup leaves nothing that looks like a backup.
 */
export async function backupDatabase(options: BackupOptions): Promise<BackupResult> {
  const log = options.log ?? (() => {});
  const createdAt = (options.now ?? (() => new Date()))();
  const extension = options.source.kind === 'sqlite' ? 'sqlite' : 'pgdump';
  const name = `tandem-${options.source.kind}-${createdAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.${extension}`;
  mkdirSync(options.directory, { recursive: true });
  const file = join(options.directory, name);
  const partial = `${file}.partial`;
  log(`backing up ${describeTarget(options.source)} to ${file}`);
  const db = await openTarget(options.source, { migrate: false });
  try {
    const migrations = await appliedMigrations(db);
    if (migrations.length === 0) throw new Error(`${describeTarget(options.source)} holds no Tandem database (no migrations applied)`);
    await dump(db, options.source, partial, log);
    // A migration that ran meanwhile makes the recorded level a guess: refuse rather than guess.
    if ((await appliedMigrations(db)).length !== migrations.length) throw new Error('a migration ran during the backup; take it again');
    renameSync(partial, file);
    const manifest: BackupManifest = {
      format: 'tandem.backup/v1',
      tandemVersion: tandemVersion(),
      database: options.source.kind,
      migrationLevel: migrations.length,
      migrations,
      createdAt: createdAt.toISOString(),
      file: name,
      bytes: statSync(file).size,
      sha256: await sha256Of(file),
    };
    writeFileSync(file + MANIFEST_SUFFIX, JSON.stringify(manifest, null, 2) + '\n');
    log(`backup done: ${file} (${formatBytes(manifest.bytes)}, migration level ${manifest.migrationLevel}, sha256 ${manifest.sha256})`);
    return { file, manifest };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    await db.close();
  }
}

async function dump(db: Database, source: DatabaseTarget, destination: string, log: (line: string) => void): Promise<void> {
  let lastLine = Date.now();
  const every = (line: () => string) => {
    if (Date.now() - lastLine < PROGRESS_EVERY_MS) return;
    lastLine = Date.now();
    log(line());
  };
  if (source.kind === 'sqlite') {
    await sqliteOnlineBackup(db, destination, ({ totalPages, remainingPages }) =>
      every(
        () => `backup: ${Math.floor((100 * (totalPages - remainingPages)) / Math.max(totalPages, 1))}% (${totalPages - remainingPages} of ${totalPages} pages)`,
      ),
    );
    return;
  }
  // pg_dump names each table as it starts on it (--verbose); the dump's size shows it moving.
  let table = '';
  const timer = setInterval(() => every(() => `backup: ${formatBytes(sizeOf(destination))} written${table ? `, at ${table}` : ''}`), 500);
  try {
    await runPgTool('pg_dump', source.url, ['--format=custom', '--no-owner', '--no-privileges', '--verbose', `--file=${destination}`], (line) => {
      const match = /dumping contents of table "?([^"\s]+)"?/.exec(line);
      if (match) table = match[1]!;
    });
  } finally {
    clearInterval(timer);
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}
