import {
  JsonProperty,
  Utils,
  type AnyEntity,
  type Configuration,
  type EntityData,
  type LoggingOptions,
  type QueryResult,
  type Transaction,
} from '@mikro-orm/core';
import { AbstractSqlDriver, BetterSqliteConnection, BetterSqlitePlatform, type Knex } from '@mikro-orm/better-sqlite';
import { PostgreSqlConnection, PostgreSqlPlatform } from '@mikro-orm/postgresql';

/**
 * Statement values travel as bound parameters, never inside the statement text.
 *
 * MikroORM 6's `AbstractSqlConnection.execute` (which every ORM query, batch insert and
 * update, and `em.getConnection().execute(sql, params)` goes through) renders each value
 * into the SQL with `platform.formatQuery` (sqlstring escaping) and sends the result with
 * `knex.raw(formatted)`. These connections walk the statement exactly as `formatQuery`
 * does, but leave a `?` for each value and hand the values to knex as bindings, which
 * knex passes on to better-sqlite3 and pg. Each value is bound as what `formatQuery`'s
 * literal would have been, so what is stored and read back does not change:
 *
 * - `??` is a schema name: quoted inline, as before;
 * - `\?` stays a literal question mark;
 * - raw SQL fragments (MikroORM's `raw()`, knex's Raw and Ref) are expanded in place,
 *   their own values bound too;
 * - plain objects and JSON-flagged arrays are bound as their JSON text;
 * - arrays expand to one placeholder per element (`in (?)`), nested ones in parentheses on SQLite;
 * - SQLite: an integral number becomes an INTEGER (better-sqlite3 would bind every JS number
 *   as a REAL, which a text column stores as `5.0` where the literal stored `5`), a boolean
 *   1 or 0, a Date its epoch milliseconds (BaseSqlitePlatform.quoteValue), a Date inside an
 *   array the text sqlstring-sqlite wrote; a string with a NUL character is refused (the
 *   literal could not carry one either; PostgreSQL refuses it as well);
 * - PostgreSQL: a Date is bound as the text `formatDate` wrote (ISO 8601 in UTC with
 *   forceUtcTimezone), not pg's local-time rendering; a byte array as a Buffer (bytea).
 *
 * NaN and infinities are refused on both: their literals were never valid SQL.
 */
export type Dialect = 'sqlite' | 'postgresql';

export interface BoundStatement {
  /** The statement with `?` placeholders (and `\?` for a literal question mark), for `knex.raw(sql, bindings)`. */
  sql: string;
  bindings: unknown[];
}

type Part = { text: string } | { literal: true } | { value: unknown };

/** Splits `sql` and `params` (formatQuery's input) into statement text and bindings. */
export function bindParameters(platform: BetterSqlitePlatform | PostgreSqlPlatform, dialect: Dialect, sql: string, params: readonly unknown[]): BoundStatement {
  if (params.length === 0) return { sql, bindings: [] }; // formatQuery leaves such a statement untouched
  const parts: Part[] = [];
  walk(platform, dialect, sql, params, parts);
  return assemble(dialect, parts);
}

/** formatQuery's walk (Platform.formatQuery in @mikro-orm/core, including where it resumes its search). */
function walk(platform: BetterSqlitePlatform | PostgreSqlPlatform, dialect: Dialect, sql: string, params: readonly unknown[], parts: Part[]): void {
  if (params.length === 0) {
    text(parts, sql);
    return;
  }
  let j = 0;
  let pos = 0;
  const identifier = (name: unknown) => text(parts, platform.quoteIdentifier(name as string));
  const value = (v: unknown) => quoteValue(platform, dialect, v, parts);
  if (sql[0] === '?') {
    if (sql[1] === '?') {
      identifier(params[j++]);
      pos = 2;
    } else {
      value(params[j++]);
      pos = 1;
    }
  }
  while (pos < sql.length) {
    const idx = sql.indexOf('?', pos + 1);
    if (idx === -1) {
      text(parts, sql.substring(pos, sql.length));
      break;
    }
    if (sql.substring(idx - 1, idx + 1) === '\\?') {
      text(parts, sql.substring(pos, idx - 1));
      parts.push({ literal: true });
      pos = idx + 1;
    } else if (sql.substring(idx, idx + 2) === '??') {
      text(parts, sql.substring(pos, idx));
      identifier(params[j++]);
      pos = idx + 2;
    } else {
      text(parts, sql.substring(pos, idx));
      value(params[j++]);
      pos = idx + 1;
    }
  }
}

/** Statement text; a `?` in it (formatQuery copies some verbatim) is a literal question mark, not a placeholder. */
function text(parts: Part[], chunk: string): void {
  const pieces = chunk.split('?');
  pieces.forEach((piece, i) => {
    if (i > 0) parts.push({ literal: true });
    if (piece) parts.push({ text: piece });
  });
}

/** AbstractSqlPlatform.quoteValue (and BaseSqlitePlatform's), binding instead of escaping. */
function quoteValue(platform: BetterSqlitePlatform | PostgreSqlPlatform, dialect: Dialect, v: unknown, parts: Part[]): void {
  if (Utils.isRawSql(v)) {
    walk(platform, dialect, v.sql, v.params ?? [], parts);
    return;
  }
  if (platform.isRaw(v)) {
    // knex's Raw or Ref: its own statement and bindings (formatQuery would have let knex inline them).
    const knexPart = v as unknown as { toSQL?: () => { sql: string; bindings?: readonly unknown[] } };
    if (typeof knexPart.toSQL === 'function') {
      const compiled = knexPart.toSQL();
      walk(platform, dialect, compiled.sql, compiled.bindings ?? [], parts);
    } else {
      text(parts, String(v));
    }
    return;
  }
  if (dialect === 'sqlite' && v instanceof Date) {
    parts.push({ value: sqliteInteger(+v) });
    return;
  }
  if (Utils.isPlainObject(v) || (v as { [JsonProperty]?: unknown } | null | undefined)?.[JsonProperty]) {
    parts.push({ value: checkedString(dialect, JSON.stringify(v)) });
    return;
  }
  escape(platform, dialect, v, parts);
}

/** The platform's `escape`: PostgreSqlPlatform's, else sqlstring's (sqlstring-sqlite on SQLite). */
function escape(platform: BetterSqlitePlatform | PostgreSqlPlatform, dialect: Dialect, v: unknown, parts: Part[]): void {
  if (v === undefined || v === null) {
    parts.push({ value: null });
    return;
  }
  if (dialect === 'postgresql') {
    if (typeof v === 'string') return void parts.push({ value: v });
    if (v instanceof Date) return void parts.push({ value: (platform as PostgreSqlPlatform).formatDate(v) });
    if (ArrayBuffer.isView(v)) return void parts.push({ value: Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength) });
    if (Array.isArray(v)) {
      // PostgreSqlPlatform.escape joins the elements (nested arrays too) with commas.
      v.forEach((item, i) => {
        if (i > 0) parts.push({ text: ', ' });
        escape(platform, dialect, item, parts);
      });
      return;
    }
  }
  switch (typeof v) {
    case 'boolean':
      parts.push({ value: dialect === 'sqlite' ? (v ? 1n : 0n) : v });
      return;
    case 'number':
      parts.push({ value: dialect === 'sqlite' ? sqliteInteger(v) : finite(v) });
      return;
    case 'string':
      parts.push({ value: checkedString(dialect, v) });
      return;
    case 'bigint':
      parts.push({ value: String(v) }); // sqlstring quotes it as text
      return;
    case 'symbol':
      throw new TypeError('a symbol cannot be a statement value');
    case 'function':
      throw new TypeError('a function cannot be a statement value');
  }
  // sqlstring: objects
  if (v instanceof Date) {
    // Only inside arrays on SQLite (a top-level Date was handled by quoteValue): sqlstring-sqlite's text.
    const literal = platform.escape(v);
    parts.push({ value: literal === 'NULL' ? null : literal.slice(1, -1) });
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      if (i > 0) parts.push({ text: ', ' });
      if (Array.isArray(item)) {
        parts.push({ text: '(' });
        escape(platform, dialect, item, parts);
        parts.push({ text: ')' });
      } else {
        escape(platform, dialect, item, parts);
      }
    });
    return;
  }
  if (Buffer.isBuffer(v)) {
    parts.push({ value: v });
    return;
  }
  const object = v as { toSqlString?: () => unknown; toString(): string };
  if (typeof object.toSqlString === 'function') {
    // A value that renders itself as SQL (sqlstring's convention): SQL text, as before.
    text(parts, String(object.toSqlString()));
    return;
  }
  parts.push({ value: checkedString(dialect, object.toString()) });
}

function finite(n: number): number {
  if (!Number.isFinite(n)) throw new TypeError(`${n} cannot be a statement value`);
  return n;
}

/** The SQLite literal `${n}` is an INTEGER when integral and in range, else a REAL. */
function sqliteInteger(n: number): bigint | number {
  finite(n);
  return Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 63 ? BigInt(n) : n;
}

function checkedString(dialect: Dialect, s: string): string {
  if (dialect === 'sqlite' && s.includes('\u0000')) throw new TypeError('a statement value contains a NUL character');
  return s;
}

/**
 * Joins the parts into the text knex.raw expects. knex reads `?` as a placeholder, `??` as
 * an identifier and `\?` as an escaped question mark; PostgreSQL's client then numbers the
 * placeholders and drops the escape. So: no placeholder right after a question mark, and no
 * backslash of the statement text right before one (knex would read it as an escape).
 */
function assemble(dialect: Dialect, parts: readonly Part[]): BoundStatement {
  const bindings: unknown[] = [];
  for (const part of parts) if ('value' in part) bindings.push(part.value);
  if (bindings.length === 0) {
    // Only identifiers and SQL fragments: the statement formatQuery would have produced, sent without bindings.
    return { sql: parts.map((part) => ('text' in part ? part.text : '?')).join(''), bindings };
  }
  let sql = '';
  for (const part of parts) {
    if ('text' in part) {
      sql += part.text;
      continue;
    }
    if (sql.endsWith('\\')) throw new Error('a statement with bound values has a backslash right before a question mark');
    if ('literal' in part) {
      if (dialect === 'sqlite') throw new Error('a statement with bound values cannot hold a literal question mark on SQLite');
      sql += '\\?';
    } else {
      // `??` or `\??` would be one token to knex; a space keeps the placeholder apart (never inside a string literal: a placeholder is not).
      sql += sql.endsWith('?') ? ' ?' : '?';
    }
  }
  return { sql, bindings };
}

type ExecuteResult = QueryResult | EntityData<AnyEntity> | EntityData<AnyEntity>[];

/** What executeBound needs of a connection (its protected members, handed over by the subclasses below). */
interface ConnectionAccess {
  dialect: Dialect;
  platform: BetterSqlitePlatform | PostgreSqlPlatform;
  config: Configuration;
  ensureConnection(): Promise<void>;
  getKnex(): Knex;
  executeQuery<T>(query: string, cb: () => Promise<T>, context: Record<string, unknown>): Promise<T>;
  transformRawResult<T>(res: unknown, method: 'all' | 'get' | 'run'): T;
}

/**
 * AbstractSqlConnection.execute, sending the values as bindings. The logger gets the
 * statement text only: MikroORM's `query-params` namespace (values inlined) and the
 * `params` of its log context are gone.
 */
async function executeBound<T extends ExecuteResult>(
  connection: ConnectionAccess,
  queryOrKnex: string | Knex.QueryBuilder | Knex.Raw,
  params: readonly unknown[],
  method: 'all' | 'get' | 'run',
  ctx: Transaction | undefined,
  loggerContext: LoggingOptions | undefined,
): Promise<T> {
  await connection.ensureConnection();
  if (Utils.isObject<Knex.QueryBuilder | Knex.Raw>(queryOrKnex)) {
    ctx ??= (queryOrKnex as unknown as { client: { transacting?: boolean } }).client.transacting ? queryOrKnex : undefined;
    const compiled = queryOrKnex.toSQL();
    queryOrKnex = compiled.sql;
    params = compiled.bindings ?? [];
  }
  const query = connection.config.get('onQuery')(queryOrKnex, [...params]);
  const statement = bindParameters(connection.platform, connection.dialect, query, params);
  const knex = connection.getKnex();
  const logged = connection.config.getLogger().isEnabled('query', loggerContext)
    ? (knex.client as { positionBindings(sql: string): string }).positionBindings(query)
    : query;
  return connection.executeQuery(
    logged,
    async () => {
      const raw = statement.bindings.length > 0 ? knex.raw(statement.sql, statement.bindings as Knex.RawBinding[]) : knex.raw(statement.sql);
      if (ctx) raw.transacting(ctx as Knex.Transaction);
      return connection.transformRawResult<T>(await raw, method);
    },
    { query, ...loggerContext },
  );
}

/** Knex renders no bindings into the message of a failed statement (redact.ts removes the statement as well). */
const KNEX_OPTIONS = { compileSqlOnError: false } as const;

export class BoundBetterSqliteConnection extends BetterSqliteConnection {
  override execute<T extends ExecuteResult = EntityData<AnyEntity>[]>(
    queryOrKnex: string | Knex.QueryBuilder | Knex.Raw,
    params: unknown[] = [],
    method: 'all' | 'get' | 'run' = 'all',
    ctx?: Transaction,
    loggerContext?: LoggingOptions,
  ): Promise<T> {
    return executeBound<T>(this.access(), queryOrKnex, params, method, ctx, loggerContext);
  }

  protected override getKnexOptions(type: string): Knex.Config {
    return { ...super.getKnexOptions(type), ...KNEX_OPTIONS };
  }

  private access(): ConnectionAccess {
    return {
      dialect: 'sqlite',
      platform: this.platform as BetterSqlitePlatform,
      config: this.config,
      ensureConnection: () => this.ensureConnection(),
      getKnex: () => this.getKnex(),
      executeQuery: (query, cb, context) => this.executeQuery(query, cb, context),
      transformRawResult: (res, method) => this.transformRawResult(res, method),
    };
  }
}

export class BoundPostgreSqlConnection extends PostgreSqlConnection {
  override execute<T extends ExecuteResult = EntityData<AnyEntity>[]>(
    queryOrKnex: string | Knex.QueryBuilder | Knex.Raw,
    params: unknown[] = [],
    method: 'all' | 'get' | 'run' = 'all',
    ctx?: Transaction,
    loggerContext?: LoggingOptions,
  ): Promise<T> {
    return executeBound<T>(this.access(), queryOrKnex, params, method, ctx, loggerContext);
  }

  protected override getKnexOptions(type: string): Knex.Config {
    return { ...super.getKnexOptions(type), ...KNEX_OPTIONS };
  }

  private access(): ConnectionAccess {
    return {
      dialect: 'postgresql',
      platform: this.platform as PostgreSqlPlatform,
      config: this.config,
      ensureConnection: () => this.ensureConnection(),
      getKnex: () => this.getKnex(),
      executeQuery: (query, cb, context) => this.executeQuery(query, cb, context),
      transformRawResult: (res, method) => this.transformRawResult(res, method),
    };
  }
}

/** BetterSqliteDriver with BoundBetterSqliteConnection. */
export class BoundBetterSqliteDriver extends AbstractSqlDriver<BoundBetterSqliteConnection, BetterSqlitePlatform> {
  constructor(config: Configuration) {
    super(config, new BetterSqlitePlatform(), BoundBetterSqliteConnection, ['knex', 'better-sqlite3']);
  }
}

/** PostgreSqlDriver with BoundPostgreSqlConnection. */
export class BoundPostgreSqlDriver extends AbstractSqlDriver<BoundPostgreSqlConnection, PostgreSqlPlatform> {
  constructor(config: Configuration) {
    super(config, new PostgreSqlPlatform(), BoundPostgreSqlConnection, ['knex', 'pg']);
  }
}
