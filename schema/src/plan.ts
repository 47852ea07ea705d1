import type { JsonObject, JsonValue } from './json.js';

export const PLAN_VERSION = 1;

export interface PlanEdge {
  id: string;
  source: string;
  target: string;
  /** The branch handle this edge leaves by; `null` for a plain output. */
  handle: string | null;
  /** An edge from a loop body back to its loop node. */
  loopBack: boolean;
}

export interface PlanNode {
  id: string;
  type: string;
  name?: string;
  /** Normalized config: defaults filled in, expressions still as source text. */
  config: JsonObject;
  trigger: boolean;
  /** Edge ids entering the node (loop back edges excluded). */
  incoming: string[];
  outgoing: PlanEdge[];
  /** For a loop node: the nodes of its body and the edges that return to it. */
  loop?: { body: string[]; backEdges: string[] };
}

/** What the interpreter runs: a validated graph with everything precomputed. Plain JSON. */
export interface ExecutionPlan {
  planVersion: typeof PLAN_VERSION;
  name: string;
  params: Record<string, JsonValue>;
  /** In topological order (loop back edges ignored), ties in document order. */
  nodes: PlanNode[];
  triggers: string[];
}
