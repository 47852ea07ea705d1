import { jsonEqual } from '../collab/json-equal.js';
import { formatPath, isPlainObject, type JsonValue } from '../json.js';
import type { ChangeKind } from './workflow.js';

/** One place where two JSON values differ; `path` leads from the root (empty: the values as a whole). */
export interface JsonChange {
  path: string[];
  /** `path` as text, e.g. `items[0].total`; empty for the root. */
  field: string;
  change: ChangeKind;
  /** Absent when the key was added. */
  before?: JsonValue;
  /** Absent when the key was removed. */
  after?: JsonValue;
}

/**
 * Where two JSON values differ: objects key by key (keys sorted), arrays of the same length
 * item by item, anything else whole. Empty when they are equal.
 */
export function diffJson(before: JsonValue, after: JsonValue): JsonChange[] {
  const out: JsonChange[] = [];
  collect(before, after, [], out);
  return out;
}

function collect(before: JsonValue, after: JsonValue, path: Array<string | number>, out: JsonChange[]): void {
  if (jsonEqual(before, after)) return;
  const change = (at: Array<string | number>, kind: ChangeKind, sides: { before?: JsonValue; after?: JsonValue }) =>
    out.push({ path: at.map(String), field: formatPath(at), change: kind, ...sides });
  if (isPlainObject(before) && isPlainObject(after)) {
    const b = before as Record<string, JsonValue>;
    const a = after as Record<string, JsonValue>;
    for (const key of unionKeys(b, a)) {
      const at = [...path, key];
      if (!has(b, key)) change(at, 'added', { after: a[key]! });
      else if (!has(a, key)) change(at, 'removed', { before: b[key]! });
      else collect(b[key]!, a[key]!, at, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    before.forEach((item, index) => collect(item, after[index]!, [...path, index], out));
    return;
  }
  change(path, 'changed', { before, after });
}

/** The keys of both objects, in code-unit order (the same everywhere, unlike localeCompare). */
export function unionKeys(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareText);
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function has(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}
