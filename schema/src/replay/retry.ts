import { jsonEqual } from '../collab/json-equal.js';
import { isTruncatedValue, type JsonValue } from '../json.js';
import type { ExecutionPlan, PlanNode } from '../plan.js';
import { holdsSecretPlaceholder } from '../secrets.js';
import type { RunState } from './run-state.js';

/** A step a retry takes from the run it retries instead of executing it again. */
export interface RecordedStep {
  output: JsonValue;
  handles?: string[];
}

/** Why a step that completed in the run retried is executed again (`RetryPlan.rerun`). */
export type RerunReason =
  | 'from' // the node the retry runs from
  | 'changed' // new in the target version, or its type, config or incoming edges changed
  | 'downstream' // reachable from a node that runs again
  | 'loop' // a loop node or a node in a loop body: iterations are not replayed one by one
  | 'cut' // its recorded output was larger than the stored limit
  | 'secret'; // its recorded output holds a secret reference, which belongs to the old run

export interface RetryPlan {
  /** Steps taken as recorded, by node id: every step that completed and has no reason to run again. */
  reuse: Record<string, RecordedStep>;
  /** Steps that completed in the run retried and run again, with why. */
  rerun: Record<string, RerunReason>;
}

export interface RetryInput {
  /** The plan of the version the run retried ran. */
  original: ExecutionPlan;
  /** The plan of the version the retry runs (the same, or a newer deployed one). */
  target: ExecutionPlan;
  /** The run retried, folded to its end. */
  state: RunState;
  /** Where to run from; must be a node of `target` (the caller checks). */
  fromNodeId: string;
  /** Whole outputs of steps whose event copy was cut (stored step values), by node id. */
  wholeOutputs?: ReadonlyMap<string, JsonValue>;
}

/**
 * Which recorded steps a retry reuses. A step is reused when it completed exactly once in the
 * run retried and none of these hold: it is the node to run from; it is new in the target
 * version or its type, config or incoming edges (source and handle) differ from the original
 * version's, or it reads `params` and the params differ; it is a loop node or in a loop body;
 * it is reachable (in the target version) from a node that runs again for any of these reasons;
 * its output was cut even in storage, or holds a secret reference. Everything else the retry
 * executes as a new run would, starting from the run's trigger.
 */
export function planRetry(input: RetryInput): RetryPlan {
  const { original, target, state, fromNodeId } = input;
  const before = new Map(original.nodes.map((n) => [n.id, n]));
  const targetNodes = new Map(target.nodes.map((n) => [n.id, n]));
  const inLoop = new Set<string>();
  for (const node of target.nodes) if (node.loop) for (const id of [node.id, ...node.loop.body]) inLoop.add(id);
  const paramsChanged = !jsonEqual(original.params, target.params);
  const incomingBefore = incomingByNode(original);
  const incomingNow = incomingByNode(target);

  const rerun: Record<string, RerunReason> = {};
  const seeds: string[] = [fromNodeId];
  rerun[fromNodeId] = 'from';
  for (const node of target.nodes) {
    if (node.id === fromNodeId) continue;
    const old = before.get(node.id);
    const changed =
      !old ||
      old.type !== node.type ||
      !jsonEqual(old.config, node.config) ||
      !jsonEqual(incomingBefore.get(old.id), incomingNow.get(node.id)) ||
      (paramsChanged && JSON.stringify(node.config).includes('params'));
    if (changed) {
      rerun[node.id] = 'changed';
      seeds.push(node.id);
    }
  }
  // Everything reachable from a node that runs again runs again (loop back edges included: a body reaches its loop).
  for (let i = 0; i < seeds.length; i++) {
    for (const edge of targetNodes.get(seeds[i]!)?.outgoing ?? []) {
      if (rerun[edge.target] !== undefined) continue;
      rerun[edge.target] = 'downstream';
      seeds.push(edge.target);
    }
  }

  const reuse: Record<string, RecordedStep> = {};
  for (const [id, step] of state.steps) {
    if (!targetNodes.has(id) || step.status !== 'succeeded') continue;
    if (rerun[id] !== undefined) continue;
    if (inLoop.has(id) || step.runs.length !== 1) {
      rerun[id] = 'loop';
      continue;
    }
    const output = (isTruncatedValue(step.output) ? input.wholeOutputs?.get(id) : step.output) as JsonValue | undefined;
    if (output === undefined || isTruncatedValue(output)) {
      rerun[id] = 'cut';
      continue;
    }
    if (holdsSecretPlaceholder(output)) {
      rerun[id] = 'secret';
      continue;
    }
    const handles = step.runs[0]!.handles;
    reuse[id] = { output, ...(handles ? { handles } : {}) };
  }
  // A step that runs again makes what it reaches run again too, reused or not.
  for (const id of Object.keys(rerun)) {
    if (rerun[id] === 'from' || rerun[id] === 'changed' || rerun[id] === 'downstream') continue;
    dropDownstream(targetNodes, id, reuse, rerun);
  }
  // Only steps the original run completed are reported as running again.
  for (const id of Object.keys(rerun)) if (state.steps.get(id)?.status !== 'succeeded') delete rerun[id];
  return { reuse, rerun };
}

/** Takes every node reachable from `id` out of `reuse`, as running again downstream of it. */
function dropDownstream(nodes: Map<string, PlanNode>, id: string, reuse: Record<string, RecordedStep>, rerun: Record<string, RerunReason>): void {
  const stack = [id];
  const seen = new Set(stack);
  while (stack.length > 0) {
    for (const edge of nodes.get(stack.pop()!)?.outgoing ?? []) {
      if (seen.has(edge.target)) continue;
      seen.add(edge.target);
      if (reuse[edge.target]) {
        delete reuse[edge.target];
        rerun[edge.target] = 'downstream';
      }
      stack.push(edge.target);
    }
  }
}

/** Each node's incoming edges as (source, handle) pairs, sorted: what a change of wiring changes. */
function incomingByNode(plan: ExecutionPlan): Map<string, string[]> {
  const incoming = new Map<string, string[]>(plan.nodes.map((n) => [n.id, []]));
  for (const node of plan.nodes)
    for (const edge of node.outgoing) if (!edge.loopBack) incoming.get(edge.target)?.push(`${edge.source}\u0000${edge.handle ?? ''}`);
  for (const pairs of incoming.values()) pairs.sort();
  return incoming;
}
