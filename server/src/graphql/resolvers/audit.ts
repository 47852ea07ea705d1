import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { AuditEvent, User } from '../../db/entities.js';
import type { ApiContext } from '../context.js';
import { requireUser } from '../context.js';
import { AuditEventConnection, AuditLogFilter } from '../types/audit.js';
import { toConnection } from '../connection.js';

@Resolver()
export class AuditResolver {
  @Query(() => AuditEventConnection, {
    description:
      'Security-relevant events you did, and those about what you own (your account, secrets and workflows: who shared, deployed…), newest first. first ≤ 100.',
  })
  async auditLog(
    @Ctx() ctx: ApiContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('filter', () => AuditLogFilter, { nullable: true }) filter?: AuditLogFilter,
  ): Promise<AuditEventConnection> {
    const user = requireUser(ctx);
    const page = await ctx.services.audit.list(user, first, after, filter ?? {});
    const actors = await ctx.services.workflows.usersById(page.items.flatMap((e) => (e.actorId ? [e.actorId] : [])));
    return toConnection(page, Boolean(after), (event) => toType(event, user, actors));
  }
}

function toType(event: AuditEvent, reader: User, actors: Map<string, User>) {
  // Someone else's address is theirs: an owner sees what an editor did, not where from.
  const showAddress = event.actorId === reader.id || event.actorId === null || event.actorId === undefined;
  return {
    id: String(event.id),
    at: event.at,
    action: event.action,
    actor: event.actorId ? (actors.get(event.actorId) ?? null) : null,
    targetType: event.targetType,
    targetId: event.targetId ?? null,
    workflowId: event.workflowId ?? null,
    details: event.details,
    clientAddress: showAddress ? (event.clientAddress ?? null) : null,
  };
}
