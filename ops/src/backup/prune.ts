import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_SUFFIX, readManifest } from './manifest.js';

export interface BackupRetention {
  /** Keep the newest N backups. */
  keepLast?: number | undefined;
  /** Keep backups taken within the last D days. */
  keepDays?: number | undefined;
}

/**
 * Deletes the backups in `directory` that no rule keeps: a backup stays when it is among the
 * newest `keepLast` or younger than `keepDays` (either rule keeps it, so a stopped schedule never
 * empties the directory by age alone). With neither rule set, nothing is deleted. Only complete
 * backups (with a manifest) are considered; other files are left alone. Returns the deleted dumps.
 */
export function pruneBackups(directory: string, retention: BackupRetention, now: Date = new Date()): string[] {
  if (retention.keepLast === undefined && retention.keepDays === undefined) return [];
  const backups = readdirSync(directory)
    .filter((name) => name.endsWith(MANIFEST_SUFFIX))
    .flatMap((name) => {
      try {
        const manifest = readManifest(join(directory, name));
        return [{ manifestFile: name, dump: manifest.file, at: Date.parse(manifest.createdAt) }];
      } catch {
        return []; // not ours to judge: left in place
      }
    })
    .sort((a, b) => b.at - a.at);
  const cutoff = retention.keepDays === undefined ? Number.POSITIVE_INFINITY : now.getTime() - retention.keepDays * 86_400_000;
  const deleted: string[] = [];
  backups.forEach((backup, index) => {
    const keptByCount = retention.keepLast !== undefined && index < retention.keepLast;
    const keptByAge = retention.keepDays !== undefined && backup.at >= cutoff;
    if (keptByCount || keptByAge) return;
    // The manifest goes first: a dump left behind by an interruption is no longer a backup.
    rmSync(join(directory, backup.manifestFile), { force: true });
    rmSync(join(directory, backup.dump), { force: true });
    deleted.push(backup.dump);
  });
  return deleted;
}
