import { join } from 'node:path';
import type { SecretResolver } from '@tandem/worker';
import type { Database } from '../db/orm.js';
import { loadKeyring } from './keyring.js';

export interface WorkerSecretsOptions {
  /** DATABASE_URL; unset: the SQLite file in dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** TANDEM_SECRETS_KEY and TANDEM_SECRETS_KEYS. */
  key: string | undefined;
  keys: string | undefined;
  log?: (line: string) => void;
}

/**
 * A resolver for a worker process: opens the database and loads the keys on first use (a
 * worker whose runs use no secrets never touches them), and retries that after a failure.
 */
export function openSecretResolver(options: WorkerSecretsOptions): SecretResolver & { close(): Promise<void> } {
  let opened: Promise<{ db: Database; resolver: SecretResolver }> | undefined;
  const open = async () => {
    // A worker reads the API server's generated key file but never creates one of its own.
    const keyring = loadKeyring({ key: options.key, keys: options.keys, dataDir: options.dataDir, generate: false, log: options.log ?? (() => {}) });
    // Loaded on first use, not with this module: a worker whose runs use no secrets never loads
    // the ORM, its driver and the services (about 30 MiB).
    const [{ openDatabase }, { createSecretResolver }] = await Promise.all([import('../db/orm.js'), import('./resolver.js')]);
    const db = await openDatabase({ url: options.databaseUrl, sqliteFile: join(options.dataDir, 'tandem.db') });
    return { db, resolver: createSecretResolver(db, keyring) };
  };
  return {
    async resolve(ownerId, names) {
      opened ??= open();
      try {
        return await (await opened).resolver.resolve(ownerId, names);
      } catch (error) {
        // Opening failed (no key yet, database down): try again on the next request.
        if (
          await opened.then(
            () => false,
            () => true,
          )
        )
          opened = undefined;
        throw error;
      }
    },
    async close() {
      const current = opened;
      opened = undefined;
      if (current)
        await current.then(
          ({ db }) => db.close(),
          () => {},
        );
    },
  };
}
