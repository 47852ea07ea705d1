import type { JsonValue, PlanEdge, PlanNode } from '@tandem/schema';

/** An edge decided at run time; `unknown` only in a dry run, for an edge behind a step it did not perform. */
export type DecidedEdge = 'active' | 'dead' | 'unknown';

/**
 * Dead-path elimination, shared by the interpreter and the dry run: decides the outgoing edges of
 * `node` that `include` selects (loop back edges never) and returns the targets now fully decided,
 * each with what its incoming edges say: `unknown` if one is, else `active` if one is, else `dead`.
 */
export function decideOutgoing(
  node: PlanNode,
  nodes: ReadonlyMap<string, PlanNode>,
  edgeState: Map<string, DecidedEdge>,
  stateOf: (edge: PlanEdge) => DecidedEdge,
  include: (edge: PlanEdge) => boolean,
): Array<{ target: PlanNode; state: DecidedEdge }> {
  const targets: string[] = [];
  for (const edge of node.outgoing) {
    if (edge.loopBack || !include(edge)) continue;
    edgeState.set(edge.id, stateOf(edge));
    if (!targets.includes(edge.target)) targets.push(edge.target);
  }
  const decided: Array<{ target: PlanNode; state: DecidedEdge }> = [];
  for (const id of targets) {
    const target = nodes.get(id)!;
    const states = target.incoming.map((edgeId) => edgeState.get(edgeId) ?? 'pending');
    if (states.includes('pending')) continue;
    decided.push({ target, state: states.includes('unknown') ? 'unknown' : states.includes('active') ? 'active' : 'dead' });
  }
  return decided;
}

/** What a step receives: the outputs of the nodes whose edges into it are active, by node id, and a trigger's `input`. */
export function stepInputs(
  node: PlanNode,
  edges: ReadonlyMap<string, PlanEdge>,
  edgeState: ReadonlyMap<string, DecidedEdge>,
  outputs: Record<string, JsonValue>,
  input: JsonValue,
): Record<string, JsonValue> {
  const inputs: Record<string, JsonValue> = {};
  for (const id of node.incoming) {
    const edge = edges.get(id)!;
    if (edgeState.get(id) === 'active') inputs[edge.source] = outputs[edge.source] ?? null;
  }
  if (node.trigger) inputs['input'] = input;
  return inputs;
}
