import * as Y from 'yjs';
import { applyDefinition, docMaps, docToDefinition, setConfigValue } from '@tandem/schema/collab';
import { getNodeType, type JsonValue, type WorkflowDefinition } from '@tandem/schema';
import type { CanvasEdge, CanvasNode } from '../graph/model';

/** Origin of this user's own edits: the undo manager tracks only these. */
export const LOCAL = { local: true } as const;

/** Undo/redo of this user's own edits (LOCAL) to a workflow document; edits within 300 ms are one step. */
export function createUndoManager(doc: Y.Doc): Y.UndoManager {
  const { meta, nodes, edges } = docMaps(doc);
  return new Y.UndoManager([meta, nodes, edges], { trackedOrigins: new Set([LOCAL]), captureTimeout: 300 });
}

type Point = { x: number; y: number };

function nextOrder(map: Y.Map<Y.Map<unknown>>): number {
  let max = -1;
  map.forEach((entry) => {
    const order = entry instanceof Y.Map ? entry.get('order') : undefined;
    if (typeof order === 'number' && order > max) max = order;
  });
  return max + 1;
}

/** A fresh id like `transform2`, usable in expressions (nodes.<id>). */
export function freshId(taken: { has(id: string): boolean }, base: string): string {
  const stem = base.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^[^A-Za-z_]/, '_$&') || 'node';
  for (let i = 1; ; i++) {
    const id = `${stem}${i}`;
    if (!taken.has(id)) return id;
  }
}

export function addNode(doc: Y.Doc, type: string, position: Point, config: Record<string, unknown> = {}): string {
  const { nodes } = docMaps(doc);
  const id = freshId(nodes, type.split('.').pop() ?? 'node');
  doc.transact(() => {
    const entry = new Y.Map<unknown>();
    const configMap = new Y.Map<unknown>();
    for (const [key, value] of Object.entries(config)) setConfigValue(configMap, key, value as JsonValue);
    entry.set('type', type);
    entry.set('position', { x: Math.round(position.x), y: Math.round(position.y) });
    entry.set('config', configMap);
    entry.set('order', nextOrder(nodes));
    nodes.set(id, entry);
  }, LOCAL);
  return id;
}

export function moveNodes(doc: Y.Doc, positions: ReadonlyMap<string, Point>): void {
  const { nodes } = docMaps(doc);
  doc.transact(() => {
    for (const [id, p] of positions) nodes.get(id)?.set('position', { x: Math.round(p.x), y: Math.round(p.y) });
  }, LOCAL);
}

export function connect(doc: Y.Doc, source: string, sourceHandle: string | undefined, target: string): string | null {
  const { edges } = docMaps(doc);
  let exists = false;
  edges.forEach((entry) => {
    if (entry.get('source') === source && entry.get('target') === target && entry.get('sourceHandle') === sourceHandle) exists = true;
  });
  if (exists) return null;
  const id = freshId(edges, 'e');
  doc.transact(() => {
    const entry = new Y.Map<unknown>();
    entry.set('source', source);
    if (sourceHandle !== undefined) entry.set('sourceHandle', sourceHandle);
    entry.set('target', target);
    entry.set('order', nextOrder(edges));
    edges.set(id, entry);
  }, LOCAL);
  return id;
}

/** Deletes nodes (with the edges that touch them) and edges. */
export function deleteItems(doc: Y.Doc, nodeIds: Iterable<string>, edgeIds: Iterable<string> = []): void {
  const { nodes, edges } = docMaps(doc);
  const gone = new Set(nodeIds);
  doc.transact(() => {
    for (const id of gone) nodes.delete(id);
    for (const id of edgeIds) edges.delete(id);
    for (const [id, entry] of [...edges.entries()]) {
      if (gone.has(entry.get('source') as string) || gone.has(entry.get('target') as string)) edges.delete(id);
    }
  }, LOCAL);
}

export function setConfigField(doc: Y.Doc, nodeId: string, field: string, value: unknown): void {
  const entry = docMaps(doc).nodes.get(nodeId);
  if (!entry) return;
  doc.transact(() => {
    let config = entry.get('config');
    if (!(config instanceof Y.Map)) {
      config = new Y.Map<unknown>();
      entry.set('config', config);
    }
    // Expression fields are Y.Text changed by difference: typing together in one expression merges.
    setConfigValue(config as Y.Map<unknown>, field, value as JsonValue | undefined);
  }, LOCAL);
}

export function setNodeName(doc: Y.Doc, nodeId: string, name: string): void {
  const entry = docMaps(doc).nodes.get(nodeId);
  if (!entry) return;
  doc.transact(() => {
    if (name) entry.set('name', name);
    else entry.delete('name');
  }, LOCAL);
}

export function setMeta(doc: Y.Doc, key: 'name' | 'description', value: string): void {
  doc.transact(() => docMaps(doc).meta.set(key, value), LOCAL);
}

/** What the canvas draws, from a definition. */
export function canvasModel(definition: WorkflowDefinition): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const nodes = definition.nodes.map((node): CanvasNode => {
    const type = getNodeType(node.type);
    let handles: string[] = [];
    if (type?.handles) {
      const parsed = type.config.safeParse(node.config ?? {});
      try {
        handles = parsed.success ? [...type.handles(parsed.data)] : [...type.handles((node.config ?? {}) as never)];
      } catch {
        handles = [];
      }
    }
    const position = node.position ?? { x: 0, y: 0 };
    return {
      id: node.id,
      type: node.type,
      ...(node.name ? { name: node.name } : {}),
      x: Number.isFinite(position.x) ? position.x : 0,
      y: Number.isFinite(position.y) ? position.y : 0,
      handles,
      trigger: type?.trigger === true,
    };
  });
  const edges = definition.edges.map((edge): CanvasEdge => ({
    id: edge.id,
    source: edge.source,
    target: edge.target,
    ...(edge.sourceHandle !== undefined ? { sourceHandle: edge.sourceHandle } : {}),
  }));
  return { nodes, edges };
}

export { docToDefinition };

/**
 * Makes the draft `definition` (a version's document) as ONE change of this user's: co-editors
 * see it live, and one undo takes it back whole (capturing stops before and after, so it
 * never merges with a neighbouring edit).
 */
export function restoreDefinition(doc: Y.Doc, undoManager: Y.UndoManager, definition: WorkflowDefinition): void {
  undoManager.stopCapturing();
  applyDefinition(doc, definition, LOCAL);
  undoManager.stopCapturing();
}
