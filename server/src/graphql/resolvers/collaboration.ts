import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { JsonValue } from '@tandem/schema';
import type { Workflow, WorkflowRole } from '../../db/entities.js';
import { audit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { requireUser } from '../context.js';
import { CollabTicketType, WorkflowMemberType, WorkflowRoleEnum } from '../types/collaboration.js';
import { WorkflowType } from '../types/workflow.js';
import { GraphQLJSON } from 'graphql-scalars';
import { roleIncludes } from '../../services/access.js';

/** Live co-editing: tickets for the document socket, roles and sharing. */
@Resolver(() => WorkflowType)
export class CollaborationResolver {
  @Mutation(() => CollabTicketType, { description: 'A short-lived ticket to open the live document of a workflow (any role; viewers read only).' })
  async collabTicket(@Arg('workflowId', () => ID) workflowId: string, @Ctx() ctx: ApiContext): Promise<CollabTicketType> {
    return ctx.services.collab.ticket(requireUser(ctx), workflowId, ctx.publicUrl ?? 'http://localhost');
  }

  @Mutation(() => WorkflowMemberType, { description: 'Gives a user (by email) a role on the workflow, or changes it. Owner only.' })
  async shareWorkflow(
    @Arg('workflowId', () => ID) workflowId: string,
    @Arg('email') email: string,
    @Arg('role', () => WorkflowRoleEnum) role: WorkflowRole,
    @Ctx() ctx: ApiContext,
  ): Promise<WorkflowMemberType> {
    const membership = await ctx.services.access.share(requireUser(ctx), workflowId, email, role);
    await audit(ctx, {
      action: 'WORKFLOW_SHARED',
      targetType: 'WORKFLOW',
      targetId: workflowId,
      workflowId,
      details: { userId: membership.user.id, email: membership.user.email, role },
    });
    return membership;
  }

  @Mutation(() => Boolean, { description: 'Removes a user’s role; their open editing sockets close. Owner only. False when they had none.' })
  async unshareWorkflow(@Arg('workflowId', () => ID) workflowId: string, @Arg('email') email: string, @Ctx() ctx: ApiContext): Promise<boolean> {
    const removed = await ctx.services.access.unshare(requireUser(ctx), workflowId, email);
    if (removed) {
      const userId = await ctx.services.audit.userIdByEmail(email);
      await audit(ctx, {
        action: 'WORKFLOW_UNSHARED',
        targetType: 'WORKFLOW',
        targetId: workflowId,
        workflowId,
        details: { userId, email: email.trim().toLowerCase() },
      });
    }
    return removed;
  }

  @FieldResolver(() => [WorkflowMemberType], { description: 'The owner and everyone the workflow is shared with.' })
  async members(@Root() workflow: Workflow, @Ctx() ctx: ApiContext): Promise<WorkflowMemberType[]> {
    return ctx.services.access.members(workflow);
  }

  @FieldResolver(() => WorkflowRoleEnum, { description: 'Your role on this workflow.' })
  async myRole(@Root() workflow: Workflow, @Ctx() ctx: ApiContext): Promise<WorkflowRole> {
    return (await ctx.services.access.roleOf(requireUser(ctx).id, workflow.id)) ?? 'VIEWER';
  }

  @FieldResolver(() => GraphQLJSON, { description: 'The draft as a tandem.workflow/v1 document, read from the live collaboration document.' })
  async definition(@Root() workflow: Workflow, @Ctx() ctx: ApiContext): Promise<JsonValue> {
    return (await ctx.services.workflows.draft(workflow)) as unknown as JsonValue;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Null unless you are an editor or the owner.' })
  async webhookSecret(@Root() workflow: Workflow, @Ctx() ctx: ApiContext): Promise<string | null> {
    const role = await ctx.services.access.roleOf(requireUser(ctx).id, workflow.id);
    return role && roleIncludes(role, 'EDITOR') ? workflow.webhookSecret : null;
  }
}
