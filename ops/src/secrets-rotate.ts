// `npm run secrets:rotate`: re-encrypts every stored secret with TANDEM_SECRETS_KEY.
// Rotation: set TANDEM_SECRETS_KEY to a new key and list the old one in TANDEM_SECRETS_KEYS
// (id:base64) on every API server and worker, run this, then drop the old key.
import { rotateSecrets } from '@tandem/server';
import { readEnvironment } from './config.js';

try {
  const env = readEnvironment();
  const report = await rotateSecrets({
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: env.dataDir,
    key: process.env.TANDEM_SECRETS_KEY,
    keys: process.env.TANDEM_SECRETS_KEYS,
    log: (line) => console.log(line),
  });
  console.log(`re-encrypted ${report.reencrypted} of ${report.total} secret(s) with key "${report.keyId}" (${report.fromOtherKeys} were under another key)`);
  for (const failure of report.failed) console.error(`not re-encrypted: secret "${failure.name}" of user ${failure.ownerId}: ${failure.reason}`);
  process.exit(report.failed.length > 0 ? 1 : 0);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
