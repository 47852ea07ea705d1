import type { AuditEntry } from '../services/audit.js';
import type { ApiContext } from './context.js';

/** Records an audit event for this request: the signed-in user as actor and the client's address, unless the entry says otherwise. */
export async function audit(ctx: ApiContext, entry: Omit<AuditEntry, 'actorId' | 'clientAddress'> & { actorId?: string | null }): Promise<void> {
  await ctx.services.audit.record({
    ...entry,
    actorId: entry.actorId === undefined ? (ctx.user?.id ?? null) : entry.actorId,
    clientAddress: ctx.clientAddress ?? null,
  });
}
