/**
 * Paths into JSON values as expressions read them (`output.items[0].name`, `` vars.`a b` ``),
 * and which paths changed between two values: the inspector's "copy path" and its highlight.
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The path of a child: `.name`, `` .`odd name` `` (JSONata's quoting) or `[index]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const name = IDENTIFIER.test(key) ? key : `\`${key.replace(/`/g, '\\`')}\``;
  return parent ? `${parent}.${name}` : name;
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

/**
 * The paths under `root` whose value differs between `before` and `after` (added, removed or
 * changed), with every ancestor of a change, so a collapsed parent shows that something inside
 * it changed. Values are compared structurally; at most `limit` paths are returned.
 */
export function changedPaths(before: unknown, after: unknown, root: string, limit = 2000): Set<string> {
  const changed = new Set<string>();
  const walk = (a: unknown, b: unknown, path: string): boolean => {
    if (changed.size >= limit) return false;
    if (a === b) return false;
    if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b)) {
      changed.add(path);
      return true;
    }
    let any = false;
    const keys = new Set<string | number>(Array.isArray(a) ? [...a.keys(), ...(b as unknown[]).keys()] : [...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const left = (a as Record<string | number, unknown>)[key];
      const right = (b as Record<string | number, unknown>)[key];
      if (walk(left, right, childPath(path, key))) any = true;
    }
    if (any) changed.add(path);
    return any;
  };
  walk(before, after, root);
  return changed;
}
