// Hostile input against the GraphQL and HTTP edge (security audit, issue 16): each finding is
// reproduced with a real request against a real server, and each answer must be a 4xx with a
// code naming the problem, in bounded time, leaving the server answering and the data as it was.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildSchema, getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test-support/eventually.js';
import { checkDocument, checkVariables, DOCUMENT_LIMITS, jsonNestingExceeds } from '../src/graphql/guard.js';
import { collect, startApi, SUM_WORKFLOW, type Api, type DatabaseKind } from './api-harness.js';

interface Answer {
  status: number;
  ms: number;
  text: string;
  headers: Headers;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> & { code?: string; reason?: string } }> };
}

async function request(
  api: Api,
  init: { body?: unknown; token?: string | null; method?: string; query?: string; headers?: Record<string, string> },
): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${api.url}/graphql${init.query ?? ''}`, {
    method: init.method ?? 'POST',
    headers: {
      ...(init.method === 'GET' ? { 'apollo-require-preflight': 'true' } : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  });
  const text = await response.text();
  let body: Answer['body'] = {};
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    // asserted on by the caller
  }
  return { status: response.status, ms: performance.now() - started, text, headers: response.headers, body };
}

/** 4xx, every error BAD_USER_INPUT with this reason (or code), no internals in the text. */
function expectRefused(answer: Answer, reason: string, status = 400): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.body.errors?.length, answer.text).toBeGreaterThan(0);
  for (const error of answer.body.errors!) {
    expect(error.extensions?.code, answer.text).toBe('BAD_USER_INPUT');
    expect(error.extensions?.reason ?? error.extensions?.code, answer.text).toBe(reason);
  }
  expectNoInternals(answer.text);
}

function expectNoInternals(text: string): void {
  const lower = text.toLowerCase();
  for (const leak of ['/work/', ' at ', 'select ', '<html', 'internal', 'node_modules', 'stack']) expect(lower, text).not.toContain(leak);
}

/** Fragments that spread the next one twice, `levels` deep: 2^levels expansions. */
function doublingFragments(levels: number): string {
  let document = 'query Attack { ...F0 }\n';
  for (let i = 0; i < levels; i++) document += `fragment F${i} on Query { workflows { totalCount } ...F${i + 1} ...F${i + 1} }\n`;
  return `${document}fragment F${levels} on Query { me { id name } }`;
}

const cursor = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');
const deepJson = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

const WORKFLOW =
  'query($id: ID!) { workflow(id: $id) { id name description definition updatedAt latestVersion } workflows(first: 100) { totalCount edges { node { id name } } } }';
const CREATE = 'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }';

const HOOKED = {
  ...SUM_WORKFLOW,
  name: 'Hooked',
  nodes: [...SUM_WORKFLOW.nodes, { id: 'hook', type: 'trigger.webhook', position: { x: 0, y: 100 }, config: { path: 'in' } }],
  edges: [...SUM_WORKFLOW.edges, { id: 'eh', source: 'hook', target: 'add' }],
};

function hostileSuite(database: DatabaseKind, full: boolean): void {
  describe(`hostile GraphQL and HTTP input (${database})`, () => {
    let api: Api;
    let owner: { token: string; id: string };
    let other: { token: string; id: string };
    let workflowId: string;
    let hookedId: string;
    let secret: string;
    let before: unknown;

    const stored = async () => (await api.gql(WORKFLOW, { id: workflowId }, owner.token)).data;
    const healthy = async () => {
      const started = performance.now();
      const response = await fetch(`${api.url}/healthz`);
      expect(response.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(1_000);
    };

    beforeAll(async () => {
      // PostgreSQL runs as production would: introspection off, behind a proxy on loopback.
      api = await startApi({
        database,
        config: { maxBodyBytes: 200_000, ...(database === 'postgres' ? { introspection: false, trustProxy: 'loopback' } : {}) },
      });
      owner = await api.user('Owner');
      other = await api.user('Other');
      workflowId = (
        await api.gql<{ createWorkflow: { id: string } }>(
          CREATE,
          { input: { name: 'Kept', description: 'must not change', definition: SUM_WORKFLOW } },
          owner.token,
        )
      ).data!.createWorkflow.id;
      const hooked = await api.gql<{ createWorkflow: { id: string; webhookSecret: string } }>(
        'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id webhookSecret } }',
        { input: { name: 'Hooked', definition: HOOKED } },
        owner.token,
      );
      ({ id: hookedId, webhookSecret: secret } = hooked.data!.createWorkflow);
      await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: hookedId }, owner.token);
      before = await stored();
    });

    afterAll(async () => {
      if (api) {
        // Nothing any attack sent changed what is stored.
        expect(await stored()).toEqual(before);
        await api.close();
      }
    });

    it('refuses 2^30 fragment expansions from an anonymous 2 KB request in bounded time; /healthz and other runs go on', async () => {
      const attack = doublingFragments(30);
      expect(attack.length).toBeLessThan(2_500);
      // Another user's run, started before the attack, completes.
      const sum = await api.gql<{ createWorkflow: { id: string } }>(CREATE, { input: { name: 'Other', definition: SUM_WORKFLOW } }, other.token);
      const otherId = sum.data!.createWorkflow.id;
      await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: otherId }, other.token);
      const run = await api.gql<{ startExecution: { id: string } }>(
        'mutation($id: ID!) { startExecution(workflowId: $id, input: { a: 20, b: 22 }) { id } }',
        { id: otherId },
        other.token,
      );

      const [answer, health] = await Promise.all([
        request(api, { body: { query: attack } }),
        (async () => {
          await new Promise((r) => setTimeout(r, 5));
          const started = performance.now();
          await fetch(`${api.url}/healthz`);
          return performance.now() - started;
        })(),
      ]);
      expectRefused(answer, 'QUERY_TOO_LARGE');
      expect(answer.body.errors![0]!.message).toMatch(/fields with its fragments expanded; the limit is 2000/);
      expect(answer.ms).toBeLessThan(2_000);
      expect(health).toBeLessThan(2_000);
      await healthy();

      const runId = run.data!.startExecution.id;
      const done = await eventually(
        async () => {
          const read = await api.gql<{ execution: { status: string; result: unknown } }>(
            'query($id: ID!) { execution(id: $id) { status result } }',
            { id: runId },
            other.token,
          );
          expect(read.data!.execution.status).toBe('COMPLETED');
          return read.data!.execution;
        },
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      expect(done.result).toBe(42);
    });

    it('refuses the same attack over graphql-ws, in bounded time', async () => {
      const started = performance.now();
      const result = collect(api.ws(null), doublingFragments(30).replace('query Attack', 'subscription Attack'), {});
      await result.done;
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(JSON.stringify(result.errors)).toContain('QUERY_TOO_LARGE');
      const missing = collect(api.ws(owner.token), 'subscription($id: ID!) { executionEvents(executionId: $id) { id } }', {});
      await missing.done;
      expect(JSON.stringify(missing.errors)).toContain('BAD_VARIABLES');
      const nul = collect(api.ws(owner.token), 'subscription($id: ID!) { executionEvents(executionId: $id) { id } }', { id: 'x\u0000' });
      await nul.done;
      expect(JSON.stringify(nul.errors)).toContain('NUL_CHARACTER');
      await healthy();
    });

    it('refuses cycles, unknown fragments, too many fragments, spread fan-out, oversize and over-nested documents with 400', async () => {
      const cases: Array<[string, string, string]> = [
        ['fragment cycle', '{ ...A } fragment A on Query { me { id } ...B } fragment B on Query { ...A }', 'GRAPHQL_VALIDATION_FAILED'],
        ['self-spread', '{ ...A } fragment A on Query { ...A }', 'GRAPHQL_VALIDATION_FAILED'],
        ['unknown fragment', '{ me { ...Nope } }', 'GRAPHQL_VALIDATION_FAILED'],
        [
          'too many fragments',
          `{ ...F0 } ${Array.from({ length: DOCUMENT_LIMITS.maxFragments + 1 }, (_, i) => `fragment F${i} on Query { me { id } }`).join(' ')}`,
          'QUERY_TOO_LARGE',
        ],
        [
          'fan-out',
          `{ me { id } ${Array.from({ length: DOCUMENT_LIMITS.maxSpreadsPerDefinition + 1 }, () => '...F').join(' ')} } fragment F on Query { me { id } }`,
          'QUERY_TOO_LARGE',
        ],
        ['node-count overflow', `{ me { ${Array.from({ length: 2_500 }, (_, i) => `a${i}: id`).join(' ')} } }`, 'QUERY_TOO_LARGE'],
        ['tokens', `{ me { ${'id '.repeat(DOCUMENT_LIMITS.maxTokens)} } }`, 'QUERY_TOO_LARGE'],
        ['characters', `{ me { id } } # ${'x'.repeat(DOCUMENT_LIMITS.maxChars)}`, 'QUERY_TOO_LARGE'],
        ['bracket nesting (stack overflow in the parser before)', `{ me(x: ${deepJson(3_000)}) { id } }`, 'QUERY_TOO_LARGE'],
        ['inline fragment nesting', `{ ${'... on Query { '.repeat(2_000)}me { id }${' }'.repeat(2_000)} }`, 'QUERY_TOO_LARGE'],
        [
          'depth limit',
          `{ workflows { edges { node { versions { edges { node { workflow { versions { edges { node { workflow { versions { edges { node { id } } } } } } } } } } } } } } }`,
          'GRAPHQL_VALIDATION_FAILED',
        ],
        ['syntax', '{ me { id ', 'GRAPHQL_PARSE_FAILED'],
        ['lexer', '{ me { id } } "unterminated', 'GRAPHQL_PARSE_FAILED'],
      ];
      for (const [name, query, reason] of cases) {
        const answer = await request(api, { body: { query }, token: owner.token });
        expect(`${name}: ${answer.body.errors?.[0]?.extensions?.reason}`).toBe(`${name}: ${reason}`);
        expectRefused(answer, reason);
        expect(answer.ms, name).toBeLessThan(2_000);
      }
      await healthy();
    });

    it('refuses missing, null and mistyped variables with 400 BAD_USER_INPUT, and deletes nothing', async () => {
      const deleting = 'mutation($id: ID!) { deleteWorkflow(id: $id) }';
      expectRefused(await request(api, { body: { query: deleting }, token: owner.token }), 'BAD_VARIABLES');
      expectRefused(await request(api, { body: { query: deleting, variables: { id: null } }, token: owner.token }), 'BAD_VARIABLES');
      expectRefused(await request(api, { body: { query: deleting, variables: { id: { $ne: 1 } } }, token: owner.token }), 'BAD_VARIABLES');
      expectRefused(
        await request(api, { body: { query: 'query($f: Int) { workflows(first: $f) { totalCount } }', variables: { f: 'abc' } }, token: owner.token }),
        'BAD_VARIABLES',
      );
      expectRefused(
        await request(api, { body: { query: 'query($f: Int) { workflows(first: $f) { totalCount } }', variables: { f: 1e20 } }, token: owner.token }),
        'BAD_VARIABLES',
      );
      expectRefused(
        await request(api, { body: { query: CREATE, variables: { input: { name: 'x', definition: SUM_WORKFLOW, nope: 1 } } }, token: owner.token }),
        'BAD_VARIABLES',
      );
      expect(await stored()).toEqual(before);
    });

    it('refuses a JSON variable nested 50,000 deep', async () => {
      const body = `{"query":"mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }","variables":{"input":{"name":"deep","definition":${deepJson(50_000)}}}}`;
      const answer = await request(api, { body, token: owner.token });
      expectRefused(answer, 'VARIABLE_TOO_DEEP');
      expect(answer.body.errors![0]!.message).toBe('variable $input is nested more than 64 levels deep');
      await healthy();
    });

    it('refuses a subscription sent over HTTP', async () => {
      const answer = await request(api, { body: { query: 'subscription { executionUpdated(workflowId: "x") { id } }' }, token: owner.token });
      expectRefused(answer, 'SUBSCRIPTION_OVER_HTTP');
    });

    it('refuses persisted-query hash mismatches and bad versions; an unknown hash is PERSISTED_QUERY_NOT_FOUND', async () => {
      const query = '{ me { id } }';
      expectRefused(
        await request(api, { body: { query, extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } } }),
        'PERSISTED_QUERY_HASH_MISMATCH',
      );
      expectRefused(
        await request(api, { body: { query, extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } } }),
        'PERSISTED_QUERY_HASH_MISMATCH',
      );
      expectRefused(
        await request(api, { body: { query, extensions: { persistedQuery: { version: 2, sha256Hash: 'f'.repeat(64) } } } }),
        'PERSISTED_QUERY_VERSION_UNSUPPORTED',
      );
      const unknown = await request(api, { body: { extensions: { persistedQuery: { version: 1, sha256Hash: 'e'.repeat(64) } } } });
      expect(unknown.body.errors![0]!.extensions!.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      // The protocol still works: register with the text, then run by hash alone (GET).
      const hash = createHash('sha256').update(query).digest('hex');
      const extensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } });
      expect((await request(api, { body: { query, extensions: JSON.parse(extensions) as unknown }, token: owner.token })).body).toEqual({
        data: { me: { id: owner.id } },
      });
      const byHash = await request(api, { method: 'GET', query: `?extensions=${encodeURIComponent(extensions)}`, token: owner.token });
      expect(byHash.body).toEqual({ data: { me: { id: owner.id } } });
    });

    it('refuses forged pagination cursors with BAD_USER_INPUT before they reach SQL', async () => {
      const forged = [
        cursor(['x', 'y']),
        cursor([1e300, 'y']),
        cursor([8.64e15 + 1, 'y']),
        cursor([1.5, 'y']),
        cursor([Date.now(), 'a'.repeat(101)]),
        cursor([Date.now(), 'a\u0000']),
        cursor([Date.now(), 7]),
        cursor([{ $gt: 0 }, 'y']),
        cursor(['1']),
        cursor([]),
        'not base64!',
        "' or 1=1 --",
      ];
      for (const after of forged) {
        for (const query of [
          'query($after: String) { workflows(after: $after) { totalCount } }',
          'query($after: String) { executions(after: $after) { totalCount } }',
          'query($after: String) { templates(after: $after) { totalCount } }',
          `query($after: String) { workflow(id: "${workflowId}") { versions(after: $after) { totalCount } } }`,
        ]) {
          const answer = await request(api, { body: { query, variables: { after } }, token: owner.token });
          expect(answer.status, `${query} ${after}`).toBe(200); // a resolver's BAD_USER_INPUT, like every argument error
          expect(answer.body.errors?.[0]?.extensions?.code, `${query} ${after}: ${answer.text}`).toBe('BAD_USER_INPUT');
          expectNoInternals(answer.text);
        }
      }
      const events = await request(api, {
        body: { query: `{ executions(first: 1) { edges { node { events(after: "9999999999999999999") { totalCount } } } } }` },
        token: other.token,
      });
      expect(events.body.errors?.[0]?.extensions?.code, events.text).toBe('BAD_USER_INPUT');
    });

    it('refuses NUL characters in string arguments, naming the argument', async () => {
      const cases: Array<[unknown, string]> = [
        [{ query: 'query($id: ID!) { workflow(id: $id) { id } }', variables: { id: `${workflowId}\u0000` } }, 'variable $id contains a NUL character'],
        [{ query: `{ workflow(id: "${workflowId}\\u0000") { id } }` }, 'argument "id" of field "workflow" contains a NUL character'],
        [
          { query: 'mutation($d: JSON!) { createWorkflow(input: { name: "a\\u0000b", definition: $d }) { id } }', variables: { d: SUM_WORKFLOW } },
          'argument "input.name" of field "createWorkflow"',
        ],
        [
          { query: CREATE, variables: { input: { name: 'ok', definition: { ...SUM_WORKFLOW, description: 'x\u0000' } } } },
          'variable $input.definition.description',
        ],
        [
          { query: CREATE, variables: { input: { name: 'ok', definition: { ...SUM_WORKFLOW, params: { 'k\u0000': 1 } } } } },
          'variable $input.definition.params has a key with a NUL character',
        ],
        [
          { query: 'mutation($id: ID!) { renameWorkflow(id: $id, name: "x\\u0000") { id } }', variables: { id: workflowId } },
          'argument "name" of field "renameWorkflow"',
        ],
        [
          { query: 'mutation($id: ID!, $n: String!) { renameWorkflow(id: $id, name: $n) { id } }', variables: { id: workflowId, n: 'x\u0000' } },
          'variable $n contains',
        ],
      ];
      for (const [body, message] of cases) {
        const answer = await request(api, { body, token: owner.token });
        expectRefused(answer, 'NUL_CHARACTER');
        expect(answer.body.errors![0]!.message).toContain(message);
        expect(answer.body.errors![0]!.extensions!.argument).toBeTruthy();
      }
      expect(await stored()).toEqual(before);
    });

    it('answers malformed requests with 4xx, never INTERNAL', async () => {
      const bodies: unknown[] = [
        '{"query":',
        '[]',
        '[{"query":"{ me { id } }"}]',
        '"just a string"',
        { query: 42 },
        { query: '' },
        { query: '{ me { id } }', variables: 'x' },
        { query: '{ me { id } }', variables: [1] },
        { query: '{ me { id } }', operationName: 7 },
        { query: 'query A { me { id } } query B { me { id } }' },
        { query: 'query A { me { id } }', operationName: 'Nope' },
        { query: '{ me { id } }', extensions: { persistedQuery: 'x' } },
        { query: '{ me { id } }', extensions: 'x' },
      ];
      for (const body of bodies) {
        const answer = await request(api, { body, token: owner.token });
        expect(answer.status, `${JSON.stringify(body)} → ${answer.text}`).toBeGreaterThanOrEqual(400);
        expect(answer.status, `${JSON.stringify(body)} → ${answer.text}`).toBeLessThan(500);
        expect(answer.text, JSON.stringify(body)).not.toContain('INTERNAL');
        expectNoInternals(answer.text);
      }
      const mutationOverGet = await request(api, { method: 'GET', query: `?query=${encodeURIComponent('mutation { signOut }')}` });
      expect(mutationOverGet.status).toBe(405);
      const tooBig = await request(api, { body: { query: '{ me { id } }', variables: { x: 'y'.repeat(300_000) } } });
      expect(tooBig.status).toBe(413);
      expect(tooBig.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'PAYLOAD_TOO_LARGE' });
      await healthy();
    });

    if (full) {
      it('keeps field suggestions while introspection is on', async () => {
        const answer = await request(api, { body: { query: '{ workflowz { id } }' } });
        expect(answer.body.errors![0]!.message).toContain('Did you mean');
      });
    } else {
      it('strips field suggestions ("Did you mean …") when introspection is off, over HTTP and graphql-ws', async () => {
        for (const query of ['{ workflowz { id } }', '{ workflows(frist: 1) { totalCount } }', '{ me { nmae } }']) {
          const answer = await request(api, { body: { query } });
          expectRefused(answer, 'GRAPHQL_VALIDATION_FAILED');
          expect(answer.text).not.toMatch(/did you mean/i);
        }
        const variable = await request(api, { body: { query: CREATE, variables: { input: { nmae: 'x', definition: SUM_WORKFLOW } } }, token: owner.token });
        expect(variable.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
        expect(variable.text).not.toMatch(/did you mean/i);
        const introspection = await request(api, { body: { query: '{ __schema { types { name } } }' } });
        expectRefused(introspection, 'GRAPHQL_VALIDATION_FAILED');
        expect(introspection.body.errors![0]!.extensions!.validationErrorCode).toBe('INTROSPECTION_DISABLED');
        const ws = collect(api.ws(owner.token), 'subscription { executionUpdatd(workflowId: "x") { id } }', {});
        await ws.done;
        expect(JSON.stringify(ws.errors)).toContain('GRAPHQL_VALIDATION_FAILED');
        expect(JSON.stringify(ws.errors)).not.toMatch(/did you mean/i);
      });
    }

    it('sends security headers on /graphql, /healthz, webhooks and unknown paths', async () => {
      const responses = {
        graphql: await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }),
        healthz: await fetch(`${api.url}/healthz`),
        readyz: await fetch(`${api.url}/readyz`),
        hooks: await fetch(`${api.url}/hooks/${hookedId}/in`, { method: 'POST', body: '{}' }),
        unknown: await fetch(`${api.url}/no/such/path`),
      };
      for (const [name, response] of Object.entries(responses)) {
        const csp = response.headers.get('content-security-policy') ?? '';
        expect(csp, name).toContain("frame-ancestors 'none'");
        if (name !== 'graphql' || !full) {
          expect(csp, name).toContain("script-src 'self'");
          expect(csp, name).not.toMatch(/script-src[^;]*unsafe-inline/);
          expect(csp, name).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+/);
        }
        expect(response.headers.get('x-content-type-options'), name).toBe('nosniff');
        expect(response.headers.get('x-frame-options'), name).toBe('DENY');
        expect(response.headers.get('referrer-policy'), name).toBe('no-referrer');
        expect(response.headers.get('cross-origin-opener-policy'), name).toBe('same-origin');
        expect(response.headers.get('strict-transport-security'), name).toBeNull(); // plain HTTP
      }
      // Apollo's landing page (introspection on) brings its own nonce-based policy in a <meta> tag.
      const landing = await fetch(`${api.url}/graphql`, { headers: { accept: 'text/html' } });
      if (full) {
        expect(landing.status).toBe(200);
        expect(await landing.text()).toMatch(/<meta http-equiv="Content-Security-Policy" content="script-src 'self' 'nonce-/);
        expect(landing.headers.get('content-security-policy')).toBe("frame-ancestors 'none'; object-src 'none'; base-uri 'self'");
      } else {
        expect(await landing.text()).not.toContain('<html');
        expect(landing.headers.get('content-security-policy')).toContain("script-src 'self'");
      }
      expect(landing.headers.get('x-frame-options')).toBe('DENY');
      expect(responses.unknown.status).toBe(404);
      expect(await responses.unknown.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route for GET /no/such/path' } });
      // HSTS only when the request came over TLS: here, a proxy on loopback says so (trust proxy), or not.
      const forwarded = await fetch(`${api.url}/healthz`, { headers: { 'x-forwarded-proto': 'https' } });
      if (database === 'postgres') expect(forwarded.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      else expect(forwarded.headers.get('strict-transport-security')).toBeNull(); // no proxy is trusted to say so
    });

    it('answers bad webhook requests with JSON errors: no stack, SQL, paths or HTML, never 500', async () => {
      const hook = (path: string, body: string, headers: Record<string, string> = {}) =>
        fetch(`${api.url}/hooks/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const auth = { 'x-tandem-webhook-secret': secret };
      const cases: Array<[string, Promise<Response>, number, string]> = [
        ['NUL in the workflow id', hook(`${hookedId}%00/in`, '{}', auth), 400, 'BAD_USER_INPUT'],
        ['NUL alone as the id', hook('%00/in', '{}'), 400, 'BAD_USER_INPUT'],
        ['NUL in the path', hook(`${hookedId}/in%00`, '{}', auth), 400, 'BAD_USER_INPUT'],
        ['bad percent-escape in the id', hook('%E0%A4%A/in', '{}'), 400, 'BAD_USER_INPUT'],
        ['bad percent-escape in the path', hook(`${hookedId}/%E0%A4%A`, '{}', auth), 400, 'BAD_USER_INPUT'],
        ['JSON nested 50,000 deep', hook(`${hookedId}/in`, deepJson(50_000), auth), 400, 'BAD_USER_INPUT'],
        ['body over the limit', hook(`${hookedId}/in`, JSON.stringify({ x: 'y'.repeat(250_000) }), auth), 413, 'PAYLOAD_TOO_LARGE'],
        ['unknown workflow', hook('nope/in', '{}', auth), 404, 'NOT_FOUND'],
        ['id longer than any', hook(`${'x'.repeat(5_000)}/in`, '{}', auth), 404, 'NOT_FOUND'],
        ['wrong secret', hook(`${hookedId}/in`, '{}', { 'x-tandem-webhook-secret': 'whsec_wrong' }), 401, 'UNAUTHENTICATED'],
        ['GET', fetch(`${api.url}/hooks/${hookedId}/in`), 404, 'NOT_FOUND'],
      ];
      for (const [name, pending, status, code] of cases) {
        const response = await pending;
        const text = await response.text();
        expect(`${name}: ${response.status}`, text).toBe(`${name}: ${status}`);
        expect(response.headers.get('content-type'), name).toMatch(/^application\/json/);
        const body = JSON.parse(text) as { error: { code: string; message: string } };
        expect(body.error.code, name).toBe(code);
        expect(typeof body.error.message, name).toBe('string');
        for (const leak of ['/work/', 'at ', 'select', '<html', 'node_modules', 'stack']) expect(text.toLowerCase(), `${name}: ${text}`).not.toContain(leak);
        expect(response.headers.get('x-content-type-options'), name).toBe('nosniff');
        expect(response.headers.get('content-security-policy'), name).toContain("frame-ancestors 'none'");
      }
      // A delivery whose JSON holds a NUL character is data, not a crash.
      const nul = await hook(`${hookedId}/in`, '{"a": 1, "b": 2, "note": "x\\u0000y"}', auth);
      expect(nul.status, await nul.clone().text()).toBe(202);
      await healthy();
    });
  });
}

describe('the document guard on its own (linear time, exact limits)', () => {
  const schema = buildSchema(readFileSync(new URL('../../schema/graphql/schema.graphql', import.meta.url), 'utf8'));
  const check = (query: string, introspection = true) => checkDocument(schema, query, { introspection });

  it('measures 100 fragments that double at every level (2^100 expansions) in milliseconds', () => {
    const started = performance.now();
    const result = check(doublingFragments(DOCUMENT_LIMITS.maxFragments - 1));
    expect(performance.now() - started).toBeLessThan(200);
    expect(result.errors?.[0]?.message).toMatch(/more than a trillion fields with its fragments expanded/);
  });

  it('accepts exactly the field limit and refuses one more, counting fragments as expanded', () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: id`).join(' ');
    // The operation spreads F twice: its fields count twice, plus once for the fragment itself.
    const third = Math.floor((DOCUMENT_LIMITS.maxExpandedFields - 10) / 3);
    const rest = DOCUMENT_LIMITS.maxExpandedFields - 3 * third;
    const doc = (extra: number) => `query One { me { ...F ...F } } fragment F on User { ${fields(third)} } query Other { me { ${fields(rest - 2 + extra)} } }`;
    expect(check(doc(0)).errors).toBeUndefined();
    expect(check(doc(1)).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'QUERY_TOO_LARGE',
      limit: DOCUMENT_LIMITS.maxExpandedFields,
    });
  });

  it('passes the full introspection query when introspection is on, and names it when off', () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    expect(check(query).errors).toBeUndefined();
    expect(check(query, false).errors?.[0]?.extensions).toMatchObject({ reason: 'GRAPHQL_VALIDATION_FAILED', validationErrorCode: 'INTROSPECTION_DISABLED' });
  });

  it('stops at the time budget', () => {
    const result = checkDocument(schema, '{ me { id name email } }', { introspection: true, limits: { budgetMs: 0 } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_CHECK_TIMEOUT' });
  });

  it('walks variables and JSON text without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(checkVariables({ v: deep })?.extensions).toMatchObject({ reason: 'VARIABLE_TOO_DEEP' });
    expect(checkVariables({ v: { a: [{ b: 'x\u0000' }] } })?.message).toBe('variable $v.a[0].b contains a NUL character (\\u0000), which is not allowed');
    expect(checkVariables({ v: { a: [1, 'ok', null, { b: true }] } })).toBeNull();
    expect(jsonNestingExceeds(deepJson(65), 64)).toBe(true);
    expect(jsonNestingExceeds(deepJson(64), 64)).toBe(false);
    expect(jsonNestingExceeds(JSON.stringify({ s: '[[[[{{{{\\"'.repeat(100) }), 2)).toBe(false);
  });
});

hostileSuite('sqlite', true);
hostileSuite('postgres', false);
