import { join } from 'node:path';
import { openDatabase } from '../db/orm.js';
import { SecretService, type RotationReport } from '../services/secrets.js';
import { loadKeyring } from './keyring.js';
import type { WorkerSecretsOptions } from './worker-resolver.js';

/**
 * `npm run secrets:rotate`: re-encrypts every stored secret with the current key
 * (TANDEM_SECRETS_KEY), reading old ones with the keys TANDEM_SECRETS_KEYS lists. Safe to run
 * while Tandem runs, and again: each value is re-sealed in place, one batch per transaction.
 */
export async function rotateSecrets(options: WorkerSecretsOptions): Promise<RotationReport> {
  const keyring = loadKeyring({ key: options.key, keys: options.keys, dataDir: options.dataDir, generate: false, log: options.log ?? (() => {}) });
  const db = await openDatabase({ url: options.databaseUrl, sqliteFile: join(options.dataDir, 'tandem.db') });
  try {
    return await new SecretService(db, keyring).rotate();
  } finally {
    await db.close();
  }
}
