// `npm run db:restore -- <backup> [--database-url URL] [--replace]`: restores a backup made by
// `npm run db:backup` into an empty database, then runs pending migrations. See
// docs/operations/backup-restore.md.
import { parseArgs } from 'node:util';
import { runTool } from './backup/cli-options.js';
import { databaseTarget } from './backup/database-target.js';
import { restoreDatabase } from './backup/restore.js';
import { readEnvironment } from './config.js';

runTool(async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'database-url': { type: 'string' }, replace: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new Error('usage: npm run db:restore -- <backup file or its .manifest.json> [--database-url postgres://…] [--replace]');
  const target = databaseTarget(values['database-url'] ?? (process.env.DATABASE_URL || undefined), readEnvironment().dataDir);
  await restoreDatabase({ backup: positionals[0]!, target, replace: values.replace, log: (line) => console.log(line) });
});
