import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pruneBackups, type BackupManifest } from '@tandem/ops';

// --keep-last / --keep-days after each backup: either rule keeps a backup; other files stay.

const NOW = new Date('2026-12-05T12:00:00Z');
const HOUR_MS = 3_600_000;
let dir: string;

/** A complete backup (dump + manifest) taken `hoursAgo` hours before NOW. */
function backupAt(hoursAgo: number): string {
  const createdAt = new Date(NOW.getTime() - hoursAgo * HOUR_MS).toISOString();
  const file = `tandem-sqlite-${hoursAgo}h.sqlite`;
  writeFileSync(join(dir, file), 'dump');
  const manifest: BackupManifest = {
    format: 'tandem.backup/v1',
    tandemVersion: '0.1.0',
    database: 'sqlite',
    migrationLevel: 1,
    migrations: ['0001-initial'],
    createdAt,
    file,
    bytes: 4,
    sha256: '0'.repeat(64),
  };
  writeFileSync(join(dir, `${file}.manifest.json`), JSON.stringify(manifest));
  return file;
}

describe('backup retention', () => {
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the backups of the last D days, or the newest N, whichever keeps more; ignores other files', () => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-prune-'));
    const files = [1, 24, 30 * 24 - 1, 30 * 24 + 1, 40 * 24].map(backupAt);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    writeFileSync(join(dir, 'tandem-sqlite-unfinished.sqlite.partial'), 'half');

    expect(pruneBackups(dir, {}, NOW)).toEqual([]);
    expect(pruneBackups(dir, { keepDays: 30, keepLast: 4 }, NOW)).toEqual([files[4]]);
    expect(pruneBackups(dir, { keepDays: 30 }, NOW)).toEqual([files[3]]);
    expect(pruneBackups(dir, { keepLast: 1 }, NOW)).toEqual([files[1], files[2]]);
    expect(readdirSync(dir).sort()).toEqual([files[0], `${files[0]}.manifest.json`, 'notes.txt', 'tandem-sqlite-unfinished.sqlite.partial'].sort());
    expect(existsSync(join(dir, `${files[4]}.manifest.json`))).toBe(false);
  });
});
