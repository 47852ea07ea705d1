import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM, raw, type Options } from '@mikro-orm/core';
import { BetterSqliteDriver, BetterSqlitePlatform } from '@mikro-orm/better-sqlite';
import { PostgreSqlDriver, PostgreSqlPlatform } from '@mikro-orm/postgresql';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bindParameters } from '../src/db/bound-parameters.js';
import { eventually } from '../../test-support/eventually.js';
import { AccessToken, BusPosition, ENTITIES, Execution, ExecutionEvent, Template, User, Workflow, WorkflowVersion } from '../src/db/entities.js';
import { isPostgres, knexOf, openDatabase, type Database } from '../src/db/orm.js';
import { collect, DATABASES, startApi, SUM_WORKFLOW, type Api, type DatabaseKind } from './api-harness.js';

// Statement values reach better-sqlite3 and pg as bound parameters, never inside the
// statement text, and what is stored and read back is what MikroORM's own inlining stored.

const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** What one statement sent to a driver: its text and its parameter values. */
interface Sent {
  text: string;
  values: unknown[];
}

/** Records every statement better-sqlite3 and pg are asked to run in this process, at the driver. */
function captureDriverStatements(): { sent: Sent[]; restore(): void } {
  const sent: Sent[] = [];
  const probe = new Sqlite(':memory:');
  const statementPrototype = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
  probe.close();
  const restores: Array<() => void> = [];
  for (const method of ['run', 'get', 'all', 'iterate']) {
    const original = statementPrototype[method]!;
    statementPrototype[method] = function (this: { source: string }, ...args: unknown[]) {
      sent.push({ text: this.source, values: args.flat() });
      return original.apply(this, args);
    };
    restores.push(() => (statementPrototype[method] = original));
  }
  const exec = Sqlite.prototype.exec;
  Sqlite.prototype.exec = function (this: Sqlite.Database, sql: string) {
    sent.push({ text: sql, values: [] });
    return exec.call(this, sql);
  };
  restores.push(() => (Sqlite.prototype.exec = exec));
  const clientPrototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = clientPrototype.query;
  clientPrototype.query = function (this: unknown, ...args: unknown[]) {
    const [config, values] = args;
    const text = typeof config === 'string' ? config : String((config as { text?: unknown } | null)?.text ?? '');
    const params = Array.isArray(values) ? values : ((config as { values?: unknown[] } | null)?.values ?? []);
    sent.push({ text, values: [...params] });
    return query.apply(this, args);
  };
  restores.push(() => (clientPrototype.query = query));
  return { sent, restore: () => restores.forEach((restore) => restore()) };
}

const TRICKY = `O'Brien "quoted" ? ?? \\? $1 :name back\\slash ünïcødé 😀 ';-- \u2028 end`;
const DEFINITION = {
  s: TRICKY,
  n: [0, -1, 1.5, 2 ** 53 - 1, 1e-7, 1e21],
  b: [true, false],
  z: null,
  nested: { a: { b: [{}, [], ''] } },
  '?': '??',
  "key'": `\\'`,
};

describe('bindParameters', () => {
  const sqlite = new BetterSqlitePlatform();
  const postgres = new PostgreSqlPlatform();

  it('leaves a statement without values exactly as it is', () => {
    expect(bindParameters(sqlite, 'sqlite', "select '\\?' as x", [])).toEqual({ sql: "select '\\?' as x", bindings: [] });
  });

  it('inlines identifiers, binds values, keeps escaped question marks (PostgreSQL)', () => {
    const { sql, bindings } = bindParameters(postgres, 'postgresql', 'select ?? from ?? where "data" \\? ? and "n" = ?', ['name', 'users', 'key', 5]);
    expect(sql).toBe('select "name" from "users" where "data" \\? ? and "n" = ?');
    expect(bindings).toEqual(['key', 5]);
  });

  it('expands raw fragments, arrays and JSON with their values bound', () => {
    const fragment = raw('lower(?)', ["A'B"]);
    const { sql, bindings } = bindParameters(sqlite, 'sqlite', 'select ? , ? where x in (?) and y = ?', [fragment, { a: "q'?" }, [1, 'two', [3, 4]], true]);
    expect(sql).toBe('select lower(?) , ? where x in (?, ?, (?, ?)) and y = ?');
    expect(bindings).toEqual(["A'B", '{"a":"q\'?"}', 1n, 'two', 3n, 4n, 1n]);
  });

  it('binds numbers as SQLite would have read their literals, and refuses what was never valid SQL', () => {
    expect(bindParameters(sqlite, 'sqlite', 'select ?, ?, ?, ?, ?', [5, -0, 1.5, 2 ** 63, new Date(1700000000123)]).bindings).toEqual([
      5n,
      0n,
      1.5,
      2 ** 63,
      1700000000123n,
    ]);
    expect(() => bindParameters(sqlite, 'sqlite', 'select ?', [Number.NaN])).toThrow(TypeError);
    expect(() => bindParameters(postgres, 'postgresql', 'select ?', [Number.POSITIVE_INFINITY])).toThrow(TypeError);
    expect(() => bindParameters(sqlite, 'sqlite', 'select ?', ['a\u0000b'])).toThrow(TypeError);
    // SQLite has no way to write a literal `?` beside bound values through knex: refused rather than guessed.
    expect(() => bindParameters(sqlite, 'sqlite', "select '\\?', ?", [1])).toThrow(/literal question mark/);
  });

  it('walks the statement exactly as formatQuery does, quirks included', () => {
    // formatQuery resumes its search one character after a value, so the `?` right after `\\?` stays text.
    for (const [sql, params] of [
      ['"j" \\?? and ??', ['k', 'name']],
      ['?? = ??', ['a', 'b']],
    ] as const) {
      expect(bindParameters(postgres, 'postgresql', sql, params)).toEqual({ sql: postgres.formatQuery(sql, [...params]), bindings: [] });
    }
  });
});

/** Opens a migrated database twice: through openDatabase (values bound), and with MikroORM's stock driver (values inlined). */
async function openPair(database: DatabaseKind): Promise<{ bound: Database; stock: MikroORM; close(): Promise<void> }> {
  const common = { entities: ENTITIES, allowGlobalContext: false, forceUtcTimezone: true, debug: false } as Partial<Options>;
  if (database === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-sql-binding-'));
    const bound = await openDatabase({ url: undefined, sqliteFile: join(dir, 'bound.db') });
    await (await openDatabase({ url: undefined, sqliteFile: join(dir, 'stock.db') })).close();
    const stock = await MikroORM.init({ ...common, driver: BetterSqliteDriver, dbName: join(dir, 'stock.db') } as Options);
    return {
      bound,
      stock,
      async close() {
        await bound.close();
        await stock.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const names = [0, 1].map(() => `tandem_${randomUUID().replace(/-/g, '')}`);
  for (const name of names) await adminQuery(`create database ${name}`);
  const urls = names.map((name) => POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`));
  const bound = await openDatabase({ url: urls[0], sqliteFile: '' });
  await (await openDatabase({ url: urls[1], sqliteFile: '' })).close();
  const stock = await MikroORM.init({ ...common, driver: PostgreSqlDriver, clientUrl: urls[1] } as Options);
  return {
    bound,
    stock,
    async close() {
      await bound.close();
      await stock.close();
      for (const name of names) await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client(POSTGRES_ADMIN_URL);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const T0 = Date.UTC(2024, 1, 29, 23, 59, 59, 123);
const SNAPSHOT = Buffer.from([0, 1, 0x27, 0x3f, 0x5c, 0x22, 0xff, 0xfe, 0x00]);

/** The same writes and reads on either ORM, with a clock that moves in fixed steps; returns what the reads saw. */
async function scenario(orm: MikroORM): Promise<unknown[]> {
  let now = T0;
  const tick = () => vi.setSystemTime((now += 1001));
  vi.setSystemTime(now);
  const reads: unknown[] = [];
  const em = orm.em.fork();
  em.persist([
    Object.assign(new User(), { id: 'u1', email: `o'brien+?@example.com`, name: TRICKY, passwordHash: 'scrypt$1$x' }),
    Object.assign(new User(), { id: 'u2', email: 'b\\@example.com', name: 'B', passwordHash: 'h' }),
  ]);
  await em.flush(); // foreign keys are plain columns here: rows are written parents first
  em.persist([
    Object.assign(new AccessToken(), {
      id: 't1',
      userId: 'u1',
      kind: 'api',
      name: 'ci ?',
      tokenHash: 'h1',
      prefix: 'tdm_',
      expiresAt: null,
      lastUsedAt: new Date(now - 5),
    }),
  ]);
  await em.flush();
  tick();
  // One flush, four rows: MikroORM's batch insert. JSON documents that are an object, an array, a string, a number.
  em.persist([
    Object.assign(new Workflow(), { id: 'w1', ownerId: 'u1', name: TRICKY, description: 'd ?', definition: DEFINITION, webhookSecret: 's1' }),
    Object.assign(new Workflow(), { id: 'w2', ownerId: 'u1', name: 'plain', definition: ['array', 1, true, null], webhookSecret: 's2' }),
    Object.assign(new Workflow(), { id: 'w3', ownerId: 'u2', name: '5', definition: "just a 'string' ?", webhookSecret: 's3' }),
    Object.assign(new Workflow(), { id: 'w4', ownerId: 'u2', name: '', definition: 5, webhookSecret: 's4' }),
  ]);
  await em.flush();
  tick();
  em.persist(
    Object.assign(new WorkflowVersion(), {
      id: 'v1',
      workflowId: 'w1',
      number: 1,
      definition: DEFINITION,
      message: TRICKY,
      authorId: 'u1',
      docSnapshot: SNAPSHOT,
    }),
  );
  await em.flush();
  em.persist([
    Object.assign(new Execution(), {
      id: 'e1',
      workflowId: 'w1',
      versionId: 'v1',
      versionNumber: 1,
      startedById: 'u1',
      input: { a: 1, b: [true, false, null], s: TRICKY },
      result: null,
      error: { message: TRICKY },
      startedAt: new Date(now - 1),
      finishedAt: null,
      temporalWorkflowId: 'tw',
      temporalRunId: 'tr',
      parentExecutionId: null,
      parentNodeId: null,
    }),
    Object.assign(new Template(), {
      id: 'tp1',
      authorId: 'u1',
      name: TRICKY,
      description: '',
      tags: ['a', "b'?"],
      parameters: [{ name: 'p', type: 'boolean', required: true, description: '?', default: false }],
      definition: DEFINITION,
    }),
  ]);
  await em.flush();
  tick();
  for (let sequence = 1; sequence <= 3; sequence++) {
    em.persist(
      Object.assign(new ExecutionEvent(), {
        executionId: 'e1',
        sequence,
        type: 'NODE_COMPLETED',
        nodeId: sequence === 2 ? null : `n${sequence}`,
        at: new Date(now + sequence),
        data: { sequence, s: TRICKY },
      }),
    );
  }
  await em.flush();
  tick();
  // One flush, several changed rows: MikroORM's batch update (`case when`).
  const [w1, w2, w3] = await em.find(Workflow, { id: { $in: ['w1', 'w2', 'w3'] } }, { orderBy: { id: 'asc' } });
  w1!.name = `${TRICKY} renamed`;
  w2!.name = "it's ? renamed";
  w3!.definition = { replaced: [1.25, 'x'] };
  w2!.latestVersion = 7;
  await em.flush();
  tick();
  await em.upsert(BusPosition, { name: 'execution-events', position: '1-0', updatedAt: new Date() });
  tick();
  await em.upsert(BusPosition, { name: 'execution-events', position: "2-0'?", updatedAt: new Date() });
  await em.nativeUpdate(AccessToken, { id: 't1' }, { revokedAt: new Date() });
  reads.push(await em.nativeUpdate(Workflow, { id: 'w1', latestVersion: 0 }, { latestVersion: 1 }));
  reads.push(await em.nativeDelete(Workflow, { id: 'w4' }));
  tick();
  // Statements written by hand, through the same execute.
  const connection = orm.em.getConnection();
  await connection.execute('update workflows set description = ? where id in (?)', [`raw 'd' ? \\`, ['w1', 'w2']]);
  await connection.execute('update ?? set position = ? where name = ?', ['bus_positions', '3-0', 'execution-events']);
  await connection.execute('update users set name = ? where id = ?', [raw('upper(name)'), 'u2']);
  await connection.execute('update access_tokens set last_used_at = ?, expires_at = ? where id = ?', [new Date(now), null, 't1']);
  reads.push(await connection.execute('select count(*) as c from workflows where (latest_version > 0) = ? and name like ?', [true, '%?%']));

  const fresh = orm.em.fork();
  const workflows = await fresh.find(
    Workflow,
    { ownerId: 'u1', name: { $like: '%?%' }, updatedAt: { $lt: new Date(now + 1) } },
    { orderBy: { updatedAt: 'desc', id: 'desc' }, limit: 5 },
  );
  reads.push(workflows.map((w) => [w.id, w.name, w.description, w.definition, w.latestVersion, w.createdAt.toISOString(), w.updatedAt.toISOString()]));
  const page = await fresh.find(
    Workflow,
    { $or: [{ updatedAt: { $lt: new Date(T0 + 3000) } }, { updatedAt: new Date(T0 + 3003), id: { $lt: 'w3' } }] },
    { orderBy: { updatedAt: 'desc', id: 'desc' }, limit: 2 },
  );
  reads.push(page.map((w) => w.id));
  reads.push((await fresh.find(Workflow, { id: 'w3' }))[0]?.definition);
  const user = await fresh.findOneOrFail(User, { email: `o'brien+?@example.com` });
  reads.push([user.id, user.name, user.createdAt.toISOString()]);
  reads.push((await fresh.findOneOrFail(User, { id: 'u2' })).name);
  const version = await fresh.findOneOrFail(WorkflowVersion, { id: 'v1' }, { populate: ['docSnapshot'] });
  reads.push([version.definition, version.message, Buffer.from(version.docSnapshot!).toString('hex')]);
  const events = await fresh.find(ExecutionEvent, { executionId: 'e1', sequence: { $gt: 1 } }, { orderBy: { sequence: 'asc' } });
  reads.push(events.map((e) => [e.id, e.sequence, e.nodeId, e.at.toISOString(), e.data]));
  reads.push(await fresh.count(ExecutionEvent, { executionId: 'e1', nodeId: { $ne: null } }));
  const execution = await fresh.findOneOrFail(Execution, { id: 'e1' });
  reads.push([execution.input, execution.result, execution.error, execution.startedAt.toISOString(), execution.finishedAt]);
  const template = await fresh.findOneOrFail(Template, { id: 'tp1' });
  reads.push([template.tags, template.parameters, template.definition, template.name]);
  const token = await fresh.findOneOrFail(AccessToken, { id: 't1' });
  reads.push([token.name, token.expiresAt, token.lastUsedAt?.toISOString(), token.revokedAt?.toISOString()]);
  reads.push(await fresh.findOne(BusPosition, { name: 'execution-events' }).then((b) => [b?.position, b?.updatedAt.toISOString()]));
  return reads;
}

/** Every stored row, rendered by the database itself: storage class and literal on SQLite, row_to_json on PostgreSQL. */
async function dump(orm: MikroORM, postgres: boolean): Promise<Record<string, string[]>> {
  const knex = knexOf(orm);
  const tables: Record<string, string[]> = {};
  if (postgres) {
    const rows = (await knex.raw(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`)) as {
      rows: Array<{ table_name: string }>;
    };
    for (const { table_name: table } of rows.rows) {
      if (table.startsWith('mikro_orm_')) continue;
      const result = (await knex.raw(`select row_to_json(t)::text as r from "${table}" t order by 1`)) as { rows: Array<{ r: string }> };
      tables[table] = result.rows.map((row) => row.r);
    }
    return tables;
  }
  const names = (await knex.raw(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'mikro_orm_%'`)) as Array<{
    name: string;
  }>;
  for (const { name } of names) {
    const columns = (await knex.raw(`pragma table_info("${name}")`)) as Array<{ name: string }>;
    const cells = columns.map((c) => `'${c.name}=' || typeof("${c.name}") || ':' || quote("${c.name}")`).join(` || ' | ' || `);
    const rows = (await knex.raw(`select ${cells} as r from "${name}" order by 1`)) as Array<{ r: string }>;
    tables[name] = rows.map((row) => row.r);
  }
  return tables;
}

describe.each(DATABASES)('values stored and read back as MikroORM stored them inlined, on %s', (database) => {
  let pair: Awaited<ReturnType<typeof openPair>>;

  beforeAll(async () => {
    pair = await openPair(database);
  });
  afterAll(async () => {
    vi.useRealTimers();
    await pair?.close();
  });

  it('runs the same writes and reads with inlined and with bound values, and finds every row and read identical', async () => {
    expect(isPostgres(pair.bound)).toBe(database === 'postgres');
    vi.useFakeTimers({ toFake: ['Date'] });
    let boundReads: unknown[];
    let stockReads: unknown[];
    try {
      boundReads = await scenario(pair.bound);
      stockReads = await scenario(pair.stock);
    } finally {
      vi.useRealTimers();
    }
    expect(boundReads).toEqual(stockReads);
    const stored = await dump(pair.bound, database === 'postgres');
    expect(stored).toEqual(await dump(pair.stock, database === 'postgres'));
    expect(Object.values(stored).flat().length).toBeGreaterThan(10);
    // And the reads are the values written.
    const [updated, deleted, , workflows, , w3, user, u2, version, , , execution, template] = boundReads as [
      unknown,
      unknown,
      unknown,
      unknown[][],
      ...unknown[],
    ];
    expect([updated, deleted]).toEqual([1, 1]);
    expect(workflows.find((w) => w[0] === 'w1')!.slice(1, 4)).toEqual([`${TRICKY} renamed`, `raw 'd' ? \\`, DEFINITION]);
    expect(w3).toEqual({ replaced: [1.25, 'x'] });
    expect(user).toEqual(['u1', TRICKY, new Date(T0).toISOString()]);
    expect(u2).toBe('B');
    expect(version).toEqual([DEFINITION, TRICKY, SNAPSHOT.toString('hex')]);
    expect(execution).toEqual([{ a: 1, b: [true, false, null], s: TRICKY }, null, { message: TRICKY }, new Date(T0 + 2 * 1001 - 1).toISOString(), null]);
    expect(template).toEqual([['a', "b'?"], [{ name: 'p', type: 'boolean', required: true, description: '?', default: false }], DEFINITION, TRICKY]);
  });

  it.runIf(database === 'sqlite')('gives SQLite each value with the storage class and value its literal had', async () => {
    const values: unknown[] = [
      0,
      1,
      -1,
      -0,
      5.5,
      2 ** 53,
      2 ** 53 + 2,
      1e21,
      -1e-7,
      2 ** 63,
      true,
      false,
      null,
      undefined,
      '',
      TRICKY,
      '5',
      '5.0',
      Buffer.from([0, 0x27, 0x3f]),
      new Date(T0),
      123n,
      { a: [1, 'b'] },
    ];
    for (const value of values) {
      const sql = 'select typeof(?) as t, quote(?) as q';
      const bound = await pair.bound.em.getConnection().execute(sql, [value, value]);
      const stock = await pair.stock.em.getConnection().execute(sql, [value, value]);
      expect({ value, result: bound }).toEqual({ value, result: stock });
    }
    const list = "select 2 in (?) as a, 'two' in (?) as b, 1 in (?) as c";
    const mixed = [1, 2, 'two', true, null];
    expect(await pair.bound.em.getConnection().execute(list, [mixed, mixed, mixed])).toEqual(
      await pair.stock.em.getConnection().execute(list, [mixed, mixed, mixed]),
    );
  });
});

const CREATE = 'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id name description definition createdAt updatedAt } }';
const EVENTS = 'subscription($id: ID!) { executionEvents(executionId: $id) { id sequence type data } }';

describe.each(DATABASES)('statement values over the API on %s', (database) => {
  let api: Api;
  let capture: ReturnType<typeof captureDriverStatements>;

  beforeAll(async () => {
    capture = captureDriverStatements();
    api = await startApi({ database });
  });
  afterAll(async () => {
    await api?.close();
    capture?.restore();
  });

  it('sends user values only as parameters, and gets every one back unchanged', async () => {
    const mark = randomUUID().replace(/-/g, '');
    const email = `sqlmark-${mark}@example.com`;
    const userName = `Zoë "Z" O'Hara ? \\ ${mark}`;
    const name = `Report 'quarterly' "final" ? ?? $1 \\ ünï 😀 ${mark}`;
    const description = `back\\slash \\? ' ${mark}`;
    const jsonMark = `json-${mark}-'"?\\`;
    const definition = {
      ...SUM_WORKFLOW,
      name,
      description,
      nodes: SUM_WORKFLOW.nodes.map((node) =>
        node.id === 'add' ? { ...node, config: { expression: `{ 'total': input.a + input.b, 'marker': input.marker }` } } : node,
      ),
      params: { note: jsonMark, flag: true, off: false, ratio: 0.5 },
    };
    const started = Date.now();

    const signUp = await api.gql<{ signUp: { token: string } }>(
      'mutation($email: String!, $name: String!) { signUp(email: $email, password: "correct horse battery", name: $name) { token } }',
      { email, name: userName },
    );
    expect(signUp.errors).toBeUndefined();
    const signIn = await api.gql<{ signIn: { token: string } }>(
      'mutation($email: String!) { signIn(email: $email, password: "correct horse battery") { token } }',
      { email },
    );
    const token = signIn.data!.signIn.token;
    const me = await api.gql<{ me: { email: string; name: string } }>('{ me { email name } }', {}, token);
    expect(me.data!.me).toEqual({ email, name: userName });

    const created = await api.gql<{
      createWorkflow: { id: string; name: string; description: string; definition: Record<string, unknown>; createdAt: string; updatedAt: string };
    }>(CREATE, { input: { name, description, definition } }, token);
    expect(created.errors).toBeUndefined();
    const workflow = created.data!.createWorkflow;
    expect([workflow.name, workflow.description, (workflow.definition.params as Record<string, unknown>).note]).toEqual([name, description, jsonMark]);
    expect(workflow.definition.params as Record<string, unknown>).toEqual({ note: jsonMark, flag: true, off: false, ratio: 0.5 });
    const changed = { ...definition, params: { ...definition.params, note: `${jsonMark} v2`, off: true } };
    const updated = await api.gql(
      'mutation($id: ID!, $d: JSON!) { updateWorkflowDefinition(id: $id, definition: $d) { id } }',
      { id: workflow.id, d: changed },
      token,
    );
    expect(updated.errors).toBeUndefined();
    const deployed = await api.gql<{ deployWorkflow: { number: number; message: string } }>(
      'mutation($id: ID!, $m: String) { deployWorkflow(id: $id, message: $m) { number message } }',
      { id: workflow.id, m: `deploy '${mark}' ?` },
      token,
    );
    expect(deployed.data!.deployWorkflow).toEqual({ number: 1, message: `deploy '${mark}' ?` });

    const input = { a: 2, b: 40, marker: `input-${mark}-'?\\😀`, flags: [true, false, null] };
    const run = await api.gql<{ startExecution: { id: string } }>(
      'mutation($id: ID!, $input: JSON) { startExecution(workflowId: $id, input: $input) { id } }',
      { id: workflow.id, input },
      token,
    );
    expect(run.errors).toBeUndefined();
    const executionId = run.data!.startExecution.id;
    const stream = collect<{ executionEvents: { type: string } }>(api.ws(token), EVENTS, { id: executionId });
    await stream.done;
    expect(stream.items.at(-1)!.executionEvents.type).toBe('EXECUTION_COMPLETED');

    // A few more workflows and runs, then every list walked page by page with cursors.
    for (let i = 0; i < 2; i++) await api.gql(CREATE, { input: { name: `${name} #${i}`, definition: changed } }, token);
    for (let i = 0; i < 2; i++) {
      const again = await api.gql<{ startExecution: { id: string } }>(
        'mutation($id: ID!, $input: JSON) { startExecution(workflowId: $id, input: $input) { id } }',
        { id: workflow.id, input },
        token,
      );
      await collect(api.ws(token), EVENTS, { id: again.data!.startExecution.id }).done;
    }
    type Page = { edges: Array<{ cursor: string; node: Record<string, unknown> }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    const walk = async (query: string, variables: Record<string, unknown>, pick: (data: Record<string, unknown>) => Page) => {
      const nodes: Array<Record<string, unknown>> = [];
      let after: string | null = null;
      for (let pages = 0; pages < 20; pages++) {
        const result = await api.gql<Record<string, unknown>>(query, { ...variables, after }, token);
        expect(result.errors).toBeUndefined();
        const connection = pick(result.data!);
        nodes.push(...connection.edges.map((edge) => edge.node));
        if (!connection.pageInfo.hasNextPage) return nodes;
        after = connection.pageInfo.endCursor;
      }
      throw new Error('too many pages');
    };
    // The list is newest-updated first, and the first workflow's row copy of its draft is
    // refreshed a moment after the edit above (debounced): a walk that overlaps that move can
    // step over it, so the walk is repeated until the order holds still.
    const workflows = await eventually(
      async () => {
        const walked = await walk(
          'query($after: String, $search: String) { workflows(first: 1, after: $after, filter: { search: $search }) { edges { cursor node { name createdAt updatedAt } } pageInfo { hasNextPage endCursor } } }',
          { search: mark },
          (data) => data.workflows as Page,
        );
        expect(walked.map((w) => w.name).sort()).toEqual([name, `${name} #0`, `${name} #1`]);
        return walked;
      },
      { timeoutMs: 10_000, intervalMs: 250, what: 'the workflows list walked page by page' },
    );
    const runs = await walk(
      'query($id: ID!, $after: String) { workflow(id: $id) { executions(first: 1, after: $after) { edges { cursor node { id status input result startedAt finishedAt } } pageInfo { hasNextPage endCursor } } } }',
      { id: workflow.id },
      (data) => (data.workflow as { executions: Page }).executions,
    );
    expect(runs).toHaveLength(3);
    expect(runs.at(-1)).toMatchObject({ id: executionId, status: 'COMPLETED', input, result: 42 });
    const events = await walk(
      'query($id: ID!, $after: String) { execution(id: $id) { events(first: 2, after: $after) { edges { cursor node { sequence type data } } pageInfo { hasNextPage endCursor } } } }',
      { id: executionId },
      (data) => (data.execution as { events: Page }).events,
    );
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(JSON.stringify(events)).toContain(JSON.stringify(input.marker).slice(1, -1));
    const versions = await walk(
      'query($id: ID!, $after: String) { workflow(id: $id) { versions(first: 1, after: $after) { edges { cursor node { number message definition createdAt } } pageInfo { hasNextPage endCursor } } } }',
      { id: workflow.id },
      (data) => (data.workflow as { versions: Page }).versions,
    );
    expect(versions).toHaveLength(1);
    expect(versions[0]!.definition).toMatchObject({ params: { note: `${jsonMark} v2`, flag: true, off: true, ratio: 0.5 } });

    // Dates: stored and read back as the instants they were.
    const finished = Date.now();
    const instants = [...workflows.flatMap((w) => [w.createdAt, w.updatedAt]), ...runs.flatMap((r) => [r.startedAt, r.finishedAt]), versions[0]!.createdAt];
    for (const instant of instants) {
      const at = Date.parse(String(instant));
      expect(at).toBeGreaterThanOrEqual(started - 1000);
      expect(at).toBeLessThanOrEqual(finished + 1000);
    }

    // What reached the driver: the values, never inside a statement.
    const ours = capture.sent;
    expect(ours.length).toBeGreaterThan(20);
    const inText = ours.filter((statement) => statement.text.includes(mark));
    expect(inText.map((statement) => statement.text)).toEqual([]);
    // Nor any other value: ids (UUIDs), password hashes, times (ISO text on PostgreSQL, epoch milliseconds on SQLite).
    const valueShaped = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|scrypt\$|'\d{4}-\d\d-\d\dT|\b1\d{12}\b/;
    expect(ours.filter((statement) => valueShaped.test(statement.text)).map((statement) => statement.text)).toEqual([]);
    const boundValues = ours.flatMap((statement) => statement.values).filter((value): value is string => typeof value === 'string');
    for (const value of [email, userName, name, description, `deploy '${mark}' ?`]) expect(boundValues).toContain(value);
    expect(boundValues.some((value) => value.includes(JSON.stringify(jsonMark).slice(1, -1)))).toBe(true);
    expect(boundValues.some((value) => value.includes(JSON.stringify(input.marker).slice(1, -1)))).toBe(true);
    const insertUser = ours.find((statement) => /^insert into .users./.test(statement.text))!;
    expect(insertUser.text).toMatch(database === 'postgres' ? /values \(\$1, \$2, \$3, \$4, \$5\)/ : /values \(\?, \?, \?, \?, \?\)/);
    expect(insertUser.values).toContain(email);
  });
});
