/** What the canvas draws: plain data, from a Yjs document (editor) or a version's definition (run view). */
export interface CanvasNode {
  id: string;
  type: string;
  name?: string;
  x: number;
  y: number;
  /** Named outgoing handles of a branching node; empty for one plain output. */
  handles: string[];
  /** A trigger has no input handle. */
  trigger: boolean;
}

export interface CanvasEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string;
}

/** A node's earlier place (a comparison's moved node), drawn dashed behind the graph. */
export interface NodeGhost {
  id: string;
  x: number;
  y: number;
}

/** A node's state in a run. */
export type NodeState = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped';

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 56;
export const HANDLE_SPACING = 22;

export function nodeHeight(node: Pick<CanvasNode, 'handles'>): number {
  return Math.max(NODE_HEIGHT, 16 + node.handles.length * HANDLE_SPACING);
}

/** Where an outgoing handle sits, relative to the node. */
export function handleOffset(node: Pick<CanvasNode, 'handles'>, handle: string | undefined): { x: number; y: number } {
  const height = nodeHeight(node);
  const index = handle === undefined ? -1 : node.handles.indexOf(handle);
  if (node.handles.length === 0 || index < 0) return { x: NODE_WIDTH, y: height / 2 };
  const top = (height - (node.handles.length - 1) * HANDLE_SPACING) / 2;
  return { x: NODE_WIDTH, y: top + index * HANDLE_SPACING };
}

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function boundsOf(nodes: ReadonlyArray<Pick<CanvasNode, 'x' | 'y' | 'handles'>>): Bounds | null {
  if (nodes.length === 0) return null;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const node of nodes) {
    minX = Math.min(minX, node.x);
    minY = Math.min(minY, node.y);
    maxX = Math.max(maxX, node.x + NODE_WIDTH);
    maxY = Math.max(maxY, node.y + nodeHeight(node));
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** The viewport that shows `bounds` inside a `width` x `height` area with a margin. */
export function fitViewport(bounds: Bounds | null, width: number, height: number, margin = 40, maxZoom = 1.5): Viewport {
  if (!bounds || width <= 0 || height <= 0) return { x: margin, y: margin, zoom: 1 };
  const zoom = Math.max(0.05, Math.min(maxZoom, (width - 2 * margin) / Math.max(1, bounds.width), (height - 2 * margin) / Math.max(1, bounds.height)));
  return {
    zoom,
    x: (width - bounds.width * zoom) / 2 - bounds.x * zoom,
    y: (height - bounds.height * zoom) / 2 - bounds.y * zoom,
  };
}

/** A smooth edge path from an output handle to an input. */
export function edgePath(from: { x: number; y: number }, to: { x: number; y: number }): string {
  const dx = Math.max(40, Math.abs(to.x - from.x) / 2);
  return `M${from.x},${from.y} C${from.x + dx},${from.y} ${to.x - dx},${to.y} ${to.x},${to.y}`;
}
