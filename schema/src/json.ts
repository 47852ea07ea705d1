/** A value that survives a JSON round trip unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Keys that would reach an object's prototype if copied naively. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface ShapeLimits {
  maxDepth: number;
  /** Total count of values (objects, arrays and scalars). */
  maxValues: number;
  maxStringLength: number;
}

export interface ShapeIssue {
  path: Array<string | number>;
  message: string;
  /** A fatal issue means the value must not be walked any further. */
  fatal: boolean;
}

/**
 * Walks an untrusted value iteratively (no recursion, so hostile nesting cannot
 * overflow the stack) and reports what would make it unsafe to process.
 */
export function inspectShape(value: unknown, limits: ShapeLimits, maxIssues = 50): ShapeIssue[] {
  const issues: ShapeIssue[] = [];
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value, path: [] }];
  let count = 0;
  while (stack.length > 0 && issues.length < maxIssues) {
    const item = stack.pop()!;
    count++;
    if (count > limits.maxValues) {
      issues.push({ path: [], message: `document is too large (more than ${limits.maxValues} values)`, fatal: true });
      break;
    }
    if (item.path.length > limits.maxDepth) {
      issues.push({ path: item.path, message: `nesting is deeper than ${limits.maxDepth} levels`, fatal: true });
      break;
    }
    const v = item.value;
    if (v === null || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) issues.push({ path: item.path, message: 'number must be finite', fatal: false });
      continue;
    }
    if (typeof v === 'string') {
      if (v.length > limits.maxStringLength) {
        issues.push({ path: item.path, message: `text is longer than ${limits.maxStringLength} characters`, fatal: false });
      }
      continue;
    }
    if (Array.isArray(v)) {
      if (v.length > limits.maxValues) {
        issues.push({ path: item.path, message: `list is longer than ${limits.maxValues} items`, fatal: true });
        break;
      }
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...item.path, i] });
      continue;
    }
    if (typeof v === 'object') {
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        issues.push({ path: item.path, message: 'value is not plain JSON', fatal: false });
        continue;
      }
      const keys = Object.keys(v);
      if (keys.length > limits.maxValues) {
        issues.push({ path: item.path, message: `object has more than ${limits.maxValues} keys`, fatal: true });
        break;
      }
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        if (FORBIDDEN_KEYS.has(key)) {
          issues.push({ path: [...item.path, key], message: `key "${key}" is not allowed`, fatal: false });
          continue;
        }
        stack.push({ value: (v as Record<string, unknown>)[key], path: [...item.path, key] });
      }
      continue;
    }
    issues.push({ path: item.path, message: `value of type ${typeof v} is not JSON`, fatal: false });
  }
  return issues;
}

/** `nodes[2].config.url` style rendering of a path. */
export function formatPath(path: ReadonlyArray<string | number | symbol>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'symbol') out += `[${String(part)}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/**
 * Size of a value's JSON text in UTF-16 code units, counting at most `limit`
 * (returns `limit + 1` as soon as it is exceeded) so huge values cost little.
 */
export function jsonSizeUpTo(value: unknown, limit: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    if (size > limit) return limit + 1;
    const v = stack.pop();
    if (v === null || v === undefined) size += 4;
    else if (typeof v === 'string') size += v.length + 2;
    else if (typeof v === 'number' || typeof v === 'boolean') size += String(v).length;
    else if (Array.isArray(v)) {
      size += 2 + v.length;
      for (const item of v) stack.push(item);
    } else if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      size += 2 + entries.length;
      for (const [k, item] of entries) {
        size += k.length + 3;
        stack.push(item);
      }
    } else size += 4;
  }
  return size;
}

export type TruncatedValue = {
  truncated: true;
  /** Size of the full JSON text. */
  size: number;
  preview: string;
};

/** Whether a value is the preview `boundedCopy` left in place of one too large to carry. */
export function isTruncatedValue(value: unknown): value is TruncatedValue {
  return typeof value === 'object' && value !== null && (value as { truncated?: unknown }).truncated === true && 'preview' in value;
}

/**
 * A copy of `value` that fits events and logs: the value itself when small, a preview (the
 * first `previewChars` characters of its JSON, at most `maxChars`) otherwise.
 */
export function boundedCopy(value: unknown, maxChars: number, previewChars = 1024): JsonValue | TruncatedValue | undefined {
  if (value === undefined) return undefined;
  const size = jsonSizeUpTo(value, maxChars);
  if (size <= maxChars) return JSON.parse(JSON.stringify(value)) as JsonValue;
  const text = JSON.stringify(value);
  return { truncated: true, size: text.length, preview: text.slice(0, Math.min(maxChars, previewChars)) };
}

/** `text` cut to `maxChars`, saying how much was left out. */
export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}… (${text.length - maxChars} more characters)`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
