/**
 * Database errors never carry statement values.
 *
 * Statements carry their values as bound parameters (bound-parameters.ts), but a driver's
 * own message can still quote one: PostgreSQL's message and `detail` do (`Key
 * (email)=(ada@…) already exists`, `invalid input syntax for type uuid: "…"`). Whoever logs such an error (the API logs unexpected errors) would write emails
 * and password hashes to the log.
 *
 * `redactDatabaseErrors` wraps the knex client's `query` (which both the ORM and direct
 * knex code go through) so that every error leaving it has a message made only of the
 * error code and schema names: `23505 unique_violation (constraint users_email_unique,
 * table users)`, `UNIQUE constraint failed: users.email`. The ORM's exception classes
 * (UniqueConstraintViolationException…) are decided afterwards from that message and code,
 * as before.
 */
export function redactDatabaseErrors(knex: { client: unknown }): void {
  // Patched where `query` is defined (knex's Client.prototype, already wrapped by MikroORM),
  // not on this instance: transactions run on clients knex derives from the prototype.
  let owner = Object.getPrototypeOf(knex.client) as Record<PropertyKey, unknown> | null;
  while (owner && !Object.prototype.hasOwnProperty.call(owner, 'query')) owner = Object.getPrototypeOf(owner) as Record<PropertyKey, unknown> | null;
  if (!owner) throw new Error('knex client has no query method to guard');
  const query = owner.query as QueryFunction & { [REDACTING]?: true };
  if (query[REDACTING]) return;
  const redacted: QueryFunction & { [REDACTING]?: true } = function redactedQuery(this: unknown, connection, statement) {
    return query.call(this, connection, statement).catch((error: unknown) => {
      throw redactDatabaseError(error);
    });
  };
  redacted[REDACTING] = true;
  owner.query = redacted;
}

type QueryFunction = (this: unknown, connection: unknown, statement: unknown) => Promise<unknown>;

const REDACTING = Symbol('tandem.redacting');

/** Properties of driver errors that may quote statement text or values. */
const VALUE_CARRIERS = ['detail', 'hint', 'where', 'internalQuery', 'internalPosition', 'position', 'sql', 'query', 'parameters', 'bindings', 'sqlMessage'];

/** Rewrites a driver error in place: a safe message and stack, no property that carries values. */
export function redactDatabaseError<T>(error: T): T {
  if (!(error instanceof Error)) return error;
  const fields = error as Error & Record<string, unknown>;
  const message = safeMessage(fields);
  for (const key of VALUE_CARRIERS) delete fields[key];
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  error.message = message;
  error.stack = [`${error.name}: ${message}`, ...frames].join('\n');
  return error;
}

function safeMessage(error: Error & Record<string, unknown>): string {
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (code && /^[0-9A-Z]{5}$/.test(code) && ('severity' in error || 'routine' in error)) return postgresMessage(code, error);
  return sqliteMessage(driverMessage(error.message), code);
}

/** PostgreSQL: the SQLSTATE, its name, and the schema objects involved (never the server's text). */
function postgresMessage(code: string, error: Record<string, unknown>): string {
  const name = SQLSTATE_NAMES[code] ?? SQLSTATE_CLASSES[code.slice(0, 2)] ?? 'database error';
  const objects = (['constraint', 'table', 'column'] as const)
    .filter((key) => typeof error[key] === 'string' && IDENTIFIER.test(error[key]))
    .map((key) => `${key} ${error[key] as string}`);
  return `${code} ${name}${objects.length ? ` (${objects.join(', ')})` : ''}`;
}

/** SQLite's messages name schema objects, except a few that quote statement text: keep only known shapes. */
function sqliteMessage(message: string, code: string | undefined): string {
  if (SQLITE_SAFE.some((pattern) => pattern.test(message))) return message;
  const constraint = /^(?:UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed/.exec(message);
  if (constraint) return constraint[0];
  if (/syntax error/.test(message)) return 'syntax error';
  return `database error${code && /^[A-Z_]+$/.test(code) ? ` ${code}` : ''}`;
}

/** knex writes `<statement> - <driver message>`; the driver's part is after the last separator. */
function driverMessage(message: string): string {
  const at = message.lastIndexOf(' - ');
  return at >= 0 ? message.slice(at + 3) : message;
}

const IDENTIFIER = /^[A-Za-z_][\w$]{0,62}$/;
const NAMES = String.raw`[\w$.]+(?:, [\w$.]+)*`;
const SQLITE_SAFE = [
  new RegExp(String.raw`^(?:UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed(?:: ${NAMES})?$`),
  new RegExp(String.raw`^no such (?:table|column): ${NAMES}$`),
  new RegExp(String.raw`^table ${NAMES} already exists$`),
  new RegExp(String.raw`^ambiguous column name: ${NAMES}$`),
  /^(?:database is locked|database table is locked|attempt to write a readonly database|unable to open database file|database disk image is malformed|disk I\/O error|database or disk is full|interrupted)$/,
  // Connection trouble (Node's system errors, pg's own): addresses, never statement values.
  /^(?:connect|getaddrinfo|read|write) E[A-Z]+(?: [\w.:[\]-]+)?$/,
  /^(?:Connection terminated(?: unexpectedly| due to connection timeout)?|Client has encountered a connection error and is not queryable|socket hang up)$/,
];

const SQLSTATE_NAMES: Record<string, string> = {
  '0A000': 'feature_not_supported',
  '22001': 'string_data_right_truncation',
  '22003': 'numeric_value_out_of_range',
  '22007': 'invalid_datetime_format',
  '22021': 'character_not_in_repertoire',
  '22P02': 'invalid_text_representation',
  '23502': 'not_null_violation',
  '23503': 'foreign_key_violation',
  '23505': 'unique_violation',
  '23514': 'check_violation',
  '40001': 'serialization_failure',
  '40P01': 'deadlock_detected',
  '42601': 'syntax_error',
  '42703': 'undefined_column',
  '42P01': 'undefined_table',
  '53300': 'too_many_connections',
  '55P03': 'lock_not_available',
  '57014': 'query_canceled',
  '57P01': 'admin_shutdown',
};

const SQLSTATE_CLASSES: Record<string, string> = {
  '08': 'connection_exception',
  '22': 'data_exception',
  '23': 'integrity_constraint_violation',
  '25': 'invalid_transaction_state',
  '28': 'invalid_authorization_specification',
  '40': 'transaction_rollback',
  '42': 'syntax_error_or_access_rule_violation',
  '53': 'insufficient_resources',
  '54': 'program_limit_exceeded',
  '55': 'object_not_in_prerequisite_state',
  '57': 'operator_intervention',
  '58': 'system_error',
  XX: 'internal_error',
};
