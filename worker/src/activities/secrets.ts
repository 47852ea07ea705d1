import { ApplicationFailure } from '@temporalio/activity';
import { secretPlaceholderPattern, secretPlaceholdersIn, type JsonValue } from '@tandem/schema';
import { HTTP_FAILURE, type HttpRequestInput } from '../workflows/types.js';

/**
 * Where the http.request activity reads secret values: the secrets store of a run's owner
 * (the worker process wires one that reads the database and decrypts). The values live only
 * in the activity's memory while the request is sent.
 */
export interface SecretResolver {
  /** The values of those of `names` the owner has set; a name not set is absent from the map. */
  resolve(ownerId: string, names: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

/** A request with its secrets filled in, and what to hide again in everything that leaves the activity. */
export interface RevealedRequest {
  request: HttpRequestInput;
  /** Headers whose values held a secret: not sent on to another origin by a redirect. */
  secretHeaders: ReadonlySet<string>;
  /** Whether the body held a secret: not sent on to another origin by a redirect. */
  secretBody: boolean;
  mask: Masker;
}

export const MASK = '***';

/**
 * Replaces the run's `secrets.NAME` placeholders in the URL, header values and body with the
 * owner's values. Fails the step (not retryable) when a name is not set, naming the secrets
 * that are missing, never a value.
 */
export async function revealSecrets(input: HttpRequestInput, resolver: SecretResolver | undefined): Promise<RevealedRequest | null> {
  const context = input.secrets;
  if (!context) return null;
  const names = [...secretPlaceholdersIn([input.url, input.headers, input.body ?? null], context.nonce)].sort();
  if (names.length === 0) return null;
  const list = names.map((n) => `"${n}"`).join(', ');
  if (!resolver) throw nonRetryable(HTTP_FAILURE.secretsUnavailable, `secrets ${list} cannot be used: this worker has no secrets store`);
  if (!context.ownerId)
    throw nonRetryable(HTTP_FAILURE.secretsUnavailable, `secrets ${list} cannot be used: this run has no owner (start it through the Tandem API)`);
  let values: ReadonlyMap<string, string>;
  try {
    values = await resolver.resolve(context.ownerId, names);
  } catch (error) {
    // The store's own message (a database error, a missing key) names no value; retried like a network error.
    throw ApplicationFailure.create({
      type: HTTP_FAILURE.secretsUnavailable,
      message: `secrets could not be read: ${error instanceof Error ? error.message : String(error)}`,
      nonRetryable: false,
    });
  }
  const missing = names.filter((name) => values.get(name) === undefined);
  if (missing.length > 0) {
    const which = missing.map((n) => `"${n}"`).join(', ');
    throw nonRetryable(
      HTTP_FAILURE.secretNotFound,
      `${missing.length === 1 ? 'secret' : 'secrets'} ${which} ${missing.length === 1 ? 'is' : 'are'} not set for the owner of this workflow (the owner sets ${missing.length === 1 ? 'it' : 'them'} with the setSecret mutation)`,
    );
  }
  const pattern = secretPlaceholderPattern(context.nonce);
  const fill = (text: string): string => (text.includes('\u0000') ? text.replace(pattern, (_match, name: string) => values.get(name)!) : text);
  const headers: Record<string, string> = {};
  const secretHeaders = new Set<string>();
  for (const [name, value] of Object.entries(input.headers)) {
    headers[name] = fill(value);
    if (headers[name] !== value) secretHeaders.add(name.toLowerCase());
  }
  const body = input.body === undefined ? undefined : mapStrings(input.body, fill);
  const request: HttpRequestInput = { ...input, url: fill(input.url), headers };
  delete request.secrets;
  if (body !== undefined) request.body = body;
  return {
    request,
    secretHeaders,
    secretBody: input.body !== undefined && JSON.stringify(body) !== JSON.stringify(input.body),
    mask: new Masker(names.map((name) => values.get(name)!)),
  };
}

/** Hides secret values (as sent, URL-encoded, JSON-escaped or base64) in text that leaves the activity. */
export class Masker {
  private readonly forms: string[];

  constructor(values: readonly string[]) {
    const forms = new Set<string>();
    for (const value of values) {
      if (value.length === 0) continue;
      forms.add(value);
      forms.add(encodeURIComponent(value));
      forms.add(JSON.stringify(value).slice(1, -1));
      // Base64 only for longer values: a short value's base64 is a few letters found anywhere.
      if (value.length >= 8) forms.add(Buffer.from(value).toString('base64').replace(/=+$/, ''));
    }
    // Longest first, so a value that contains another is hidden whole.
    this.forms = [...forms].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
  }

  text(text: string): string {
    let out = text;
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(MASK);
    return out;
  }

  json<T extends JsonValue | undefined>(value: T): T {
    return mapStrings(value, (text) => this.text(text)) as T;
  }

  /** The same failure with its message and details masked; any other error becomes a plain one with a masked message. */
  error(error: unknown): Error {
    if (error instanceof ApplicationFailure) {
      const masked = ApplicationFailure.create({
        type: error.type ?? 'Error',
        message: this.text(error.message),
        nonRetryable: error.nonRetryable ?? false,
        details: (error.details ?? []).map((detail) => this.json(detail as JsonValue)),
      });
      masked.stack = `${masked.name}: ${masked.message}`;
      return masked;
    }
    const source = error instanceof Error ? error : new Error(String(error));
    const masked = new Error(this.text(source.message));
    masked.name = source.name;
    masked.stack = `${masked.name}: ${masked.message}`;
    return masked;
  }
}

/** A copy of a JSON value with every string (object keys included) passed through `map`. */
function mapStrings(value: JsonValue | undefined, map: (text: string) => string): JsonValue | undefined {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map) as JsonValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) out[map(key)] = mapStrings(item, map) as JsonValue;
    return out;
  }
  return value;
}

function nonRetryable(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}
