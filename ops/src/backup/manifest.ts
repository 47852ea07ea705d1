import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { DatabaseKind } from './database-target.js';

/**
 * What a backup is, written beside its dump as `<dump>.manifest.json`. Written last: a dump
 * without its manifest is an unfinished backup, and restore and retention ignore it.
 */
export interface BackupManifest {
  format: 'tandem.backup/v1';
  /** The Tandem release that took it (ops' package version). */
  tandemVersion: string;
  database: DatabaseKind;
  /** How many migrations the database had applied, and their names in order. */
  migrationLevel: number;
  migrations: string[];
  /** When the backup started (ISO 8601, UTC). */
  createdAt: string;
  /** The dump's file name, in the manifest's directory: an SQLite database file, or a pg_dump custom-format archive. */
  file: string;
  bytes: number;
  sha256: string;
}

export const MANIFEST_SUFFIX = '.manifest.json';

export function tandemVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** The manifest path of a backup named by its dump or by its manifest. */
export function manifestPathOf(file: string): string {
  return file.endsWith(MANIFEST_SUFFIX) ? file : file + MANIFEST_SUFFIX;
}

/** Reads and checks a manifest's shape; a clear error names what is missing or wrong. */
export function readManifest(path: string): BackupManifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`no backup manifest at ${path}: a backup is a dump with its ${MANIFEST_SUFFIX} beside it (one without is unfinished)`);
  }
  let value: Partial<BackupManifest>;
  try {
    value = JSON.parse(text) as Partial<BackupManifest>;
  } catch {
    throw new Error(`the backup manifest ${path} is not valid JSON (corrupt)`);
  }
  const problems: string[] = [];
  if (value.format !== 'tandem.backup/v1') problems.push(`format is ${JSON.stringify(value.format)}, expected "tandem.backup/v1"`);
  if (value.database !== 'sqlite' && value.database !== 'postgres') problems.push('database must be "sqlite" or "postgres"');
  if (!Array.isArray(value.migrations) || !value.migrations.every((name) => typeof name === 'string')) problems.push('migrations must be a list of names');
  if (typeof value.file !== 'string' || basename(value.file) !== value.file) problems.push('file must be a file name');
  if (typeof value.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(value.sha256)) problems.push('sha256 must be 64 hex digits');
  if (typeof value.createdAt !== 'string' || Number.isNaN(Date.parse(value.createdAt))) problems.push('createdAt must be a date');
  if (problems.length > 0) throw new Error(`the backup manifest ${path} is invalid: ${problems.join('; ')}`);
  return value as BackupManifest;
}
