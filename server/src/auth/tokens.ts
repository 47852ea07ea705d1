import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { AccessToken, User, type AccessTokenKind } from '../db/entities.js';

const PREFIX: Record<AccessTokenKind, string> = { session: 'tdm_s_', api: 'tdm_p_' };

/** Only a hash of a bearer secret is stored; the secret itself is shown once. */
export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export async function issueToken(
  em: EntityManager,
  user: User,
  kind: AccessTokenKind,
  name: string,
  ttlMs: number | null,
): Promise<{ token: AccessToken; secret: string }> {
  const secret = `${PREFIX[kind]}${randomBytes(32).toString('base64url')}`;
  const token = em.create(AccessToken, {
    id: randomUUID(),
    userId: user.id,
    kind,
    name,
    tokenHash: hashToken(secret),
    prefix: secret.slice(0, 12),
    createdAt: new Date(),
    expiresAt: ttlMs === null ? null : new Date(Date.now() + ttlMs),
  });
  await em.flush();
  return { token, secret };
}

/** The user a bearer secret belongs to, or null when it is unknown, revoked or expired. */
export async function authenticate(em: EntityManager, secret: string): Promise<{ user: User; token: AccessToken } | null> {
  if (secret.length < 20 || secret.length > 200) return null;
  const token = await em.findOne(AccessToken, { tokenHash: hashToken(secret) });
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt.getTime() <= Date.now())) return null;
  const user = await em.findOne(User, { id: token.userId });
  if (!user) return null;
  // Recording use at most once a minute keeps reads from writing on every request.
  if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
    await em.nativeUpdate(AccessToken, { id: token.id }, { lastUsedAt: new Date() });
  }
  return { user, token };
}

/** `Bearer <secret>` → secret. */
export function bearerSecret(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1]! : null;
}
