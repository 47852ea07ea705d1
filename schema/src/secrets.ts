import { FORBIDDEN_KEYS, type JsonValue } from './json.js';
import type { ExecutionPlan } from './plan.js';

/**
 * Secrets in workflows.
 *
 * Expressions and templates name a secret as `secrets.NAME`. Workflow code never holds a
 * secret's value: there `secrets.NAME` is a placeholder (`secretPlaceholder`), opaque text
 * that only the http.request activity replaces with the value, right before sending. The
 * placeholder carries a per-run nonce, so text that arrives from outside a run (a webhook's
 * body, a response) cannot pose as one.
 *
 * Validation can only look at the text: which secrets exist is known at run time.
 */

/** Longest secret name. */
export const SECRET_NAME_MAX_LENGTH = 64;

/** A letter or `_`, then letters, digits and `_`: usable as `secrets.NAME` in an expression. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export function isSecretName(name: unknown): name is string {
  return typeof name === 'string' && NAME.test(name) && !FORBIDDEN_KEYS.has(name);
}

/** Why `name` cannot be a secret's name, or null when it can. */
export function secretNameProblem(name: string): string | null {
  if (name.length === 0) return 'a secret name is required';
  if (name.length > SECRET_NAME_MAX_LENGTH) return `a secret name has at most ${SECRET_NAME_MAX_LENGTH} characters`;
  if (FORBIDDEN_KEYS.has(name)) return `"${name}" cannot be a secret name`;
  if (!NAME.test(name)) return 'a secret name has letters, digits and "_" only, and does not start with a digit (e.g. API_TOKEN)';
  return null;
}

export interface SecretReference {
  /** The name as written (without backticks). */
  name: string;
  /** Where `secrets` starts in the text. */
  index: number;
}

/**
 * `secrets.NAME` (or `secrets.\`NAME\``) in the text of an expression. Not after a dot or a
 * name character: `nodes.secrets.x` reads a node's output, not a secret.
 */
const REFERENCE = /(?<![\w$.])secrets\s*\.\s*(?:`([^`]*)`|([A-Za-z_$][\w$]*))/g;

export function secretReferences(text: string): SecretReference[] {
  const found: SecretReference[] = [];
  for (const match of text.matchAll(REFERENCE)) found.push({ name: match[1] ?? match[2] ?? '', index: match.index });
  return found;
}

/**
 * The names a run's `secrets` answers for: every `secrets.NAME` written in the plan's
 * configs, and every text param that is a secret name (a template's `secret` parameter
 * holds a name, read with `$lookup(secrets, params.apiToken)`).
 */
export function secretNamesOfPlan(plan: Pick<ExecutionPlan, 'nodes' | 'params'>): string[] {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.includes('secrets')) for (const ref of secretReferences(value)) if (isSecretName(ref.name)) names.add(ref.name);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (value !== null && typeof value === 'object') {
      for (const item of Object.values(value)) visit(item);
    }
  };
  for (const node of plan.nodes) visit(node.config);
  for (const value of Object.values(plan.params ?? {})) if (isSecretName(value)) names.add(value);
  return [...names].sort();
}

/** A run's nonce: letters, digits, `-` and `_` (so it needs no escaping in a pattern). */
const NONCE = /^[A-Za-z0-9_-]{8,64}$/;

export function isSecretNonce(nonce: unknown): nonce is string {
  return typeof nonce === 'string' && NONCE.test(nonce);
}

/** What `secrets.NAME` evaluates to in workflow code. */
export function secretPlaceholder(name: string, nonce: string): string {
  return `\u0000tandem-secret:${nonce}:${name}\u0000`;
}

/** The `secrets` object of a run's expression scope: a placeholder per name. */
export function secretPlaceholders(names: readonly string[], nonce: string): Record<string, string> {
  const scope: Record<string, string> = {};
  for (const name of names) if (isSecretName(name)) scope[name] = secretPlaceholder(name, nonce);
  return scope;
}

/** Matches the placeholders of one run (group 1: the name). Global: use with replace or matchAll. */
export function secretPlaceholderPattern(nonce: string): RegExp {
  if (!isSecretNonce(nonce)) throw new Error('invalid secret nonce');
  return new RegExp(`\\u0000tandem-secret:${nonce}:([A-Za-z_][A-Za-z0-9_]{0,63})\\u0000`, 'g');
}

/** The secret names whose placeholders (of this run) occur anywhere in a JSON value, keys included. */
export function secretPlaceholdersIn(value: JsonValue | undefined, nonce: string): Set<string> {
  const names = new Set<string>();
  const pattern = secretPlaceholderPattern(nonce);
  const visit = (item: JsonValue | undefined): void => {
    if (typeof item === 'string') {
      if (item.includes('\u0000')) for (const match of item.matchAll(pattern)) names.add(match[1]!);
    } else if (Array.isArray(item)) {
      for (const entry of item) visit(entry);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, entry] of Object.entries(item)) {
        visit(key);
        visit(entry);
      }
    }
  };
  visit(value);
  return names;
}

/** Any run's placeholder (whatever its nonce); group 1: the name. */
const NUL = '\u0000';
const ANY_PLACEHOLDER = new RegExp(`${NUL}tandem-secret:[A-Za-z0-9_-]{8,64}:([A-Za-z_][A-Za-z0-9_]{0,63})${NUL}`, 'g');

/** How a secret reference is shown where a value is displayed: its name, never its value. */
export function maskedSecret(name: string): string {
  return `[secret ${name}]`;
}

/** `value` with every secret placeholder (of any run) shown as `maskedSecret(name)`: for showing recorded values. */
export function maskSecretPlaceholders<T extends JsonValue | undefined>(value: T): T {
  const mask = (text: string): string => (text.includes(NUL) ? text.replace(ANY_PLACEHOLDER, (_all, name: string) => maskedSecret(name)) : text);
  const visit = (item: JsonValue | undefined): JsonValue | undefined => {
    if (typeof item === 'string') return mask(item);
    if (Array.isArray(item)) return item.map((entry) => visit(entry) as JsonValue);
    if (item !== null && typeof item === 'object') {
      const out: Record<string, JsonValue> = {};
      for (const [key, entry] of Object.entries(item)) out[mask(key)] = visit(entry) as JsonValue;
      return out;
    }
    return item;
  };
  return visit(value) as T;
}

/** True when a value holds a secret placeholder of any run (a recorded output that must not be replayed into another run). */
export function holdsSecretPlaceholder(value: JsonValue | undefined): boolean {
  return value !== undefined && JSON.stringify(value).includes('\\u0000tandem-secret:');
}
