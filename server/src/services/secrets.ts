import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { secretNameProblem } from '@tandem/schema';
import type { Database } from '../db/orm.js';
import { Secret, type User } from '../db/entities.js';
import { badInput } from '../errors.js';
import { decodeCursor, encodeCursor, pageSize, type Page } from '../pagination.js';
import { secretContext, SecretsKeyError, type Keyring } from '../secrets/keyring.js';

/** Largest secret value, in bytes of UTF-8. */
export const MAX_SECRET_VALUE_BYTES = 16 * 1024;
/** Most secrets one user may keep. */
export const MAX_SECRETS_PER_OWNER = 500;

/**
 * Users' secrets: set and deleted by their owner, listed by name only, read in clear only by
 * the worker's http.request activity (`values`). Values are encrypted at rest with the
 * keyring's current key; nothing here returns, logs or echoes a value.
 */
export class SecretService {
  constructor(
    private readonly db: Database,
    private readonly keyring: Keyring,
  ) {}

  /** Your secrets by name (names and dates only, ciphertexts not even read). */
  async list(user: User, first: number | null | undefined, after: string | null | undefined): Promise<Page<Secret>> {
    const limit = pageSize(first);
    // Cursor: [0, name] (the API's cursors are a number followed by ids).
    const cursor = decodeCursor(after, 2);
    // At most MAX_SECRETS_PER_OWNER rows: ordered here by code point, the same on SQLite and
    // PostgreSQL (whose collation would put A_FIRST before API_TOKEN).
    const rows = (await this.db.em.fork().find(Secret, { ownerId: user.id })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const start = cursor ? rows.findIndex((s) => s.name > String(cursor[1])) : 0;
    const items = start < 0 ? [] : rows.slice(start, start + limit);
    return { items, hasNextPage: start >= 0 && start + limit < rows.length, totalCount: rows.length, cursorOf: (s) => encodeCursor([0, s.name]) };
  }

  /** Creates or replaces a secret; `created` tells which. */
  async set(user: User, nameInput: string, value: string): Promise<{ secret: Secret; created: boolean }> {
    const name = checkName(nameInput);
    // Messages name the field and the rule, never the value.
    if (typeof value !== 'string' || value.length === 0) throw badInput('value is required', { field: 'value', reason: 'REQUIRED' });
    if (Buffer.byteLength(value, 'utf8') > MAX_SECRET_VALUE_BYTES) {
      throw badInput(`value must be at most ${MAX_SECRET_VALUE_BYTES} bytes (16 KiB)`, { field: 'value', reason: 'TOO_LONG' });
    }
    const sealed = this.keyring.seal(value, secretContext(user.id, name));
    for (let attempt = 0; ; attempt++) {
      const em = this.db.em.fork();
      const existing = await em.findOne(Secret, { ownerId: user.id, name });
      if (existing) {
        existing.keyId = sealed.keyId;
        existing.value = sealed.value;
        existing.updatedAt = new Date();
        await em.flush();
        return { secret: existing, created: false };
      }
      if ((await em.count(Secret, { ownerId: user.id })) >= MAX_SECRETS_PER_OWNER) {
        throw badInput(`you have ${MAX_SECRETS_PER_OWNER} secrets, the most one account may keep; delete one first`, { field: 'name', reason: 'TOO_MANY' });
      }
      const now = new Date();
      const secret = em.create(Secret, { id: randomUUID(), ownerId: user.id, name, keyId: sealed.keyId, value: sealed.value, createdAt: now, updatedAt: now });
      try {
        await em.flush();
        return { secret, created: true };
      } catch (error) {
        // Set twice at once: the other request created it; replace its value.
        if (error instanceof UniqueConstraintViolationException && attempt === 0) continue;
        throw error;
      }
    }
  }

  /** False when you had no secret of that name. */
  async delete(user: User, nameInput: string): Promise<boolean> {
    const name = checkName(nameInput);
    return (await this.db.em.fork().nativeDelete(Secret, { ownerId: user.id, name })) > 0;
  }

  /**
   * The values of those of `names` the owner has set (a name not set is absent): for the
   * worker's http.request activity only, never for the API.
   */
  async values(ownerId: string, names: readonly string[]): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    if (names.length === 0) return values;
    const rows = await this.db.em.fork().find(Secret, { ownerId, name: { $in: [...new Set(names)] } }, { populate: ['value'] });
    for (const row of rows) {
      try {
        values.set(row.name, this.keyring.open(row.keyId, row.value, secretContext(row.ownerId, row.name)));
      } catch (error) {
        if (error instanceof SecretsKeyError) throw new SecretsKeyError(`secret "${row.name}": ${error.message}`);
        throw error;
      }
    }
    return values;
  }

  /**
   * Re-encrypts every secret with the current key (fresh IVs), in batches, one transaction
   * each. Values whose key is not configured are left as they are and reported.
   */
  async rotate(options: { batchSize?: number } = {}): Promise<RotationReport> {
    const batchSize = options.batchSize ?? 100;
    const report: RotationReport = { keyId: this.keyring.currentId, total: 0, reencrypted: 0, fromOtherKeys: 0, failed: [] };
    let afterId = '';
    for (;;) {
      const em = this.db.em.fork();
      const rows = await em.find(Secret, { id: { $gt: afterId } }, { orderBy: { id: 'asc' }, limit: batchSize, populate: ['value'] });
      if (rows.length === 0) break;
      afterId = rows.at(-1)!.id;
      await em.transactional(async (tx) => {
        for (const row of rows) {
          report.total++;
          const context = secretContext(row.ownerId, row.name);
          let plaintext: string;
          try {
            plaintext = this.keyring.open(row.keyId, row.value, context);
          } catch (error) {
            report.failed.push({ ownerId: row.ownerId, name: row.name, keyId: row.keyId, reason: (error as Error).message });
            continue;
          }
          if (row.keyId !== this.keyring.currentId) report.fromOtherKeys++;
          const sealed = this.keyring.seal(plaintext, context);
          // Same updated_at: rotation is not a change of the secret.
          await tx.nativeUpdate(Secret, { id: row.id }, { keyId: sealed.keyId, value: sealed.value, updatedAt: row.updatedAt });
          report.reencrypted++;
        }
      });
    }
    return report;
  }
}

export interface RotationReport {
  /** The key everything was re-encrypted with. */
  keyId: string;
  total: number;
  reencrypted: number;
  /** How many were under another key before. */
  fromOtherKeys: number;
  /** Values that could not be opened (their key is not configured, or they were altered). */
  failed: Array<{ ownerId: string; name: string; keyId: string; reason: string }>;
}

function checkName(name: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  const problem = secretNameProblem(trimmed);
  if (problem) throw badInput(`name: ${problem}`, { field: 'name', reason: 'FORMAT' });
  return trimmed;
}
