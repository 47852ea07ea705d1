import { edgeSchema, nodeSchema, WORKFLOW_FORMAT, type WorkflowDefinition, type WorkflowEdge, type WorkflowNode } from './format.js';
import { isPlainObject, type JsonValue } from './json.js';
import type { Problem } from './problems.js';
import { analyzeWorkflow } from './validate.js';

export type DraftCheck =
  /** Well-formed: `definition` can be stored as the draft; `problems` are what a deploy would refuse. */
  | { ok: true; definition: WorkflowDefinition; problems: Problem[] }
  /** Not a document of the format at all: `problems` are only the shape problems. */
  | { ok: false; problems: Problem[] };

/**
 * Checks a document meant as a draft. A draft may be incomplete while people work on it (a node
 * not yet connected, an empty expression, even a blank name, as in the editor), so only a
 * malformed document is refused: not the format's JSON shape, a node or edge without a valid
 * id, type, position or config object, or an id used twice. Validity is enforced at deploy.
 */
export function checkDraft(input: unknown): DraftCheck {
  const { problems } = analyzeWorkflow(input);
  const malformed = problems.filter(isMalformed);
  if (malformed.length > 0 || !isPlainObject(input)) return { ok: false, problems: malformed };
  const nodes = (input.nodes as unknown[]).map((node) => nodeSchema.parse(node) as WorkflowNode);
  const edges = (input.edges as unknown[]).map((edge) => edgeSchema.parse(edge) as WorkflowEdge);
  const definition: WorkflowDefinition = {
    format: WORKFLOW_FORMAT,
    name: typeof input.name === 'string' ? input.name : '',
    description: typeof input.description === 'string' ? input.description : '',
    params: isPlainObject(input.params) ? (input.params as Record<string, JsonValue>) : {},
    nodes,
    edges,
  };
  return { ok: true, definition, problems };
}

/** Shape problems, which no draft may have; a blank or long name is a draft's to fix later. */
function isMalformed(problem: Problem): boolean {
  if (problem.code === 'invalid_document') return problem.path !== 'name';
  return problem.code === 'invalid_node' || problem.code === 'invalid_edge' || problem.code === 'duplicate_id';
}
