import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateSecretsKey, loadKeyring, openDatabase, openSecretResolver, SecretService } from '@tandem/server';
import { knexOf } from '../src/db/orm.js';
import { DATABASES, startApi, type Api, type GraphqlResponse } from './api-harness.js';

const CREATE = `mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }`;
const DEPLOY = `mutation($id: ID!) { deployWorkflow(id: $id) { number } }`;
const START = `mutation($id: ID!, $input: JSON) { startExecution(workflowId: $id, input: $input) { id temporalWorkflowId } }`;
const EXECUTION = `query($id: ID!) { execution(id: $id) { id status result error temporalWorkflowId events(first: 100) { edges { node { type nodeId data } } } } }`;
const SET = `mutation($name: String!, $value: String!) { setSecret(name: $name, value: $value) { name createdAt updatedAt } }`;
const LIST = `query($first: Int, $after: String) { secrets(first: $first, after: $after) { totalCount edges { cursor node { name createdAt updatedAt } } pageInfo { hasNextPage endCursor } } }`;
const DELETE = `mutation($name: String!) { deleteSecret(name: $name) }`;
const EXPORT = `query($id: ID!, $version: Int) { exportWorkflow(id: $id, version: $version) }`;

/** A workflow that sends the secret in a header and a body, and also tries to carry it out through a transform. */
function sender(url: string, name = 'API_TOKEN'): Record<string, unknown> {
  const node = (id: string, type: string, config: Record<string, unknown>, x: number) => ({ id, type, position: { x, y: 0 }, config });
  return {
    format: 'tandem.workflow/v1',
    name: 'Send a secret',
    description: '',
    nodes: [
      node('start', 'trigger.manual', {}, 0),
      node(
        'call',
        'http.request',
        {
          method: 'POST',
          url: `${url}/hook`,
          headers: { authorization: `Bearer {{ secrets.${name} }}` },
          bodyExpression: `{ 'token': secrets.${name}, 'n': input.n }`,
          retry: { maxAttempts: 1 },
        },
        200,
      ),
      node('leak', 'transform', { expression: `{ 'plain': secrets.${name}, 'status': nodes.call.status }` }, 400),
      node('out', 'output', { expression: "{ 'echo': nodes.call.body, 'leak': nodes.leak }" }, 600),
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'call' },
      { id: 'e2', source: 'call', target: 'leak' },
      { id: 'e3', source: 'leak', target: 'out' },
    ],
  };
}

/** A Temporal history as text with every payload decoded (the history holds them as base64 of JSON). */
function decodedHistory(history: unknown): string {
  const decode = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(decode);
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>);
      const payload = entries.some(([k]) => k === 'metadata') && entries.some(([k]) => k === 'data');
      return Object.fromEntries(entries.map(([k, v]) => [k, payload && typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : decode(v)]));
    }
    return value;
  };
  return JSON.stringify(decode(JSON.parse(JSON.stringify(history))));
}

/** Everything written to the console and to stdout/stderr while a test runs. */
function captureOutput(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const originals = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
  for (const method of Object.keys(originals) as Array<keyof typeof originals>) {
    console[method] = (...args: unknown[]) => {
      chunks.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      originals[method].apply(console, args);
    };
  }
  const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    chunks.push(String(chunk));
    return writes.out(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    chunks.push(String(chunk));
    return writes.err(chunk, ...rest);
  }) as typeof process.stderr.write;
  return {
    text: () => chunks.join('\n'),
    restore: () => {
      Object.assign(console, originals);
      process.stdout.write = writes.out;
      process.stderr.write = writes.err;
    },
  };
}

describe('the secrets keyring', () => {
  it('generates a key once into the data dir (mode 0600) when none is configured, and says production must set one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-keys-'));
    try {
      const lines: string[] = [];
      expect(() => loadKeyring({ dataDir: dir, generate: false })).toThrow(/TANDEM_SECRETS_KEY/);
      const first = loadKeyring({ dataDir: dir, generate: true, log: (l) => lines.push(l) });
      expect(statSync(join(dir, 'secrets.key')).mode & 0o777).toBe(0o600);
      expect(lines.join('\n')).toMatch(/TANDEM_SECRETS_KEY is not set.*Production must set TANDEM_SECRETS_KEY/s);
      // The API server and a worker read the same file.
      const again = loadKeyring({ dataDir: dir, generate: false, log: () => {} });
      expect(again.currentId).toBe(first.currentId);
      const sealed = first.seal('v', 'ctx');
      expect(again.open(sealed.keyId, sealed.value, 'ctx')).toBe('v');
      // Bound to its row: the same ciphertext under another owner or name does not open.
      expect(() => again.open(sealed.keyId, sealed.value, 'other')).toThrow(/does not open/);
      // Setting the variable later keeps the generated key for reading.
      const configured = loadKeyring({ key: `prod:${generateSecretsKey()}`, dataDir: dir, generate: true, log: () => {} });
      expect(configured.currentId).toBe('prod');
      expect(configured.open(sealed.keyId, sealed.value, 'ctx')).toBe('v');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a worker process opens the database and the API server’s key on first use, and reads values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-worker-secrets-'));
    const resolver = openSecretResolver({ databaseUrl: undefined, dataDir: dir, key: undefined, keys: undefined });
    try {
      // No key yet (no API server has run with this data dir): the step fails, and the next one tries again.
      await expect(resolver.resolve('u1', ['A'])).rejects.toThrow(/no secrets key: set TANDEM_SECRETS_KEY/);
      const keyring = loadKeyring({ dataDir: dir, generate: true, log: () => {} });
      const db = await openDatabase({ url: undefined, sqliteFile: join(dir, 'tandem.db') });
      try {
        await knexOf(db)('users').insert({ id: 'u1', email: 'u1@example.com', name: 'U', password_hash: 'x', created_at: new Date() });
        await new SecretService(db, keyring).set({ id: 'u1' } as never, 'A', 'value-a');
      } finally {
        await db.close();
      }
      expect(Object.fromEntries(await resolver.resolve('u1', ['A', 'MISSING']))).toEqual({ A: 'value-a' });
      expect((await resolver.resolve('someone-else', ['A'])).size).toBe(0);
    } finally {
      await resolver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a malformed key without repeating it', () => {
    const bad = 'c2hvcnQ=';
    let message = '';
    try {
      loadKeyring({ key: bad, dataDir: tmpdir(), generate: false });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/base64 of 32 random bytes/);
    expect(message).not.toContain(bad);
  });
});

describe.each(DATABASES)('secrets on %s', (database) => {
  let api: Api;
  let temporal: Client;
  let connection: Connection;
  let hook: Server;
  let hookUrl: string;
  const received: Array<{ authorization: string | undefined; body: string }> = [];
  const responses: string[] = [];
  const keyOne = generateSecretsKey();
  const keyTwo = generateSecretsKey();
  const TOKEN = `s3cr3t-${randomBytes(12).toString('hex')}`;
  let ada: { token: string; id: string };

  async function gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown>, token: string): Promise<GraphqlResponse<T>> {
    const result = await api.gql<T>(query, variables, token);
    responses.push(JSON.stringify(result));
    return result;
  }

  async function runToEnd(workflowId: string, token: string, input: Record<string, unknown> = {}) {
    const started = await gql<{ startExecution: { id: string } }>(START, { id: workflowId, input }, token);
    expect(started.errors).toBeUndefined();
    const id = started.data!.startExecution.id;
    for (let i = 0; i < 300; i++) {
      const read = await gql<{ execution: { id: string; status: string; result: unknown; error: { message: string } | null; temporalWorkflowId: string } }>(
        EXECUTION,
        { id },
        token,
      );
      const execution = read.data!.execution;
      if (!['RUNNING', 'WAITING', 'PAUSED'].includes(execution.status)) return execution;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the run did not end');
  }

  async function deployed(definition: Record<string, unknown>, token: string): Promise<string> {
    const created = await gql<{ createWorkflow: { id: string } }>(CREATE, { input: { name: 'Secret sender', definition } }, token);
    expect(created.errors).toBeUndefined();
    const id = created.data!.createWorkflow.id;
    expect((await gql(DEPLOY, { id }, token)).errors).toBeUndefined();
    return id;
  }

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ authorization: req.headers.authorization, body });
        // Echoes the credential back, as careless services do: the run must keep *** instead.
        res
          .writeHead(200, { 'content-type': 'application/json', 'x-echo': String(req.headers.authorization) })
          .end(JSON.stringify({ youSent: req.headers.authorization, body }));
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
    api = await startApi({ database, httpAllow: ['127.0.0.1'], config: { secretsKey: `one:${keyOne}` } });
    connection = await Connection.connect({ address: inject('temporalAddress') });
    temporal = new Client({ connection });
    ada = await api.user('Ada');
  });

  afterAll(async () => {
    await api?.close();
    await connection?.close();
    await new Promise((resolve) => hook?.close(resolve));
  });

  it('sends the value to the service, and nothing the run leaves behind holds it', async () => {
    const output = captureOutput();
    try {
      const set = await gql<{ setSecret: { name: string } }>(SET, { name: 'API_TOKEN', value: TOKEN }, ada.token);
      expect(set.errors).toBeUndefined();
      expect(set.data!.setSecret.name).toBe('API_TOKEN');

      const workflowId = await deployed(sender(hookUrl), ada.token);
      const execution = await runToEnd(workflowId, ada.token, { n: 7 });
      expect(execution.status).toBe('COMPLETED');

      // The service got the real value, in the header and in the body.
      const seen = received.at(-1)!;
      expect(seen.authorization).toBe(`Bearer ${TOKEN}`);
      expect(JSON.parse(seen.body)).toEqual({ token: TOKEN, n: 7 });

      // What the run kept: the echo masked, the transform's copy a placeholder.
      const result = execution.result as { echo: { youSent: string; body: string }; leak: { plain: string } };
      expect(result.echo.youSent).toBe('Bearer ***');
      expect(JSON.parse(result.echo.body)).toEqual({ token: '***', n: 7 });
      expect(result.leak.plain).toContain('tandem-secret:');
      expect(result.leak.plain).toContain('API_TOKEN');

      // Everything the run leaves behind.
      const knex = knexOf(api.server.db);
      const eventRows = await knex('execution_events').where({ execution_id: execution.id });
      expect(eventRows.length).toBeGreaterThan(5);
      const executionRow = await knex('executions').where({ id: execution.id });
      const history = decodedHistory(await temporal.workflow.getHandle(execution.temporalWorkflowId).fetchHistory());
      expect(history).toContain('tandem-secret:'); // decoded: the placeholders are there, the value is not
      const exported = [await gql(EXPORT, { id: workflowId }, ada.token), await gql(EXPORT, { id: workflowId, version: 1 }, ada.token)];
      expect(JSON.stringify(exported)).toContain('secrets.API_TOKEN');
      const secretRows = await knex('secrets').where({ owner_id: ada.id });
      expect(secretRows).toHaveLength(1);

      console.log('capture check');
      expect(output.text()).toContain('capture check');
      const everywhere: Record<string, string> = {
        events: JSON.stringify(eventRows),
        execution: JSON.stringify(executionRow),
        history,
        exports: JSON.stringify(exported),
        graphql: responses.join('\n'),
        console: output.text(),
        'stored ciphertext': JSON.stringify(secretRows),
      };
      const forms = [TOKEN, Buffer.from(TOKEN).toString('base64').replace(/=+$/, ''), Buffer.from(TOKEN).toString('hex')];
      for (const [where, text] of Object.entries(everywhere)) {
        for (const form of forms) expect(text.includes(form), `${where} holds the secret`).toBe(false);
      }
      expect(secretRows[0]).toMatchObject({ name: 'API_TOKEN', key_id: 'one' });
      expect(String(secretRows[0].value)).toMatch(/^v1\./);
    } finally {
      output.restore();
    }
  });

  it('lists names and dates only; a value cannot even be asked for', async () => {
    await gql(SET, { name: 'B_SECOND', value: 'two' }, ada.token);
    await gql(SET, { name: 'A_FIRST', value: 'one' }, ada.token);
    const page = await gql<{
      secrets: { totalCount: number; edges: Array<{ node: { name: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } };
    }>(LIST, { first: 2 }, ada.token);
    expect(page.data!.secrets.totalCount).toBe(3);
    // By code point, on SQLite and PostgreSQL alike ("P" < "_").
    expect(page.data!.secrets.edges.map((e) => e.node.name)).toEqual(['API_TOKEN', 'A_FIRST']);
    const rest = await gql<{ secrets: { edges: Array<{ node: { name: string } }>; pageInfo: { hasNextPage: boolean } } }>(
      LIST,
      { first: 2, after: page.data!.secrets.pageInfo.endCursor },
      ada.token,
    );
    expect(rest.data!.secrets.edges.map((e) => e.node.name)).toEqual(['B_SECOND']);
    expect(rest.data!.secrets.pageInfo.hasNextPage).toBe(false);
    const asked = await api.gql('{ secrets { edges { node { name value } } } }', {}, ada.token);
    expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']).toContain(asked.errors![0]!.extensions!.code);

    // Someone else sees none of them and cannot use them.
    const bob = await api.user('Bob');
    const theirs = await gql<{ secrets: { totalCount: number } }>(LIST, {}, bob.token);
    expect(theirs.data!.secrets.totalCount).toBe(0);
    const bobsRun = await runToEnd(await deployed(sender(hookUrl), bob.token), bob.token);
    expect(bobsRun.status).toBe('FAILED');
    expect(bobsRun.error!.message).toContain('"API_TOKEN"');
    expect(bobsRun.error!.message).toContain('not set');
    expect(JSON.stringify(bobsRun)).not.toContain(TOKEN);
  });

  it('fails a run that uses a secret that is not set, naming it', async () => {
    const execution = await runToEnd(await deployed(sender(hookUrl, 'NOT_THERE'), ada.token), ada.token);
    expect(execution.status).toBe('FAILED');
    expect(execution.error!.message).toMatch(/node "call" \(http.request\) failed: secret "NOT_THERE" is not set/);
  });

  it('refuses bad names and values with BAD_USER_INPUT naming the field, never echoing the value', async () => {
    const badName = await gql(SET, { name: 'my-key', value: 'x' }, ada.token);
    expect(badName.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const big = `big-${'v'.repeat(16 * 1024)}`;
    const tooBig = await api.gql(SET, { name: 'BIG', value: big }, ada.token);
    expect(tooBig.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'value' });
    expect(JSON.stringify(tooBig)).not.toContain('vvvvvvvv');
    const empty = await gql(SET, { name: 'EMPTY', value: '' }, ada.token);
    expect(empty.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'value' });
    const anonymous = await api.gql(SET, { name: 'X', value: 'y' });
    expect(anonymous.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('replaces a value, and deletes', async () => {
    const before = (
      await gql<{ secrets: { edges: Array<{ node: { name: string; createdAt: string; updatedAt: string } }> } }>(LIST, {}, ada.token)
    ).data!.secrets.edges.find((e) => e.node.name === 'B_SECOND')!.node;
    await new Promise((r) => setTimeout(r, 20));
    const replaced = await gql<{ setSecret: { createdAt: string; updatedAt: string } }>(SET, { name: 'B_SECOND', value: 'three' }, ada.token);
    expect(replaced.data!.setSecret.createdAt).toBe(before.createdAt);
    expect(new Date(replaced.data!.setSecret.updatedAt).getTime()).toBeGreaterThan(new Date(before.updatedAt).getTime());
    expect((await gql<{ deleteSecret: boolean }>(DELETE, { name: 'B_SECOND' }, ada.token)).data!.deleteSecret).toBe(true);
    expect((await gql<{ deleteSecret: boolean }>(DELETE, { name: 'B_SECOND' }, ada.token)).data!.deleteSecret).toBe(false);
  });

  it('rotation re-encrypts everything with the new key, and the secret still works with the old key gone', async () => {
    let knex = knexOf(api.server.db);
    const keyring = loadKeyring({
      key: `two:${keyTwo}`,
      keys: `one:${keyOne}`,
      dataDir: mkdtempSync(join(tmpdir(), 'tandem-nokey-')),
      generate: false,
      log: () => {},
    });
    const before = await knex('secrets').select('id', 'value', 'key_id');
    expect(before.every((row: { key_id: string }) => row.key_id === 'one')).toBe(true);
    const report = await new SecretService(api.server.db, keyring).rotate({ batchSize: 1 });
    expect(report).toMatchObject({ keyId: 'two', total: before.length, reencrypted: before.length, fromOtherKeys: before.length, failed: [] });
    const after = await knex('secrets').select('id', 'value', 'key_id');
    for (const row of after as Array<{ id: string; value: string; key_id: string }>) {
      expect(row.key_id).toBe('two');
      expect(row.value).not.toBe(before.find((b: { id: string }) => b.id === row.id).value);
    }
    // Only the new key from now on: the run still sends the right value.
    await api.restartServer({ config: { secretsKey: `two:${keyTwo}`, secretsKeys: undefined } });
    knex = knexOf(api.server.db);
    const execution = await runToEnd(await deployed(sender(hookUrl), ada.token), ada.token, { n: 1 });
    expect(execution.status).toBe('COMPLETED');
    expect(received.at(-1)!.authorization).toBe(`Bearer ${TOKEN}`);
    // A value sealed with a key this server does not have fails the step and says which key.
    await knex('secrets').where({ owner_id: ada.id, name: 'API_TOKEN' }).update({ key_id: 'one' });
    const stale = await runToEnd(await deployed(sender(hookUrl), ada.token), ada.token);
    expect(stale.status).toBe('FAILED');
    expect(stale.error!.message).toContain('"one"');
    expect(JSON.stringify(stale)).not.toContain(TOKEN);
  });
});
