import { randomUUID } from 'node:crypto';
import type { FilterQuery } from '@mikro-orm/core';
import type { JsonValue } from '@tandem/schema';
import type { Database } from '../db/orm.js';
import { Template, TEMPLATE_PARAMETER_TYPES, type TemplateParameter, type User, type Workflow } from '../db/entities.js';
import { badInput, notFound } from '../errors.js';
import { decodeCursor, encodeCursor, pageSize, type Page } from '../pagination.js';
import type { WorkflowService } from './workflows.js';

export interface ParameterInput {
  name: string;
  type: string;
  required?: boolean;
  description?: string;
  default?: JsonValue;
}

export interface TemplateInput {
  name: string;
  description?: string | null;
  tags?: string[] | null;
  parameters?: Array<ParameterInput> | null;
}

/** Templates: a workflow's definition saved with typed parameters that fill its `params` when instantiated. */
export class TemplateService {
  constructor(
    private readonly db: Database,
    private readonly workflows: WorkflowService,
  ) {}

  async save(user: User, workflowId: string, input: TemplateInput): Promise<Template> {
    const workflow: Workflow = await this.workflows.get(user, workflowId);
    const name = input.name.trim();
    if (name.length === 0 || name.length > 200) throw badInput('name must have 1 to 200 characters', { field: 'name' });
    const tags = [...new Set((input.tags ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean))];
    if (tags.length > 20 || tags.some((t) => t.length > 40)) throw badInput('at most 20 tags of at most 40 characters', { field: 'tags' });
    const parameters = (input.parameters ?? []).map(checkParameter);
    if (new Set(parameters.map((p) => p.name)).size !== parameters.length) throw badInput('parameter names must be unique', { field: 'parameters' });
    const em = this.db.em.fork();
    const template = em.create(Template, {
      id: randomUUID(),
      authorId: user.id,
      name,
      description: (input.description ?? workflow.description).slice(0, 10_000),
      tags,
      parameters,
      definition: workflow.definition,
      createdAt: new Date(),
    });
    await em.flush();
    return template;
  }

  async get(user: User, id: string): Promise<Template> {
    const template = await this.db.em.fork().findOne(Template, { id: id.length > 100 ? '' : id, authorId: user.id });
    if (!template) throw notFound('template', id);
    return template;
  }

  async list(user: User, search: string | null | undefined, tag: string | null | undefined, first: number | null | undefined, after: string | null | undefined): Promise<Page<Template>> {
    const limit = pageSize(first);
    const em = this.db.em.fork();
    const candidates = await em.find(Template, { authorId: user.id } as FilterQuery<Template>, { orderBy: { createdAt: 'desc', id: 'desc' } });
    const needle = search?.trim().toLowerCase();
    const wantedTag = tag?.trim().toLowerCase();
    // Tags are a JSON list: filtered here, the same way on SQLite and PostgreSQL.
    const matching = candidates.filter(
      (t) => (!needle || `${t.name} ${t.description}`.toLowerCase().includes(needle)) && (!wantedTag || t.tags.includes(wantedTag)),
    );
    const cursor = decodeCursor(after, 2);
    const start = cursor ? matching.findIndex((t) => t.createdAt.getTime() === cursor[0] && t.id === cursor[1]) + 1 : 0;
    const items = matching.slice(start, start + limit);
    return { items, hasNextPage: start + limit < matching.length, totalCount: matching.length, cursorOf: (t) => encodeCursor([t.createdAt.getTime(), t.id]) };
  }

  /** A new workflow from the template, its `params` filled from the given values and the defaults. */
  async instantiate(user: User, templateId: string, name: string | null | undefined, values: unknown): Promise<Workflow> {
    const template = await this.get(user, templateId);
    if (values !== undefined && values !== null && (typeof values !== 'object' || Array.isArray(values))) {
      throw badInput('parameters must be an object of name: value');
    }
    const given = (values ?? {}) as Record<string, JsonValue>;
    const problems: string[] = [];
    for (const key of Object.keys(given)) if (!template.parameters.some((p) => p.name === key)) problems.push(`unknown parameter "${key}"`);
    const params: Record<string, JsonValue> = { ...((template.definition as { params?: Record<string, JsonValue> }).params ?? {}) };
    for (const parameter of template.parameters) {
      const value = Object.prototype.hasOwnProperty.call(given, parameter.name) ? given[parameter.name]! : parameter.default;
      if (value === null || value === undefined) {
        if (parameter.required) problems.push(`parameter "${parameter.name}" is required`);
        continue;
      }
      const wrong = typeProblem(parameter, value);
      if (wrong) problems.push(wrong);
      else params[parameter.name] = value;
    }
    if (problems.length > 0) throw badInput(`the template's parameters are not right: ${problems.join('; ')}`, { problems: problems.map((message) => ({ path: 'parameters', nodeId: null, edgeId: null, code: 'invalid_parameter', message })) });
    const definition = { ...(template.definition as Record<string, unknown>), params };
    return this.workflows.create(user, { name: name ?? template.name, description: template.description, definition });
  }
}

function checkParameter(input: ParameterInput): TemplateParameter {
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,99}$/.test(input.name)) throw badInput(`parameter "${input.name}": the name must be an id`, { field: 'parameters' });
  if (!(TEMPLATE_PARAMETER_TYPES as readonly string[]).includes(input.type)) {
    throw badInput(`parameter "${input.name}": type must be one of ${TEMPLATE_PARAMETER_TYPES.join(', ')}`, { field: 'parameters' });
  }
  const parameter: TemplateParameter = {
    name: input.name,
    type: input.type as TemplateParameter['type'],
    required: input.required ?? false,
    description: (input.description ?? '').slice(0, 2_000),
    default: input.default ?? null,
  };
  if (parameter.default !== null) {
    const wrong = typeProblem(parameter, parameter.default);
    if (wrong) throw badInput(`default of ${wrong}`, { field: 'parameters' });
  }
  return parameter;
}

function typeProblem(parameter: TemplateParameter, value: JsonValue): string | null {
  const ok =
    parameter.type === 'json' ||
    (parameter.type === 'number' && typeof value === 'number' && Number.isFinite(value)) ||
    (parameter.type === 'boolean' && typeof value === 'boolean') ||
    ((parameter.type === 'string' || parameter.type === 'secret') && typeof value === 'string');
  return ok ? null : `parameter "${parameter.name}" must be a ${parameter.type === 'secret' ? 'secret reference (text)' : parameter.type}`;
}
