import { randomUUID } from 'node:crypto';
import type { FilterQuery } from '@mikro-orm/core';
import { validateWorkflow, type JsonValue } from '@tandem/schema';
import type { Database } from '../db/orm.js';
import { Template, TEMPLATE_PARAMETER_TYPES, type TemplateParameter, type User, type Workflow } from '../db/entities.js';
import { badInput, notFound } from '../errors.js';
import { decodeCursor, encodeCursor, pageSize, type Page } from '../pagination.js';
import { BUILT_IN_TEMPLATE_ROWS, builtInTemplate, type BuiltInParameter } from '../templates/index.js';
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
      definition: (await this.workflows.draft(workflow)) as unknown as JsonValue,
      createdAt: new Date(),
    });
    await em.flush();
    return template;
  }

  /** One of your templates or a built-in one (visible to every signed-in user). */
  async get(user: User, id: string): Promise<Template> {
    const builtIn = builtInTemplate(id);
    if (builtIn) return builtIn;
    const template = await this.db.em.fork().findOne(Template, { id: id.length > 100 ? '' : id, authorId: user.id });
    if (!template) throw notFound('template', id);
    return template;
  }

  async list(
    user: User,
    search: string | null | undefined,
    tag: string | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Page<Template>> {
    const limit = pageSize(first);
    const em = this.db.em.fork();
    // Your own templates, newest first, then the built-in library in its order.
    const own = await em.find(Template, { authorId: user.id } as FilterQuery<Template>, { orderBy: { createdAt: 'desc', id: 'desc' } });
    const candidates = [...own, ...BUILT_IN_TEMPLATE_ROWS];
    const needle = search?.trim().toLowerCase();
    const wantedTag = tag?.trim().toLowerCase();
    // Tags are a JSON list: filtered here, the same way on SQLite and PostgreSQL.
    const matching = candidates.filter(
      (t) => (!needle || `${t.name} ${t.description} ${t.tags.join(' ')}`.toLowerCase().includes(needle)) && (!wantedTag || t.tags.includes(wantedTag)),
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
    // A copy: built-in templates are shared objects.
    const definition = structuredClone(template.definition) as Record<string, unknown> & { params?: Record<string, JsonValue> };
    const params: Record<string, JsonValue> = { ...(definition.params ?? {}) };
    const filled: Array<{ parameter: string; nodeId: string; path: string[] }> = [];
    for (const parameter of template.parameters as BuiltInParameter[]) {
      const value = Object.prototype.hasOwnProperty.call(given, parameter.name) ? given[parameter.name]! : parameter.default;
      if (value === null || value === undefined) {
        if (parameter.required) problems.push(`parameter "${parameter.name}" is required`);
        continue;
      }
      const wrong = typeProblem(parameter, value);
      if (wrong) {
        problems.push(wrong);
        continue;
      }
      params[parameter.name] = value;
      for (const target of parameter.fills ?? []) {
        const [nodeId, ...path] = target.split('.');
        if (fillConfig(definition, nodeId!, path, value)) filled.push({ parameter: parameter.name, nodeId: nodeId!, path });
      }
    }
    if (problems.length === 0 && filled.length > 0) {
      // A value written into a node's config must suit that field (a timeout is a whole number, a cron line parses…).
      const result = validateWorkflow({ ...definition, params });
      if (!result.ok) {
        for (const problem of result.problems) {
          const culprit = filled.find((f) => f.nodeId === problem.nodeId && problem.path.endsWith(`config.${f.path.join('.')}`));
          if (culprit) problems.push(`parameter "${culprit.parameter}": ${problem.message}`);
        }
      }
    }
    if (problems.length > 0)
      throw badInput(`the template's parameters are not right: ${problems.join('; ')}`, {
        problems: problems.map((message) => ({ path: 'parameters', nodeId: null, edgeId: null, code: 'invalid_parameter', message })),
      });
    return this.workflows.create(user, { name: name ?? template.name, description: template.description, definition: { ...definition, params } });
  }
}

/** Sets `config.<path>` of node `nodeId` in a definition; false when there is no such node. */
function fillConfig(definition: Record<string, unknown>, nodeId: string, path: string[], value: JsonValue): boolean {
  const nodes = Array.isArray(definition.nodes) ? (definition.nodes as Array<{ id?: unknown; config?: Record<string, unknown> }>) : [];
  const node = nodes.find((n) => n.id === nodeId);
  if (!node || path.length === 0) return false;
  let at: Record<string, unknown> = (node.config ??= {});
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    at = (next !== null && typeof next === 'object' && !Array.isArray(next) ? next : (at[key] = {})) as Record<string, unknown>;
  }
  at[path.at(-1)!] = value;
  return true;
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
