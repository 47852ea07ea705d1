import { join } from 'node:path';
import type { SecretResolver } from '@tandem/worker';
import { openDatabase, type Database } from '../db/orm.js';
import { SecretService } from '../services/secrets.js';
import { loadKeyring, type Keyring } from './keyring.js';

/** The worker's view of the secrets store: values of one owner's secrets, decrypted in this process. */
export function createSecretResolver(db: Database, keyring: Keyring): SecretResolver {
  const secrets = new SecretService(db, keyring);
  return { resolve: (ownerId, names) => secrets.values(ownerId, names) };
}

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
