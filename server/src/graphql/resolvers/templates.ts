import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { JsonValue } from '@tandem/schema';
import type { Template, Workflow } from '../../db/entities.js';
import type { ApiContext } from '../context.js';
import { requireUser } from '../context.js';
import { toConnection } from '../connection.js';
import { BUILT_IN_AUTHOR_ID, isBuiltInTemplateId } from '../../templates/index.js';
import { SaveAsTemplateInput, TemplateConnection, TemplateParameterType, TemplatePreview, TemplateType } from '../types/template.js';
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

  @Query(() => TemplateConnection, {
    description: 'Your templates, newest first, then the built-in library; search matches name, description and tags, tag filters.',
  })
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

  @FieldResolver(() => UserType, { description: 'Who saved it; "Tandem" for the built-in library.' })
  async author(@Root() template: TemplateType, @Ctx() ctx: ApiContext): Promise<UserType> {
    if (isBuiltInTemplateId(template.id)) return TANDEM_AUTHOR;
    return (await ctx.services.workflows.usersById([template.authorId])).get(template.authorId)!;
  }

  @FieldResolver(() => Boolean, { description: 'One of the templates Tandem ships: visible to everyone, not editable.' })
  builtIn(@Root() template: TemplateType): boolean {
    return isBuiltInTemplateId(template.id);
  }

  @FieldResolver(() => TemplatePreview)
  preview(@Root() template: TemplateType): TemplatePreview {
    return previewOf(template.definition);
  }

  @FieldResolver(() => [TemplateParameterType])
  parameters(@Root() template: TemplateType): TemplateParameterType[] {
    return (template.parameters as Array<TemplateParameterType & { fills?: string[] }>).map(({ fills, ...parameter }) => ({
      ...parameter,
      configFields: fills ?? [],
    }));
  }
}

/** The author shown for built-in templates. */
const TANDEM_AUTHOR: UserType = { id: BUILT_IN_AUTHOR_ID, email: '', name: 'Tandem', createdAt: new Date('2025-01-01T00:00:00.000Z') };

function previewOf(definition: JsonValue): TemplatePreview {
  const doc = (definition ?? {}) as { nodes?: unknown; edges?: unknown };
  const nodes = Array.isArray(doc.nodes) ? (doc.nodes as Array<Record<string, unknown>>) : [];
  const edges = Array.isArray(doc.edges) ? (doc.edges as Array<Record<string, unknown>>) : [];
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const coordinate = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
  return {
    nodes: nodes.map((n) => {
      const position = (n.position ?? {}) as { x?: unknown; y?: unknown };
      return { id: text(n.id) ?? '', type: text(n.type) ?? '', name: text(n.name), position: { x: coordinate(position.x), y: coordinate(position.y) } };
    }),
    edges: edges.map((e) => ({ id: text(e.id) ?? '', source: text(e.source) ?? '', target: text(e.target) ?? '', sourceHandle: text(e.sourceHandle) })),
  };
}
