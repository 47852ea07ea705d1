import * as Y from 'yjs';
import { WORKFLOW_FORMAT, type WorkflowDefinition, type WorkflowEdge, type WorkflowNode } from '../format.js';
import type { JsonObject, JsonValue } from '../json.js';
import { jsonEqual } from './json-equal.js';

/**
 * The Yjs layout of a workflow draft (room = workflow id):
 *
 *   meta   Y.Map  name, description, params
 *   nodes  Y.Map  node id -> Y.Map { type, name?, position: {x, y}, config: Y.Map, order }
 *   edges  Y.Map  edge id -> Y.Map { source, sourceHandle?, target, order }
 *
 * `config` is a Y.Map so that two people editing different fields of one node both
 * keep their edit. Expression fields (named `expression` or ending in `Expression`) are
 * Y.Text, so two people typing in the same expression both keep their keystrokes; objects
 * are nested Y.Maps (edits to different keys merge); every other value is plain JSON
 * (last writer wins).
 * `order` keeps the definition's array order, so definition -> document -> definition
 * is the identity; entries without it (written by other clients) sort after, by id.
 */
export const DOC_MAPS = { meta: 'meta', nodes: 'nodes', edges: 'edges' } as const;

export interface WorkflowDocMaps {
  meta: Y.Map<unknown>;
  nodes: Y.Map<Y.Map<unknown>>;
  edges: Y.Map<Y.Map<unknown>>;
}

export function docMaps(doc: Y.Doc): WorkflowDocMaps {
  return {
    meta: doc.getMap(DOC_MAPS.meta),
    nodes: doc.getMap(DOC_MAPS.nodes),
    edges: doc.getMap(DOC_MAPS.edges),
  };
}

/** A new document holding `definition`. History is kept (gc off) so versions can be rebuilt later. */
export function createWorkflowDoc(definition?: WorkflowDefinition): Y.Doc {
  const doc = new Y.Doc({ gc: false });
  if (definition) applyDefinition(doc, definition);
  return doc;
}

/**
 * Reads the draft held by a document. The document is edited by clients, so what it
 * holds is not trusted: values of the wrong kind are passed through as they are, for
 * validation to name them, and entries that are not maps at all are skipped.
 */
export function docToDefinition(doc: Y.Doc): WorkflowDefinition {
  const { meta, nodes, edges } = docMaps(doc);
  const params = plain(meta.get('params'));
  return {
    format: WORKFLOW_FORMAT,
    name: asString(meta.get('name')),
    description: asString(meta.get('description')),
    params: isObject(params) ? params : {},
    nodes: ordered(nodes).map(([id, entry]) => readNode(id, entry)),
    edges: ordered(edges).map(([id, entry]) => readEdge(id, entry)),
  };
}

/**
 * Changes the document into `definition` by writing only what differs, in one
 * transaction: concurrent edits to other nodes, edges and config fields survive.
 */
export function applyDefinition(doc: Y.Doc, definition: WorkflowDefinition, origin: unknown = null): void {
  const { meta, nodes, edges } = docMaps(doc);
  doc.transact(() => {
    setIfChanged(meta, 'name', definition.name);
    setIfChanged(meta, 'description', definition.description ?? '');
    setIfChanged(meta, 'params', definition.params ?? {});

    syncEntries(nodes, definition.nodes, (entry, node, order) => {
      setIfChanged(entry, 'type', node.type);
      setOptional(entry, 'name', node.name);
      setIfChanged(entry, 'position', { x: node.position.x, y: node.position.y });
      setIfChanged(entry, 'order', order);
      let config = entry.get('config');
      if (!(config instanceof Y.Map)) {
        config = new Y.Map<unknown>();
        entry.set('config', config);
      }
      syncConfig(config as Y.Map<unknown>, node.config ?? {});
    });

    syncEntries(edges, definition.edges, (entry, edge, order) => {
      setIfChanged(entry, 'source', edge.source);
      setOptional(entry, 'sourceHandle', edge.sourceHandle);
      setIfChanged(entry, 'target', edge.target);
      setIfChanged(entry, 'order', order);
    });
  }, origin);
}

function syncEntries<T extends { id: string }>(
  map: Y.Map<Y.Map<unknown>>,
  wanted: readonly T[],
  write: (entry: Y.Map<unknown>, item: T, order: number) => void,
): void {
  const ids = new Set(wanted.map((item) => item.id));
  for (const id of [...map.keys()]) if (!ids.has(id)) map.delete(id);
  wanted.forEach((item, order) => {
    let entry = map.get(item.id);
    if (!(entry instanceof Y.Map)) {
      // A fresh map is written whole, before it is attached: one insertion, not one per field.
      entry = new Y.Map<unknown>();
      map.set(item.id, entry);
    }
    write(entry, item, order);
  });
}

function syncConfig(config: Y.Map<unknown>, wanted: JsonObject): void {
  for (const key of [...config.keys()]) if (!(key in wanted)) config.delete(key);
  for (const [key, value] of Object.entries(wanted)) setConfigValue(config, key, value);
}

/** Config fields held as Y.Text: JSONata, which people type (and may type together). */
export function isTextField(key: string): boolean {
  return key === 'expression' || key.endsWith('Expression');
}

/**
 * Writes one config field: an expression field changes its Y.Text by the difference (so a
 * concurrent edit elsewhere in the same text survives); any other field is replaced if it
 * differs. `undefined` removes the field.
 */
export function setConfigValue(config: Y.Map<unknown>, key: string, value: JsonValue | undefined): void {
  if (value === undefined) {
    if (config.has(key)) config.delete(key);
    return;
  }
  if (isTextField(key) && typeof value === 'string') {
    const current = config.get(key);
    if (current instanceof Y.Text) applyTextDifference(current, value);
    else config.set(key, new Y.Text(value));
    return;
  }
  if (isObject(value)) {
    // Objects (a set node's variables, headers) are maps too: edits to different keys merge.
    let nested = config.get(key);
    if (!(nested instanceof Y.Map)) {
      nested = new Y.Map<unknown>();
      config.set(key, nested);
    }
    const map = nested as Y.Map<unknown>;
    for (const existing of [...map.keys()]) if (!Object.prototype.hasOwnProperty.call(value, existing)) map.delete(existing);
    for (const [field, item] of Object.entries(value)) setConfigValue(map, field, item);
    return;
  }
  setIfChanged(config, key, value);
}

/** Turns `text` into `next` by deleting and inserting only between their common prefix and suffix. */
export function applyTextDifference(text: Y.Text, next: string): void {
  const current = text.toString();
  if (current === next) return;
  const shorter = Math.min(current.length, next.length);
  let start = 0;
  while (start < shorter && current.charCodeAt(start) === next.charCodeAt(start)) start++;
  let end = 0;
  while (end < shorter - start && current.charCodeAt(current.length - 1 - end) === next.charCodeAt(next.length - 1 - end)) end++;
  // Never split a surrogate pair: widen the changed range to whole characters.
  if (start > 0 && isHighSurrogate(current.charCodeAt(start - 1))) start--;
  if (end > 0 && isLowSurrogate(current.charCodeAt(current.length - end))) end--;
  const removed = current.length - start - end;
  if (removed > 0) text.delete(start, removed);
  const inserted = next.slice(start, next.length - end);
  if (inserted.length > 0) text.insert(start, inserted);
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

function setIfChanged(map: Y.Map<unknown>, key: string, value: JsonValue): void {
  if (!map.has(key) || !jsonEqual(plain(map.get(key)), value)) map.set(key, ordinaryCopy(value));
}

/** Yjs stores only ordinary objects; parsed or generated input may have a null prototype. */
function ordinaryCopy(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(ordinaryCopy);
  if (typeof value !== 'object' || value === null) return value;
  const copy: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    // defineProperty, so a "__proto__" key stays data instead of replacing the prototype.
    Object.defineProperty(copy, key, { value: ordinaryCopy(item), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

function setOptional(map: Y.Map<unknown>, key: string, value: JsonValue | undefined): void {
  if (value === undefined) {
    if (map.has(key)) map.delete(key);
  } else {
    setIfChanged(map, key, value);
  }
}

function readNode(id: string, entry: Y.Map<unknown>): WorkflowNode {
  const config = plain(entry.get('config'));
  const node = {
    id,
    type: entry.get('type'),
    position: plain(entry.get('position')),
    config: isObject(config) ? config : {},
  } as unknown as WorkflowNode;
  const name = entry.get('name');
  if (name !== undefined) node.name = name as string;
  return node;
}

function readEdge(id: string, entry: Y.Map<unknown>): WorkflowEdge {
  const edge = { id, source: entry.get('source'), target: entry.get('target') } as WorkflowEdge;
  const handle = entry.get('sourceHandle');
  if (handle !== undefined) edge.sourceHandle = handle as string;
  return edge;
}

function ordered(map: Y.Map<Y.Map<unknown>>): Array<[string, Y.Map<unknown>]> {
  const entries: Array<[string, Y.Map<unknown>]> = [];
  map.forEach((entry, id) => {
    if (entry instanceof Y.Map) entries.push([id, entry]);
  });
  const orderOf = (entry: Y.Map<unknown>) => {
    const order = entry.get('order');
    return typeof order === 'number' && Number.isFinite(order) ? order : Number.POSITIVE_INFINITY;
  };
  return entries.sort(([a, ea], [b, eb]) => orderOf(ea) - orderOf(eb) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Yjs types in a value become their JSON; everything else is already plain. */
function plain(value: unknown): JsonValue {
  if (value instanceof Y.AbstractType) return value.toJSON() as JsonValue;
  return value as JsonValue;
}

function asString(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
