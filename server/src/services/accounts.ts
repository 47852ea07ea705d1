import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Database } from '../db/orm.js';
import { AccessToken, User } from '../db/entities.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/passwords.js';
import { passwordProblem } from '../auth/password-policy.js';
import { authenticate, hashToken, issueToken } from '../auth/tokens.js';
import { apiError, badInput, conflict, notFound } from '../errors.js';
import { RateLimiter } from '../rate-limit.js';
import { BoundedMap } from '../bounded-map.js';

// No spaces or control characters (a NUL byte is not storable in PostgreSQL text).
const EMAIL = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;
const CONTROL = /\p{Cc}/u;

/**
 * How long a bearer secret found valid is believed without asking the database again. A
 * token revoked or signed out here stops working at once; on another API server, within
 * this time.
 */
export const AUTH_CACHE_MS = 5_000;
const AUTH_CACHE_MAX = 10_000;

interface KnownToken {
  user: User;
  tokenId: string;
  expiresAt: number | null;
  /** When to ask the database again. */
  until: number;
}

export interface Session {
  user: User;
  token: string;
}

/** Sign-up, sign-in, sessions and integrators' API tokens. */
export class AccountService {
  /** Sign-in attempts per email address; sign-ups per client address. */
  private readonly signInLimit = new RateLimiter(10, 60_000);
  private readonly signUpLimit = new RateLimiter(20, 60_000);

  constructor(
    private readonly db: Database,
    private readonly sessionTtlMs: number,
  ) {}

  async signUp(emailInput: string, password: string, nameInput: string, clientAddress = 'unknown'): Promise<Session> {
    this.signUpLimit.take(clientAddress, 'sign-ups from this address');
    const email = emailInput.trim().toLowerCase();
    const name = nameInput.trim();
    // Messages name the field and the rule, never the value sent (it is not echoed back).
    if (email.length === 0) throw badInput('email is required; it must look like name@example.com', { field: 'email', reason: 'REQUIRED' });
    if (email.length > 320) throw badInput('email must have at most 320 characters', { field: 'email', reason: 'TOO_LONG' });
    if (!EMAIL.test(email)) throw badInput('email must look like name@example.com', { field: 'email', reason: 'FORMAT' });
    if (name.length === 0 || name.length > 200) throw badInput('name must have 1 to 200 characters', { field: 'name' });
    if (CONTROL.test(name)) throw badInput('name must not contain control characters', { field: 'name', reason: 'FORMAT' });
    const weak = passwordProblem(password, { email, name });
    if (weak) throw badInput(weak.message, { field: 'password', reason: weak.reason });
    const em = this.db.em.fork();
    const user = em.create(User, { id: randomUUID(), email, name, passwordHash: await hashPassword(password), createdAt: new Date() });
    try {
      await em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw conflict('an account with this email already exists');
      throw error;
    }
    const { secret } = await issueToken(em, user, 'session', 'sign-up', this.sessionTtlMs);
    return { user, token: secret };
  }

  async signIn(emailInput: string, password: string): Promise<Session> {
    this.signInLimit.take(emailInput.trim().toLowerCase(), 'sign-in attempts for this account');
    const em = this.db.em.fork();
    const email = emailInput.trim().toLowerCase();
    // No account has control characters in its email (and PostgreSQL refuses a NUL byte in text).
    const user = CONTROL.test(email) ? null : await em.findOne(User, { email });
    // Always run the hash, so a missing account takes as long as a wrong password.
    const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !valid) throw apiError('UNAUTHENTICATED', 'email or password is incorrect');
    const { secret } = await issueToken(em, user, 'session', 'sign-in', this.sessionTtlMs);
    return { user, token: secret };
  }

  /** Bearer secrets recently found valid, by hash: a busy client costs no query per request. */
  private readonly knownTokens = new BoundedMap<string, KnownToken>(AUTH_CACHE_MAX);

  async userForToken(secret: string): Promise<User | null> {
    const hash = hashToken(secret);
    const now = Date.now();
    const known = this.knownTokens.get(hash);
    if (known && known.until > now && (known.expiresAt === null || known.expiresAt > now)) return known.user;
    this.knownTokens.delete(hash);
    const found = await authenticate(this.db.em.fork(), secret);
    if (!found) return null;
    this.knownTokens.set(hash, { user: found.user, tokenId: found.token.id, expiresAt: found.token.expiresAt?.getTime() ?? null, until: now + AUTH_CACHE_MS });
    return found.user;
  }

  async signOut(secret: string): Promise<void> {
    const em = this.db.em.fork();
    this.knownTokens.delete(hashToken(secret));
    const found = await authenticate(em, secret);
    if (found) await em.nativeUpdate(AccessToken, { id: found.token.id }, { revokedAt: new Date() });
  }

  private forgetToken(tokenId: string): void {
    for (const [hash, known] of this.knownTokens) if (known.tokenId === tokenId) this.knownTokens.delete(hash);
  }

  async createApiToken(user: User, name: string): Promise<{ token: AccessToken; secret: string }> {
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > 200) throw badInput('name must have 1 to 200 characters', { field: 'name' });
    return issueToken(this.db.em.fork(), user, 'api', trimmed, null);
  }

  async apiTokens(user: User): Promise<AccessToken[]> {
    return this.db.em.fork().find(AccessToken, { userId: user.id, kind: 'api' }, { orderBy: { createdAt: 'desc', id: 'asc' } });
  }

  async revokeApiToken(user: User, id: string): Promise<AccessToken> {
    const em = this.db.em.fork();
    const token = await em.findOne(AccessToken, { id, userId: user.id, kind: 'api' });
    if (!token) throw notFound('API token', id);
    token.revokedAt ??= new Date();
    await em.flush();
    this.forgetToken(token.id);
    return token;
  }
}
