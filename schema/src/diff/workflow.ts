import { jsonEqual } from '../collab/json-equal.js';
import type { Position, WorkflowDefinition, WorkflowEdge, WorkflowNode } from '../format.js';
import { formatPath, isPlainObject, type JsonValue } from '../json.js';
import { fieldKindByName, getNodeType, type FieldKind } from '../nodes/index.js';
import { compareText, has, unionKeys } from './json.js';
import { diffText, type TextDiffPart } from './text.js';

export type ChangeKind = 'added' | 'removed' | 'changed';

/** What a canvas marks a node with: `changed` when its type or config differ, else `renamed`, else `moved`. */
export type NodeMark = 'added' | 'removed' | 'changed' | 'renamed' | 'moved';

export interface ValueChange<T> {
  before: T;
  after: T;
}

/** One config field that differs; `path` is inside `config` (objects are compared key by key, arrays whole). */
export interface ConfigFieldChange {
  path: string[];
  /** `path` as text, e.g. `headers["x-id"]`. */
  field: string;
  change: ChangeKind;
  /** How the field is read: JSONata, a `{{ }}` template, or a plain value. */
  kind: FieldKind;
  /** Absent when the field was added. */
  before?: JsonValue;
  /** Absent when the field was removed. */
  after?: JsonValue;
  /** A word-level diff when both sides are text. */
  text?: TextDiffPart[];
}

export interface NodeChange {
  nodeId: string;
  change: ChangeKind;
  mark: NodeMark;
  /** The whole node: as added (in `to`) or as removed (in `from`); absent for a changed node. */
  node?: WorkflowNode;
  type?: ValueChange<string>;
  /** The label; null when the node has none. */
  name?: ValueChange<string | null>;
  position?: ValueChange<Position>;
  config: ConfigFieldChange[];
}

export interface EdgeChange {
  edgeId: string;
  /** `changed`: the same id now connects other nodes or handles. */
  change: ChangeKind;
  before?: WorkflowEdge;
  after?: WorkflowEdge;
}

export interface MetadataChange {
  field: 'name' | 'description';
  before: string;
  after: string;
  text: TextDiffPart[];
}

export interface ParamChange {
  name: string;
  change: ChangeKind;
  before?: JsonValue;
  after?: JsonValue;
}

/**
 * What changed from one workflow document to another. Nodes, edges and params are matched by
 * id (or name), never by position in their arrays, and every list is sorted by id: reordering
 * a document changes nothing.
 */
export interface WorkflowDiff {
  metadata: MetadataChange[];
  params: ParamChange[];
  nodes: NodeChange[];
  edges: EdgeChange[];
}

/**
 * The structured diff of two workflow documents. Either may be an incomplete draft (as the
 * collaboration document holds it): values of unexpected kinds are compared as JSON.
 */
export function diffWorkflows(from: WorkflowDefinition, to: WorkflowDefinition): WorkflowDiff {
  const metadata: MetadataChange[] = [];
  for (const field of ['name', 'description'] as const) {
    const before = textOf(from[field]);
    const after = textOf(to[field]);
    if (before !== after) metadata.push({ field, before, after, text: diffText(before, after) });
  }

  const params: ParamChange[] = [];
  const fromParams = objectOf(from.params);
  const toParams = objectOf(to.params);
  for (const name of unionKeys(fromParams, toParams)) {
    const inFrom = has(fromParams, name);
    const inTo = has(toParams, name);
    if (inFrom && inTo && jsonEqual(fromParams[name], toParams[name])) continue;
    params.push({
      name,
      change: !inFrom ? 'added' : !inTo ? 'removed' : 'changed',
      ...(inFrom ? { before: fromParams[name] } : {}),
      ...(inTo ? { after: toParams[name] } : {}),
    });
  }

  const fromNodes = byId(from.nodes);
  const toNodes = byId(to.nodes);
  const nodes: NodeChange[] = [];
  for (const id of sortedIds(fromNodes, toNodes)) {
    const before = fromNodes.get(id);
    const after = toNodes.get(id);
    if (!before) nodes.push({ nodeId: id, change: 'added', mark: 'added', node: after!, config: [] });
    else if (!after) nodes.push({ nodeId: id, change: 'removed', mark: 'removed', node: before, config: [] });
    else {
      const change = diffNode(before, after);
      if (change) nodes.push(change);
    }
  }

  const fromEdges = byId(from.edges);
  const toEdges = byId(to.edges);
  const edges: EdgeChange[] = [];
  for (const id of sortedIds(fromEdges, toEdges)) {
    const before = fromEdges.get(id);
    const after = toEdges.get(id);
    if (before && after && jsonEqual(edgeShape(before), edgeShape(after))) continue;
    edges.push({ edgeId: id, change: !before ? 'added' : !after ? 'removed' : 'changed', ...(before ? { before } : {}), ...(after ? { after } : {}) });
  }

  return { metadata, params, nodes, edges };
}

/** True when the two documents compared equal. */
export function isEmptyDiff(diff: WorkflowDiff): boolean {
  return diff.metadata.length === 0 && diff.params.length === 0 && diff.nodes.length === 0 && diff.edges.length === 0;
}

function diffNode(before: WorkflowNode, after: WorkflowNode): NodeChange | null {
  const change: NodeChange = { nodeId: after.id, change: 'changed', mark: 'moved', config: [] };
  if (before.type !== after.type) change.type = { before: before.type, after: after.type };
  const beforeName = before.name ?? null;
  const afterName = after.name ?? null;
  if (beforeName !== afterName) change.name = { before: beforeName, after: afterName };
  if (!jsonEqual(before.position, after.position)) change.position = { before: before.position, after: after.position };
  const kindOf = getNodeType(after.type)?.fieldKind ?? fieldKindByName;
  diffConfig(objectOf(before.config), objectOf(after.config), [], kindOf, change.config);
  if (!change.type && !change.name && !change.position && change.config.length === 0) return null;
  change.mark = change.type || change.config.length > 0 ? 'changed' : change.name ? 'renamed' : 'moved';
  return change;
}

/** Field changes between two config objects, descending into objects both sides have. */
function diffConfig(
  before: Record<string, JsonValue>,
  after: Record<string, JsonValue>,
  path: string[],
  kindOf: (path: readonly string[]) => FieldKind,
  out: ConfigFieldChange[],
): void {
  for (const key of unionKeys(before, after)) {
    const at = [...path, key];
    const inBefore = has(before, key);
    const inAfter = has(after, key);
    const b = before[key];
    const a = after[key];
    if (inBefore && inAfter) {
      if (jsonEqual(b, a)) continue;
      if (isPlainObject(b) && isPlainObject(a)) {
        diffConfig(b as Record<string, JsonValue>, a as Record<string, JsonValue>, at, kindOf, out);
        continue;
      }
    }
    const field: ConfigFieldChange = {
      path: at,
      field: formatPath(at),
      change: !inBefore ? 'added' : !inAfter ? 'removed' : 'changed',
      kind: typeof (inAfter ? a : b) === 'string' ? kindOf(at) : 'literal',
      ...(inBefore ? { before: b } : {}),
      ...(inAfter ? { after: a } : {}),
    };
    if (typeof b === 'string' || typeof a === 'string') {
      field.text = diffText(typeof b === 'string' ? b : '', typeof a === 'string' ? a : '');
    }
    out.push(field);
  }
}

/** The fields that make an edge what it is (an absent handle and no handle are the same). */
function edgeShape(edge: WorkflowEdge): JsonValue {
  return { source: edge.source, target: edge.target, sourceHandle: edge.sourceHandle ?? null };
}

function byId<T extends { id: string }>(items: readonly T[] | undefined): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of Array.isArray(items) ? items : []) if (item && typeof item.id === 'string' && !map.has(item.id)) map.set(item.id, item);
  return map;
}

function sortedIds(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort(compareText);
}

function objectOf(value: unknown): Record<string, JsonValue> {
  return isPlainObject(value) ? (value as Record<string, JsonValue>) : {};
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
