import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The keys that encrypt users' secrets at rest (AES-256-GCM).
 *
 * - `TANDEM_SECRETS_KEY`: the current key, the base64 of 32 random bytes, optionally named
 *   `id:base64`. New and re-encrypted values are sealed with it.
 * - `TANDEM_SECRETS_KEYS`: older keys, `id:base64,id:base64,…`, still accepted for reading.
 *   Every ciphertext records the id of its key; `rotateSecrets` re-seals them all with the
 *   current key, after which the old ones can be dropped.
 * - Neither set (embedded `npm start`): a key is generated once into `<dataDir>/secrets.key`
 *   (mode 0600). Production must set the variable, and keep the key out of database backups.
 *
 * A key without a name is known by its fingerprint (`fp-` and 16 hex digits of its SHA-256),
 * so the same key listed later under TANDEM_SECRETS_KEYS, named or not, still opens what it
 * sealed.
 */
export interface SecretsKeyOptions {
  /** TANDEM_SECRETS_KEY. */
  key?: string | undefined;
  /** TANDEM_SECRETS_KEYS. */
  keys?: string | undefined;
  /** Where the generated key lives when no key is configured. */
  dataDir: string;
  /** Create `<dataDir>/secrets.key` when there is no key at all (the API server); otherwise only read it (a worker). */
  generate: boolean;
  log?: (line: string) => void;
}

export const KEY_FILE = 'secrets.key';
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export class SecretsKeyError extends Error {
  override readonly name = 'SecretsKeyError';
}

export class Keyring {
  constructor(
    /** The id new ciphertexts record. */
    readonly currentId: string,
    private readonly keys: ReadonlyMap<string, Buffer>,
    /** Where the current key came from. */
    readonly source: 'environment' | 'file',
  ) {
    if (!keys.has(currentId)) throw new SecretsKeyError('the current secrets key is not in the keyring');
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  /** Encrypts with the current key; `context` (owner and name) is authenticated with it, so a value moved to another row does not open. */
  seal(plaintext: string, context: string): { keyId: string; value: string } {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: this.currentId, value: `${VERSION}.${Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64')}` };
  }

  /** Decrypts a value sealed by `seal` under `keyId`; throws SecretsKeyError when the key is missing or the value was altered. */
  open(keyId: string, sealed: string, context: string): string {
    const key = this.keys.get(keyId);
    if (!key) throw new SecretsKeyError(`the key "${keyId}" this value was encrypted with is not configured (list it in TANDEM_SECRETS_KEYS)`);
    const [version, payload] = sealed.split('.', 2);
    const bytes = version === VERSION && payload ? Buffer.from(payload, 'base64') : Buffer.alloc(0);
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new SecretsKeyError('the stored value is not a sealed secret');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretsKeyError(`the stored value does not open with key "${keyId}" (a wrong key, or the value was altered)`);
    }
  }
}

/** What a secret's ciphertext is bound to. */
export function secretContext(ownerId: string, name: string): string {
  return `tandem.secret.v1\u0000${ownerId}\u0000${name}`;
}

/** The keyring from the environment, or from the data directory's key file (generated when allowed). */
export function loadKeyring(options: SecretsKeyOptions): Keyring {
  const log = options.log ?? ((line: string) => console.log(line));
  const keys = new Map<string, Buffer>();
  const add = (id: string, key: Buffer) => {
    keys.set(id, key);
    keys.set(fingerprint(key), key);
  };
  for (const entry of (options.keys ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const { id, key } = parseKey(entry, 'TANDEM_SECRETS_KEYS');
    add(id, key);
  }
  const file = join(options.dataDir, KEY_FILE);
  const configured = options.key?.trim();
  if (configured) {
    const { id, key } = parseKey(configured, 'TANDEM_SECRETS_KEY');
    add(id, key);
    // Values sealed while the embedded key was in use still open after the variable is set.
    const embedded = readKeyFile(file);
    if (embedded && !keys.has(fingerprint(embedded))) add(fingerprint(embedded), embedded);
    return new Keyring(id, keys, 'environment');
  }
  let key = readKeyFile(file);
  if (!key) {
    if (!options.generate) {
      throw new SecretsKeyError(`no secrets key: set TANDEM_SECRETS_KEY (the API server's), or start the API server once with this data directory (${file})`);
    }
    key = createKeyFile(file, log);
  } else {
    log(`Secrets are encrypted with the key in ${file}. In production set TANDEM_SECRETS_KEY (base64 of 32 random bytes) instead.`);
  }
  const id = fingerprint(key);
  add(id, key);
  return new Keyring(id, keys, 'file');
}

/** A new random key, as TANDEM_SECRETS_KEY expects it. */
export function generateSecretsKey(): string {
  return randomBytes(32).toString('base64');
}

export function fingerprint(key: Buffer): string {
  return `fp-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

function parseKey(entry: string, variable: string): { id: string; key: Buffer } {
  const colon = entry.indexOf(':');
  const id = colon < 0 ? null : entry.slice(0, colon).trim();
  const text = (colon < 0 ? entry : entry.slice(colon + 1)).trim();
  // The message never repeats the key.
  if (id !== null && !KEY_ID.test(id)) throw new SecretsKeyError(`${variable}: a key id has 1 to 64 letters, digits, ".", "_" or "-"`);
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) throw new SecretsKeyError(`${variable} must be the base64 of 32 random bytes (e.g. openssl rand -base64 32), optionally as id:base64`);
  return { id: id ?? fingerprint(key), key };
}

function readKeyFile(file: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const { key } = parseKey(text.trim(), file);
  return key;
}

function createKeyFile(file: string, log: (line: string) => void): Buffer {
  mkdirSync(join(file, '..'), { recursive: true });
  const text = generateSecretsKey();
  try {
    // Exclusive: an API server and a worker starting together end up with the same key.
    writeFileSync(file, `${text}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(file)!;
    throw error;
  }
  log(
    `TANDEM_SECRETS_KEY is not set: generated a key for secrets in ${file} (mode ${(statSync(file).mode & 0o777).toString(8)}). ` +
      'Production must set TANDEM_SECRETS_KEY (base64 of 32 random bytes) and keep it apart from database backups.',
  );
  return Buffer.from(text, 'base64');
}
