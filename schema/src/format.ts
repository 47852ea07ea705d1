import { z } from 'zod';
import type { JsonObject, JsonValue } from './json.js';

export const WORKFLOW_FORMAT = 'tandem.workflow/v1';

/** Limits on a workflow document; larger documents are refused before any other check. */
export const DOCUMENT_LIMITS = {
  maxNodes: 2_000,
  maxEdges: 10_000,
  maxDepth: 48,
  maxValues: 500_000,
  maxStringLength: 100_000,
} as const;

/** Ids appear in expressions (`nodes.<id>`), so they are restricted to name-like text. */
export const idSchema = z
  .string()
  .min(1, 'id must not be empty')
  .max(100, 'id must be at most 100 characters')
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'id must start with a letter or "_" and contain only letters, digits, "_" and "-"');

const finite = z.number().finite();

export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), finite, z.string(), z.array(jsonValueSchema), z.record(z.string(), jsonValueSchema)]),
);

export const positionSchema = z.object({ x: finite, y: finite }).strict();

export const nodeSchema = z
  .object({
    id: idSchema.describe('Unique within the workflow; expressions refer to the output as nodes.<id>.'),
    type: z.string().min(1).max(100).describe('A node type of the catalogue, e.g. "transform".'),
    name: z.string().max(200).optional().describe('Label shown in the editor.'),
    position: positionSchema.describe('Canvas position.'),
    config: z.record(z.string(), z.unknown()).default({}).describe("Settings of the node's type."),
  })
  .strict();

export const edgeSchema = z
  .object({
    id: idSchema,
    source: idSchema,
    target: idSchema,
    sourceHandle: z.string().min(1).max(100).optional().describe('For branching nodes: the outgoing handle this edge leaves from, e.g. "true".'),
  })
  .strict();

export const workflowEnvelopeSchema = z
  .object({
    format: z.literal(WORKFLOW_FORMAT),
    name: z.string().trim().min(1, 'name must not be empty').max(200),
    description: z.string().max(10_000).default(''),
    params: z.record(idSchema, jsonValueSchema).default({}).describe('Workflow-level constants, visible to expressions as params.'),
    nodes: z.array(z.unknown()).max(DOCUMENT_LIMITS.maxNodes),
    edges: z.array(z.unknown()).max(DOCUMENT_LIMITS.maxEdges),
  })
  .strict();

/** The full document schema (node configs are checked per node type). Used to generate workflow.schema.json. */
export const workflowDocumentSchema = workflowEnvelopeSchema.extend({
  nodes: z.array(nodeSchema).max(DOCUMENT_LIMITS.maxNodes),
  edges: z.array(edgeSchema).max(DOCUMENT_LIMITS.maxEdges),
});

export interface Position {
  x: number;
  y: number;
}

export interface WorkflowNode {
  id: string;
  type: string;
  name?: string;
  position: Position;
  config: JsonObject;
}

export interface WorkflowEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string;
}

/** A workflow in the `tandem.workflow/v1` format. */
export interface WorkflowDefinition {
  format: typeof WORKFLOW_FORMAT;
  name: string;
  description: string;
  params: Record<string, JsonValue>;
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
}
