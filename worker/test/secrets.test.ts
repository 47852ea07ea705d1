import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplicationFailure } from '@temporalio/client';
import type { JsonValue } from '@tandem/schema';
import type { SecretResolver, StepFailureDetails } from '@tandem/worker';
import { createHarness, decodedHistory, workflow, type Harness } from './harness.js';
import { json, startHttpServer, type TestHttpServer } from './http-server.js';

const OWNER = `owner-${randomUUID()}`;
const TOKEN = `tok-${randomUUID()}`;
const KEY = `key-${randomUUID()}`;
const VALUES: Record<string, string> = { API_TOKEN: TOKEN, QUERY_KEY: KEY };

/** What the test server saw, per request. */
const received: Array<{ path: string; url: string; authorization: string | undefined; body: string }> = [];
let resolverCalls = 0;
const resolver: SecretResolver = {
  async resolve(ownerId, names) {
    resolverCalls++;
    const values = new Map<string, string>();
    if (ownerId !== OWNER) return values;
    for (const name of names) if (VALUES[name] !== undefined) values.set(name, VALUES[name]);
    return values;
  },
};

let server: TestHttpServer;
let harness: Harness;

beforeAll(async () => {
  const record = (req: { url?: string; headers: Record<string, string | string[] | undefined> }, body: string) =>
    received.push({ path: (req.url ?? '').split('?')[0]!, url: req.url ?? '', authorization: req.headers.authorization as string | undefined, body });
  server = await startHttpServer({
    // Echoes what it got: the activity must hide the secrets in what it returns.
    '/echo': (req, res, body) => {
      record(req, body);
      json(res, 200, { url: req.url, authorization: req.headers.authorization ?? null, body, [`k-${TOKEN}`]: 1 });
    },
    '/refuse': (req, res, body) => {
      record(req, body);
      res
        .writeHead(401, { 'content-type': 'application/json', 'x-seen': String(req.headers.authorization) })
        .end(JSON.stringify({ error: `bad token ${String(req.headers.authorization)}` }));
    },
    '/elsewhere': (req, res, body, self) => {
      record(req, body);
      res.writeHead(302, { location: `http://localhost:${self.port}/echo` }).end();
    },
  });
  harness = await createHarness({ allow: ['127.0.0.1', 'localhost'], secrets: resolver });
});

afterAll(async () => {
  await harness?.close();
  await server?.close();
});

const call = (config: Record<string, unknown>, params: Record<string, JsonValue> = {}) =>
  workflow(
    [
      { id: 't', type: 'trigger.manual' },
      { id: 'call', type: 'http.request', config: { retry: { maxAttempts: 2, initialIntervalMs: 10 }, ...config } },
      { id: 'out', type: 'output', config: { expression: 'nodes.call' } },
    ],
    [
      ['t', 'call'],
      ['call', 'out'],
    ],
    params,
  );

const failureOf = (error: unknown) => (error as { cause: ApplicationFailure }).cause;

/** The run's Temporal history as text, with every payload decoded (payloads are base64 JSON). */
async function historyText(workflowId: string): Promise<string> {
  return decodedHistory(await harness.client.workflow.getHandle(workflowId).fetchHistory());
}

describe('secrets in http.request', () => {
  it('sends the values in the URL, headers and body, and hides them in everything the run keeps', async () => {
    const run = await harness.run(
      call({
        method: 'POST',
        url: `${server.url}/echo?key={{ secrets.QUERY_KEY }}`,
        headers: { authorization: 'Bearer {{ secrets.API_TOKEN }}' },
        bodyExpression: "{ 'token': secrets.API_TOKEN, 'n': input.n }",
      }),
      { n: 1 },
      { ownerId: OWNER },
    );
    expect(run.error).toBeUndefined();
    const seen = received.filter((r) => r.path === '/echo').at(-1)!;
    expect(seen.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen.url).toBe(`/echo?key=${KEY}`);
    expect(JSON.parse(seen.body)).toEqual({ token: TOKEN, n: 1 });

    // The response echoed them: the step's output (and the run's result) has *** instead.
    expect(run.result).toMatchObject({ status: 200, body: { url: '/echo?key=***', authorization: 'Bearer ***', 'k-***': 1 } });
    expect(JSON.parse((run.result as { body: { body: string } }).body.body)).toEqual({ token: '***', n: 1 });
    const everything = JSON.stringify(run.events) + JSON.stringify(run.result) + (await historyText(run.workflowId));
    for (const value of [TOKEN, KEY]) expect(everything).not.toContain(value);
    // The request as the workflow built it went through history with placeholders only.
    expect(await historyText(run.workflowId)).toContain('tandem-secret:');
  });

  it('reads a name held in params with $lookup (a template secret parameter)', async () => {
    const run = await harness.run(
      call({ url: `${server.url}/echo`, headers: { authorization: 'Bearer {{ $lookup(secrets, params.token) }}' } }, { token: 'API_TOKEN' }),
      {},
      { ownerId: OWNER },
    );
    expect(run.error).toBeUndefined();
    expect(received.filter((r) => r.path === '/echo').at(-1)!.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('fails the step at once, naming the secret, when the owner has not set it', async () => {
    const before = resolverCalls;
    const run = await harness.run(call({ url: `${server.url}/echo`, headers: { authorization: 'Bearer {{ secrets.NOT_SET }}' } }), {}, { ownerId: OWNER });
    const details = failureOf(run.error).details?.[0] as StepFailureDetails;
    expect(details.nodeId).toBe('call');
    expect(details.cause?.type).toBe('SecretNotFound');
    expect(details.message).toContain('"NOT_SET"');
    expect(resolverCalls - before).toBe(1); // not retried
    expect(run.events.some((e) => e.type === 'STEP_RETRYING')).toBe(false);
  });

  it('fails clearly when the run has no owner', async () => {
    const run = await harness.run(call({ url: `${server.url}/echo`, headers: { authorization: 'Bearer {{ secrets.API_TOKEN }}' } }));
    const details = failureOf(run.error).details?.[0] as StepFailureDetails;
    expect(details.cause?.type).toBe('SecretsUnavailable');
    expect(details.message).toContain('no owner');
  });

  it('hides the values in a failure: message, details and retries', async () => {
    const run = await harness.run(call({ url: `${server.url}/refuse`, headers: { authorization: 'Bearer {{ secrets.API_TOKEN }}' } }), {}, { ownerId: OWNER });
    expect(run.error).toBeDefined();
    expect(received.filter((r) => r.path === '/refuse').at(-1)!.authorization).toBe(`Bearer ${TOKEN}`);
    const everything = JSON.stringify(run.events) + (await historyText(run.workflowId)) + JSON.stringify(failureOf(run.error).details);
    expect(everything).not.toContain(TOKEN);
    expect(everything).toContain('bad token Bearer ***');
  });

  it('outside http.request a secret stays a placeholder', async () => {
    const run = await harness.run(
      workflow(
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'leak', type: 'transform', config: { expression: "{ 'token': secrets.API_TOKEN, 'upper': $uppercase(secrets.API_TOKEN) }" } },
          { id: 'out', type: 'output', config: { expression: 'nodes.leak' } },
        ],
        [
          ['t', 'leak'],
          ['leak', 'out'],
        ],
      ),
      {},
      { ownerId: OWNER },
    );
    const result = run.result as { token: string };
    expect(result.token.startsWith('\u0000tandem-secret:') && result.token.endsWith(':API_TOKEN\u0000')).toBe(true);
    expect(JSON.stringify(run.events)).not.toContain(TOKEN);
  });

  it('does not fill in a placeholder that arrives as data (another run’s nonce)', async () => {
    const forged = `\u0000tandem-secret:${randomUUID()}:API_TOKEN\u0000`;
    const run = await harness.run(
      call({ method: 'POST', url: `${server.url}/echo`, bodyExpression: "{ 'forged': input.forged }" }),
      { forged },
      { ownerId: OWNER, secretsNonce: 'this-run-nonce-123' },
    );
    expect(run.error).toBeUndefined();
    const seen = received.filter((r) => r.path === '/echo').at(-1)!;
    expect(JSON.parse(seen.body)).toEqual({ forged });
    expect(seen.body).not.toContain(TOKEN);
  });

  it('does not hand a secret header on to another origin when redirected', async () => {
    const run = await harness.run(
      call({ url: `${server.url}/elsewhere`, headers: { authorization: 'Bearer {{ secrets.API_TOKEN }}', 'x-plain': 'kept' } }),
      {},
      { ownerId: OWNER },
    );
    expect(run.error).toBeUndefined();
    expect(received.filter((r) => r.path === '/elsewhere').at(-1)!.authorization).toBe(`Bearer ${TOKEN}`);
    // localhost is another origin than 127.0.0.1: the redirected request came without it.
    expect(received.filter((r) => r.path === '/echo').at(-1)!.authorization).toBeUndefined();
    expect((run.result as { body: { authorization: unknown } }).body.authorization).toBeNull();
  });
});
