// `npm run db:backup`: a consistent backup of Tandem's database while it runs, with its
// manifest, then the retention rules applied to the backup directory. See
// docs/operations/backup-restore.md.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { backupDatabase } from './backup/backup.js';
import { wholeNumberOption, runTool } from './backup/cli-options.js';
import { databaseTarget } from './backup/database-target.js';
import { pruneBackups } from './backup/prune.js';
import { readEnvironment } from './config.js';

runTool(async () => {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      'database-url': { type: 'string' },
      'keep-last': { type: 'string' },
      'keep-days': { type: 'string' },
    },
  });
  const env = readEnvironment();
  const directory = values.out ?? process.env.TANDEM_BACKUP_DIR ?? join(env.dataDir, 'backups');
  const retention = {
    keepLast: wholeNumberOption('--keep-last (TANDEM_BACKUP_KEEP_LAST)', values['keep-last'] ?? process.env.TANDEM_BACKUP_KEEP_LAST, 1),
    keepDays: wholeNumberOption('--keep-days (TANDEM_BACKUP_KEEP_DAYS)', values['keep-days'] ?? process.env.TANDEM_BACKUP_KEEP_DAYS, 1),
  };
  const source = databaseTarget(values['database-url'] ?? (process.env.DATABASE_URL || undefined), env.dataDir);
  await backupDatabase({ source, directory, log: (line) => console.log(line) });
  const deleted = pruneBackups(directory, retention);
  if (deleted.length > 0) console.log(`retention: deleted ${deleted.length} older backup(s): ${deleted.join(', ')}`);
});
