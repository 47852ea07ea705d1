import type { SecretResolver } from '@tandem/worker';
import type { Database } from '../db/orm.js';
import { SecretService } from '../services/secrets.js';
import type { Keyring } from './keyring.js';

/** The worker's view of the secrets store: values of one owner's secrets, decrypted in this process. */
export function createSecretResolver(db: Database, keyring: Keyring): SecretResolver {
  const secrets = new SecretService(db, keyring);
  return { resolve: (ownerId, names) => secrets.values(ownerId, names) };
}
