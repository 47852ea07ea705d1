import type { ChangeKind, NodeMark, WorkflowDefinition, WorkflowDiff } from '@tandem/schema';
import { canvasModel } from '../editor/doc';
import type { CanvasEdge, CanvasNode, NodeGhost } from '../graph/model';

/** One side of a comparison: a deployed version's number, or the live draft. */
export type Revision = number | 'draft';

export const revisionLabel = (revision: Revision) => (revision === 'draft' ? 'the draft' : `version ${revision}`);

/** What the comparison canvas draws: the `to` graph plus what `from` had and `to` removed, each marked. */
export interface ComparisonModel {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  nodeMarks: Map<string, NodeMark>;
  edgeMarks: Map<string, ChangeKind>;
  /** Where each moved node was in `from`. */
  ghosts: NodeGhost[];
}

export function comparisonModel(from: WorkflowDefinition, to: WorkflowDefinition, diff: WorkflowDiff): ComparisonModel {
  const before = canvasModel(from);
  const after = canvasModel(to);
  const removedNodes = new Set(diff.nodes.filter((n) => n.change === 'removed').map((n) => n.nodeId));
  const removedEdges = new Set(diff.edges.filter((e) => e.change === 'removed').map((e) => e.edgeId));
  return {
    nodes: [...after.nodes, ...before.nodes.filter((n) => removedNodes.has(n.id))],
    edges: [...after.edges, ...before.edges.filter((e) => removedEdges.has(e.id))],
    nodeMarks: new Map(diff.nodes.map((n) => [n.nodeId, n.mark])),
    edgeMarks: new Map(diff.edges.map((e) => [e.edgeId, e.change])),
    ghosts: diff.nodes.flatMap((n) => {
      const was = n.position?.before;
      return was && Number.isFinite(was.x) && Number.isFinite(was.y) ? [{ id: n.nodeId, x: was.x, y: was.y }] : [];
    }),
  };
}

/** The legend's words for each mark, in the order it lists them. */
export const MARK_LABELS: ReadonlyArray<[NodeMark, string]> = [
  ['added', 'Added'],
  ['removed', 'Removed'],
  ['changed', 'Changed'],
  ['renamed', 'Renamed'],
  ['moved', 'Moved'],
];

/** A success rate as people read it: "80% succeeded", or nothing before a run finished. */
export function successText(rate: number | null): string {
  return rate === null ? '' : `${Math.round(rate * 100)}% succeeded`;
}
