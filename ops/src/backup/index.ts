export { backupDatabase, type BackupOptions, type BackupResult } from './backup.js';
export { restoreDatabase, RestoreRefused, type RestoreOptions, type RestoreResult } from './restore.js';
export { pruneBackups, type BackupRetention } from './prune.js';
export { databaseTarget, describeTarget, type DatabaseTarget } from './database-target.js';
export { readManifest, manifestPathOf, MANIFEST_SUFFIX, type BackupManifest } from './manifest.js';
