import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, logLevel } from '@tandem/worker';
import { eventually } from '../../test-support/eventually.js';
import { startApi, type Api } from './api-harness.js';

// A full flow through a real Tandem (sign-up, a secret, a webhook-triggered run whose
// http.request sends the secret, GraphQL with a bearer token) with the server's and the
// worker's structured logs captured as raw text: every line is JSON, requests carry their
// ids, run transitions their execution and workflow ids, and no credential is anywhere.

interface LogLine {
  level: string;
  time: string;
  msg: string;
  [field: string]: unknown;
}

const SIGN_UP =
  'mutation($email: String!, $password: String!, $name: String!) { signUp(email: $email, password: $password, name: $name) { token user { id } } }';
const SIGN_IN = 'mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }';
const SET_SECRET = 'mutation($name: String!, $value: String!) { setSecret(name: $name, value: $value) { name } }';
const CREATE = 'mutation($d: JSON!) { createWorkflow(input: { name: "Logged", definition: $d }) { id webhookSecret } }';
const DEPLOY = 'mutation($id: ID!) { deployWorkflow(id: $id) { number } }';
const EXECUTIONS = 'query Runs($id: ID!) { workflow(id: $id) { executions(first: 10) { edges { node { id status } } } } }';

function workflow(url: string) {
  const node = (id: string, type: string, config: Record<string, unknown>, x: number) => ({ id, type, position: { x, y: 0 }, config });
  return {
    format: 'tandem.workflow/v1',
    name: 'Logged',
    description: '',
    nodes: [
      node('hook', 'trigger.webhook', { path: 'orders/new', respond: true, responseTimeoutMs: 30_000 }, 0),
      node(
        'call',
        'http.request',
        {
          method: 'POST',
          url: `${url}/receive`,
          headers: { authorization: 'Bearer {{ secrets.API_TOKEN }}' },
          bodyExpression: "{ 'token': secrets.API_TOKEN, 'total': input.body.total }",
          retry: { maxAttempts: 1 },
        },
        200,
      ),
      node('out', 'output', { expression: "{ 'status': nodes.call.status }" }, 400),
    ],
    edges: [
      { id: 'e1', source: 'hook', target: 'call' },
      { id: 'e2', source: 'call', target: 'out' },
    ],
  };
}

describe('structured logs of a full run', () => {
  let api: Api;
  let receiver: Server;
  const raw: string[] = [];
  const received: string[] = [];
  const password = `log test password ${randomUUID()}`;
  const secretValue = `sv-${randomBytes(16).toString('hex')}`;
  let sessionToken: string;
  let signInToken: string;
  let webhookSecret: string;
  let workflowId: string;

  const text = () => raw.join('');
  const lines = (): LogLine[] =>
    text()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LogLine);

  const graphql = async (query: string, variables: Record<string, unknown>, token: string | null, headers: Record<string, string> = {}) => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { requestId: response.headers.get('x-request-id'), body: (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] } };
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(`${req.headers.authorization} ${body}`);
        res.setHeader('content-type', 'application/json');
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    // Debug and up: the lines a developer would see must be as clean as production's.
    const logger = createLogger({ name: 'test', level: 'debug', destination: { write: (line: string) => void raw.push(line) } });
    api = await startApi({ database: 'sqlite', httpAllow: ['127.0.0.1'], logger });

    const email = `logs-${randomUUID()}@example.com`;
    const signedUp = await graphql(SIGN_UP, { email, password, name: 'Logan' }, null);
    sessionToken = (signedUp.body.data!.signUp as { token: string }).token;
    signInToken = ((await graphql(SIGN_IN, { email, password }, null)).body.data!.signIn as { token: string }).token;
    expect((await graphql(SET_SECRET, { name: 'API_TOKEN', value: secretValue }, sessionToken)).body.errors).toBeUndefined();
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const created = (await graphql(CREATE, { d: workflow(url) }, sessionToken)).body.data!.createWorkflow as { id: string; webhookSecret: string };
    ({ id: workflowId, webhookSecret } = created);
    expect((await graphql(DEPLOY, { id: workflowId }, signInToken)).body.errors).toBeUndefined();
  });

  afterAll(async () => {
    await api?.close();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  });

  it('runs a webhook-triggered run that sends the secret, logging each request and transition without a credential', async () => {
    const delivery = await fetch(`${api.url}/hooks/${workflowId}/orders/new`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tandem-webhook-secret': webhookSecret, 'x-request-id': 'delivery-1' },
      body: JSON.stringify({ total: 3 }),
    });
    expect(delivery.status).toBe(200);
    expect(delivery.headers.get('x-request-id')).toBe('delivery-1');
    expect(await delivery.json()).toMatchObject({ status: 'COMPLETED', result: { status: 200 } });
    // The run really used the secret (so its value was in the worker's hands).
    expect(received).toEqual([`Bearer ${secretValue} ${JSON.stringify({ token: secretValue, total: 3 })}`]);

    // A client's request id is kept; a missing or malformed one is replaced by a fresh one.
    const given = await graphql(EXECUTIONS, { id: workflowId }, sessionToken, { 'x-request-id': 'client-req-42' });
    expect(given.requestId).toBe('client-req-42');
    const runs = (given.body.data!.workflow as { executions: { edges: Array<{ node: { id: string; status: string } }> } }).executions.edges;
    expect(runs).toHaveLength(1);
    const executionId = runs[0]!.node.id;
    const fresh = await graphql(EXECUTIONS, { id: workflowId }, signInToken, { 'x-request-id': 'not ok <script>' });
    expect(fresh.requestId).toMatch(/^[0-9a-f-]{36}$/);

    await api.server.services.eventIngest.drained();
    await eventually(() => expect(lines().some((l) => l.msg === 'run completed' && l.executionId === executionId)).toBe(true), {
      timeoutMs: 10_000,
      what: 'the completed transition line',
    });

    // Every line is one JSON object with a level name, an ISO time and a message.
    const all = lines();
    for (const line of all) {
      expect(typeof line.level).toBe('string');
      expect(new Date(line.time).toISOString()).toBe(line.time);
      expect(typeof line.msg).toBe('string');
    }

    // One line per request, with its id; GraphQL lines name the operation.
    const requests = all.filter((l) => typeof l.method === 'string' && typeof l.status === 'number');
    for (const line of requests) expect(line.requestId).toMatch(/^[\w.-]{1,100}$/);
    expect(requests).toContainEqual(
      expect.objectContaining({ requestId: 'delivery-1', method: 'POST', path: `/hooks/${workflowId}/orders/new`, status: 200, level: 'info' }),
    );
    expect(requests).toContainEqual(
      expect.objectContaining({ requestId: 'client-req-42', path: '/graphql', status: 200, operation: 'workflow', operationName: 'Runs' }),
    );
    expect(requests).toContainEqual(expect.objectContaining({ requestId: fresh.requestId, path: '/graphql' }));
    expect(requests.filter((l) => l.operation === 'signUp' || l.operation === 'signIn' || l.operation === 'setSecret')).toHaveLength(3);
    expect(requests.every((l) => typeof l.durationMs === 'number')).toBe(true);

    // Run transitions: the server's (stored) lines carry execution and workflow ids; the worker's the execution id.
    const transitions = all.filter((l) => l.executionId === executionId && l.status !== undefined);
    expect(transitions.filter((l) => l.component !== 'worker').map((l) => [l.msg, l.workflowId])).toEqual([
      ['run started', workflowId],
      ['run completed', workflowId],
    ]);
    expect(transitions.filter((l) => l.component === 'worker').map((l) => [l.msg, l.status])).toEqual([
      ['run transition', 'RUNNING'],
      ['run transition', 'COMPLETED'],
    ]);

    // No credential anywhere in the raw text, in any form a line could hold it.
    const everything = text();
    for (const credential of [password, sessionToken, signInToken, webhookSecret, secretValue]) {
      expect(everything).not.toContain(credential);
      expect(everything).not.toContain(JSON.stringify(credential).slice(1, -1));
    }
    expect(everything).not.toMatch(/tdm_s_|whsec_/);
  });
});

describe('the logger', () => {
  it('redacts credentials a call site might pass, at any of the usual places', () => {
    const raw: string[] = [];
    const logger = createLogger({ name: 'test', level: 'info', destination: { write: (line: string) => void raw.push(line) } });
    logger.info(
      {
        password: 'p1',
        token: 't1',
        headers: { authorization: 'Bearer t2', cookie: 'c1', 'x-tandem-webhook-secret': 'w1', accept: 'json' },
        secret: { name: 'API_TOKEN', value: 'v1' },
        variables: { password: 'p2' },
      },
      'careless',
    );
    const line = JSON.parse(raw.join('')) as Record<string, unknown>;
    expect(raw.join('')).not.toMatch(/p1|t1|t2|c1|w1|v1|p2/);
    expect(line).toMatchObject({ level: 'info', msg: 'careless', headers: { accept: 'json', authorization: '[redacted]' } });
  });

  it('takes its level from TANDEM_LOG_LEVEL, else from NODE_ENV', () => {
    expect(logLevel({ TANDEM_LOG_LEVEL: 'WARN' })).toBe('warn');
    expect(logLevel({ TANDEM_LOG_LEVEL: 'off' })).toBe('silent');
    expect(() => logLevel({ TANDEM_LOG_LEVEL: 'loud' })).toThrow(/TANDEM_LOG_LEVEL must be one of/);
    expect(logLevel({ NODE_ENV: 'production' })).toBe('info');
    expect(logLevel({ NODE_ENV: 'test' })).toBe('silent');
    expect(logLevel({ NODE_ENV: 'development' })).toBe('debug');
  });
});
