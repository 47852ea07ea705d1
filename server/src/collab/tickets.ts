import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../db/orm.js';
import { deploymentValue } from '../db/deployment-values.js';

/** What a collaboration ticket grants: one user, one workflow (room), until it expires. */
export interface TicketClaims {
  userId: string;
  room: string;
  expiresAt: number;
}

export type TicketCheck = { ok: true; claims: TicketClaims } | { ok: false; reason: string };

/**
 * Short-lived, single-room tickets for the collaboration socket, signed with a key every
 * API server of a deployment shares (kept in the database), so any server accepts a ticket
 * another issued. A ticket carries no role: the role is read again when the socket opens,
 * so access revoked after issuing is honoured.
 */
export class TicketIssuer {
  private constructor(
    private readonly key: Buffer,
    readonly ttlMs: number,
  ) {}

  static async create(db: Database, ttlMs: number): Promise<TicketIssuer> {
    const key = await deploymentValue(db, 'collab-ticket-key', () => randomBytes(32).toString('base64url'));
    return new TicketIssuer(Buffer.from(key, 'base64url'), ttlMs);
  }

  issue(userId: string, room: string, now = Date.now()): { ticket: string; expiresAt: Date } {
    const claims: TicketClaims = { userId, room, expiresAt: now + this.ttlMs };
    const body = Buffer.from(JSON.stringify([claims.userId, claims.room, claims.expiresAt, randomBytes(8).toString('base64url')])).toString('base64url');
    return { ticket: `${body}.${this.sign(body)}`, expiresAt: new Date(claims.expiresAt) };
  }

  check(ticket: string | null | undefined, room: string, now = Date.now()): TicketCheck {
    if (!ticket) return { ok: false, reason: 'a ticket is required: get one with the collabTicket mutation' };
    const [body, signature, extra] = ticket.split('.');
    if (!body || !signature || extra !== undefined || ticket.length > 1_000) return { ok: false, reason: 'the ticket is malformed' };
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'the ticket is not valid' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'the ticket is malformed' };
    }
    const [userId, ticketRoom, expiresAt] = Array.isArray(parsed) ? parsed : [];
    if (typeof userId !== 'string' || typeof ticketRoom !== 'string' || typeof expiresAt !== 'number') return { ok: false, reason: 'the ticket is malformed' };
    if (expiresAt <= now) return { ok: false, reason: 'the ticket has expired: get a new one with the collabTicket mutation' };
    if (ticketRoom !== room) return { ok: false, reason: 'the ticket is for another workflow' };
    return { ok: true, claims: { userId, room: ticketRoom, expiresAt } };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
