import { reachableFrom, topologicalOrder } from './graph.js';
import { getNodeType } from './nodes/index.js';
import type { ExecutionPlan, PlanEdge, PlanNode } from './plan.js';
import { PLAN_VERSION } from './plan.js';
import type { Problem } from './problems.js';
import { analyzeWorkflow } from './validate.js';

export type CompileResult = { ok: true; plan: ExecutionPlan } | { ok: false; problems: Problem[] };

/** Validates an untrusted document and turns it into the plan the interpreter runs. Deterministic; never throws. */
export function compileWorkflow(input: unknown): CompileResult {
  const analysis = analyzeWorkflow(input);
  if (analysis.problems.length > 0 || !analysis.definition) return { ok: false, problems: analysis.problems };
  const { definition, configs } = analysis;

  const types = new Map(definition.nodes.map((n) => [n.id, getNodeType(n.type)!]));
  const successors = new Map<string, string[]>();
  for (const edge of definition.edges) successors.set(edge.source, [...(successors.get(edge.source) ?? []), edge.target]);

  const predecessors = new Map<string, string[]>();
  for (const edge of definition.edges) predecessors.set(edge.target, [...(predecessors.get(edge.target) ?? []), edge.source]);

  // A loop's body: what its "body" edges reach before returning to it, and can get back to it.
  const loops = new Map<string, { body: string[]; backEdges: string[] }>();
  for (const node of definition.nodes) {
    if (!types.get(node.id)?.allowsCycles) continue;
    const entries = definition.edges.filter((e) => e.source === node.id && e.sourceHandle === 'body').map((e) => e.target);
    const forward = reachableFrom(successors, entries, node.id);
    forward.delete(node.id);
    const backward = reachableFrom(predecessors, [node.id], undefined);
    const body = definition.nodes.map((n) => n.id).filter((id) => forward.has(id) && backward.has(id));
    const bodySet = new Set(body);
    const backEdges = definition.edges.filter((e) => e.target === node.id && bodySet.has(e.source)).map((e) => e.id);
    loops.set(node.id, { body, backEdges });
  }
  const loopBack = new Set([...loops.values()].flatMap((l) => l.backEdges));

  const planEdges: PlanEdge[] = definition.edges.map((e) => ({
    id: e.id,
    source: e.source,
    target: e.target,
    handle: e.sourceHandle ?? null,
    loopBack: loopBack.has(e.id),
  }));
  const forwardAdjacency = new Map<string, string[]>();
  for (const edge of planEdges) {
    if (!edge.loopBack) forwardAdjacency.set(edge.source, [...(forwardAdjacency.get(edge.source) ?? []), edge.target]);
  }
  const order = topologicalOrder(
    definition.nodes.map((n) => n.id),
    forwardAdjacency,
  );
  const edgesBySource = new Map<string, PlanEdge[]>();
  const edgesByTarget = new Map<string, PlanEdge[]>();
  for (const edge of planEdges) {
    edgesBySource.set(edge.source, [...(edgesBySource.get(edge.source) ?? []), edge]);
    edgesByTarget.set(edge.target, [...(edgesByTarget.get(edge.target) ?? []), edge]);
  }
  const byId = new Map(definition.nodes.map((n) => [n.id, n]));

  const nodes: PlanNode[] = order.map((id) => {
    const node = byId.get(id)!;
    const nodeType = types.get(id)!;
    const config = configs.get(id)!;
    const planNode: PlanNode = {
      id,
      type: node.type,
      config: nodeType.compile ? nodeType.compile(config) : config,
      trigger: nodeType.trigger === true,
      incoming: (edgesByTarget.get(id) ?? []).filter((e) => !e.loopBack).map((e) => e.id),
      outgoing: edgesBySource.get(id) ?? [],
    };
    if (node.name !== undefined) planNode.name = node.name;
    const loop = loops.get(id);
    if (loop) planNode.loop = loop;
    return planNode;
  });

  return {
    ok: true,
    plan: {
      planVersion: PLAN_VERSION,
      name: definition.name,
      params: definition.params,
      nodes,
      triggers: nodes.filter((n) => n.trigger).map((n) => n.id),
    },
  };
}
