import type { FilterQuery } from '@mikro-orm/core';
import type { JsonValue } from '@tandem/schema';
import type { Database } from '../db/orm.js';
import { AuditEvent, User, Workflow, type AuditAction, type AuditTargetType } from '../db/entities.js';
import { decodeCursor, encodeCursor, pageSize, type Page } from '../pagination.js';

export interface AuditEntry {
  action: AuditAction;
  /** Who did it; null when nobody is signed in (a failed sign-in). */
  actorId: string | null;
  targetType: AuditTargetType;
  targetId?: string | null;
  /** Whose resource it concerns: may read the event. Found from `workflowId` when omitted. */
  ownerId?: string | null;
  workflowId?: string | null;
  /** What else matters: never a secret's value, a password or a token. */
  details?: Record<string, JsonValue>;
  clientAddress?: string | null;
}

export interface AuditFilter {
  action?: AuditAction | null;
  workflowId?: string | null;
}

/** Keys that never enter `details`, whatever a caller passes. */
const NEVER_STORED = /^(password|passwordHash|value|secret|token|tokenHash)$/i;

/**
 * The audit log: one row per security-relevant action (sign-in, sign-up, API tokens, sharing,
 * deploys, secrets). A user reads the events they did and the events about what they own
 * (their account, their workflows, their secrets).
 */
export class AuditService {
  constructor(private readonly db: Database) {}

  async record(entry: AuditEntry): Promise<void> {
    const em = this.db.em.fork();
    let ownerId = entry.ownerId ?? null;
    if (!ownerId && entry.workflowId) ownerId = (await em.findOne(Workflow, { id: entry.workflowId }, { fields: ['ownerId'] }))?.ownerId ?? null;
    const details: Record<string, JsonValue> = {};
    for (const [key, value] of Object.entries(entry.details ?? {})) if (!NEVER_STORED.test(key)) details[key] = value;
    em.create(AuditEvent, {
      at: new Date(),
      action: entry.action,
      actorId: entry.actorId,
      targetType: entry.targetType,
      targetId: entry.targetId ?? null,
      ownerId,
      workflowId: entry.workflowId ?? null,
      details,
      clientAddress: entry.clientAddress ? entry.clientAddress.slice(0, 64) : null,
    } as AuditEvent);
    await em.flush();
  }

  /** The id of the account with this email, if any (for failed sign-ins). */
  async userIdByEmail(email: string): Promise<string | null> {
    const normalized = email.trim().toLowerCase();
    if (normalized.length === 0 || normalized.length > 320 || /\p{Cc}/u.test(normalized)) return null;
    return (await this.db.em.fork().findOne(User, { email: normalized }, { fields: ['id'] }))?.id ?? null;
  }

  /** Events `user` did or that concern what they own, newest first. */
  async list(user: User, first: number | null | undefined, after: string | null | undefined, filter: AuditFilter = {}): Promise<Page<AuditEvent>> {
    const limit = pageSize(first);
    const cursor = decodeCursor(after, 1);
    const em = this.db.em.fork();
    const conditions: Array<FilterQuery<AuditEvent>> = [{ $or: [{ actorId: user.id }, { ownerId: user.id }] }];
    if (filter.action) conditions.push({ action: filter.action });
    if (filter.workflowId) conditions.push({ workflowId: filter.workflowId.slice(0, 36) });
    const where: FilterQuery<AuditEvent> = { $and: conditions };
    const totalCount = await em.count(AuditEvent, where);
    const rows = await em.find(AuditEvent, cursor ? { $and: [...conditions, { id: { $lt: String(cursor[0]) } }] } : where, {
      orderBy: { id: 'desc' },
      limit: limit + 1,
    });
    return { items: rows.slice(0, limit), hasNextPage: rows.length > limit, totalCount, cursorOf: (e) => encodeCursor([Number(e.id)]) };
  }
}
