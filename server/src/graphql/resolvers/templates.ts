import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { JsonValue } from '@tandem/schema';
import type { Template, Workflow } from '../../db/entities.js';
import type { ApiContext } from '../context.js';
import { requireUser } from '../context.js';
import { toConnection } from '../types/common.js';
import { SaveAsTemplateInput, TemplateConnection, TemplateType } from '../types/template.js';
import { UserType } from '../types/user.js';
import { WorkflowType } from '../types/workflow.js';

@Resolver(() => TemplateType)
export class TemplateResolver {
  @Mutation(() => TemplateType, { description: "Saves the workflow's draft as a template with typed parameters." })
  async saveAsTemplate(
    @Arg('workflowId', () => ID) workflowId: string,
    @Arg('input', () => SaveAsTemplateInput) input: SaveAsTemplateInput,
    @Ctx() ctx: ApiContext,
  ): Promise<Template> {
    return ctx.services.templates.save(requireUser(ctx), workflowId, {
      ...input,
      parameters: input.parameters?.map((p) => ({ ...p, required: p.required ?? false, description: p.description ?? '', default: p.default ?? null })) ?? null,
    });
  }

  @Query(() => TemplateConnection, { description: 'Your templates, newest first; search matches name and description, tag filters.' })
  async templates(
    @Ctx() ctx: ApiContext,
    @Arg('search', () => String, { nullable: true }) search?: string,
    @Arg('tag', () => String, { nullable: true }) tag?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<TemplateConnection> {
    return toConnection(await ctx.services.templates.list(requireUser(ctx), search, tag, first, after), Boolean(after));
  }

  @Query(() => TemplateType)
  async template(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<Template> {
    return ctx.services.templates.get(requireUser(ctx), id);
  }

  @Mutation(() => WorkflowType, { description: 'A new workflow from the template; a missing required or mistyped parameter is BAD_USER_INPUT.' })
  async instantiateTemplate(
    @Arg('templateId', () => ID) templateId: string,
    @Ctx() ctx: ApiContext,
    @Arg('name', () => String, { nullable: true }) name?: string,
    @Arg('parameters', () => GraphQLJSON, { nullable: true }) parameters?: JsonValue,
  ): Promise<Workflow> {
    return ctx.services.templates.instantiate(requireUser(ctx), templateId, name, parameters);
  }

  @FieldResolver(() => UserType)
  async author(@Root() template: TemplateType, @Ctx() ctx: ApiContext): Promise<UserType> {
    return (await ctx.services.workflows.usersById([template.authorId])).get(template.authorId)!;
  }
}
