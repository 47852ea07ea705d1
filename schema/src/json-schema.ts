import { z } from 'zod';
import { WORKFLOW_FORMAT, jsonValueSchema, workflowDocumentSchema } from './format.js';
import { NODE_TYPES, type NodeTypeDefinition } from './nodes/index.js';

/** A JSON Schema (draft 2020-12) document, as plain JSON. */
export type JsonSchema = Record<string, unknown>;

/** Names given to shared schemas in `$defs` (zod would call them `__schema0`, …). */
const DEF_NAMES: ReadonlyMap<z.core.$ZodType, string> = new Map([[jsonValueSchema, 'JsonValue']]);

/** The global registry (descriptions from `.describe()`), plus stable ids for the shared schemas. */
class NamedDefsRegistry extends z.core.$ZodRegistry<z.core.GlobalMeta> {
  override get<S extends z.core.$ZodType>(schema: S): z.core.$replace<z.core.GlobalMeta, S> | undefined {
    const meta = z.globalRegistry.get(schema);
    const id = DEF_NAMES.get(schema);
    if (id === undefined) return meta;
    return { ...meta, id } as z.core.$replace<z.core.GlobalMeta, S>;
  }
}

/**
 * The JSON Schema of a `tandem.workflow/v1` document, generated from the zod schemas:
 * the document shape, with each node's `config` checked against its type's schema.
 * Input side (`io: 'input'`), so fields with defaults are optional.
 * Checks that need code (expressions, graph shape, cron syntax) are validateWorkflow's.
 */
export function buildWorkflowJsonSchema(): JsonSchema {
  // One conversion for everything, so shared schemas end up once in a common `$defs`.
  const carrier = z.object({
    document: workflowDocumentSchema,
    configs: z.object(Object.fromEntries(NODE_TYPES.map((t) => [t.type, t.config]))),
  });
  const converted = z.toJSONSchema(carrier, { io: 'input', metadata: new NamedDefsRegistry() }) as JsonSchema;
  const properties = objectAt(converted, 'properties');
  const document = objectAt(properties, 'document');
  const configs = objectAt(objectAt(properties, 'configs'), 'properties');

  const documentProperties = objectAt(document, 'properties');
  const nodes = objectAt(documentProperties, 'nodes');
  const node = objectAt(nodes, 'items');
  const nodeProperties = objectAt(node, 'properties');
  const typed: JsonSchema = {
    ...node,
    properties: { ...nodeProperties, type: { ...objectAt(nodeProperties, 'type'), enum: NODE_TYPES.map((t) => t.type) } },
    allOf: NODE_TYPES.map((t) => configRule(t, objectAt(configs, t.type))),
  };

  const result: JsonSchema = {
    $schema: converted.$schema,
    title: `Tandem workflow (${WORKFLOW_FORMAT})`,
    description: 'A workflow graph: nodes of the catalogue connected by edges. Generated from @tandem/schema; do not edit.',
    ...document,
    properties: { ...documentProperties, nodes: { ...nodes, items: typed } },
  };
  if (converted.$defs !== undefined) result.$defs = converted.$defs;
  return result;
}

/** `if the node's type is T then its config follows T's schema` (required when T's config has required fields). */
function configRule(nodeType: NodeTypeDefinition<never>, config: JsonSchema): JsonSchema {
  const required = Array.isArray(config.required) && config.required.length > 0;
  return {
    if: { properties: { type: { const: nodeType.type } }, required: ['type'] },
    then: {
      properties: { config: { title: nodeType.title, description: nodeType.description, ...config } },
      ...(required ? { required: ['config'] } : {}),
    },
  };
}

function objectAt(schema: JsonSchema, key: string): JsonSchema {
  const value = schema[key];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`generated JSON Schema has no object at "${key}"`);
  }
  return value as JsonSchema;
}
