import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplicationFailure } from '@temporalio/client';
import type { StepFailureDetails } from '@tandem/worker';
import { createHarness, workflow, type Harness } from './harness.js';
import { json, startHttpServer, type TestHttpServer } from './http-server.js';

let server: TestHttpServer;
let allowed: Harness;
let strict: Harness;
let byName: Harness;

beforeAll(async () => {
  server = await startHttpServer({
    '/users/7': (_req, res) => json(res, 200, { id: 7, name: 'Ada' }),
    '/echo': (req, res, body) =>
      json(res, 200, { method: req.method, contentType: req.headers['content-type'], token: req.headers['x-token'], body: JSON.parse(body || 'null') }),
    '/flaky': (_req, res, _body, self) => ((self.hits.get('/flaky') ?? 0) <= 2 ? json(res, 503, { error: 'busy' }) : json(res, 200, { ok: true })),
    '/missing': (_req, res) => json(res, 404, { error: 'no such thing' }),
    '/always-down': (_req, res) => json(res, 500, { error: 'down' }),
    '/hang': () => {},
    '/big': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(200_000)),
    '/to-loopback': (_req, res, _body, self) => res.writeHead(302, { location: `http://127.0.0.1:${self.port}/users/7` }).end(),
    '/to-named': (_req, res, _body, self) => res.writeHead(302, { location: `http://localhost:${self.port}/users/7` }).end(),
  });
  // The test server is on loopback, which http.request refuses unless an operator allows it.
  allowed = await createHarness({ allow: ['127.0.0.1', 'localhost'] });
  strict = await createHarness({ allow: [] });
  byName = await createHarness({ allow: ['localhost'] });
});

afterAll(async () => {
  await Promise.all([allowed?.close(), strict?.close(), byName?.close()]);
  await server?.close();
});

const request = (config: Record<string, unknown>) =>
  workflow(
    [
      { id: 't', type: 'trigger.manual' },
      { id: 'call', type: 'http.request', config: { retry: { maxAttempts: 3, initialIntervalMs: 10 }, ...config } },
      { id: 'out', type: 'output', config: { expression: 'nodes.call' } },
    ],
    [
      ['t', 'call'],
      ['call', 'out'],
    ],
  );

const failureOf = (error: unknown) => (error as { cause: ApplicationFailure }).cause;

describe('http.request', () => {
  it('calls the URL rendered from a template and parses a JSON response', async () => {
    const run = await allowed.run(request({ url: `${server.url}/users/{{ input.id }}` }), { id: 7 });
    expect(run.result).toMatchObject({ status: 200, body: { id: 7, name: 'Ada' } });
  });

  it('sends headers from templates and a JSON body from bodyExpression', async () => {
    const run = await allowed.run(
      request({ method: 'POST', url: `${server.url}/echo`, headers: { 'x-token': 'tok-{{ input.n }}' }, bodyExpression: "{ 'n': input.n * 2 }" }),
      { n: 21 },
    );
    expect((run.result as { body: unknown }).body).toEqual({ method: 'POST', contentType: 'application/json', token: 'tok-21', body: { n: 42 } });
  });

  it('retries 5xx with backoff, emitting STEP_RETRYING for each retry, then succeeds', async () => {
    const run = await allowed.run(request({ url: `${server.url}/flaky` }));
    expect(run.result).toMatchObject({ status: 200, body: { ok: true } });
    const retries = run.events.filter((e) => e.type === 'STEP_RETRYING');
    expect(retries.map((e) => [e.nodeId, e.data.attempt, e.data.delayMs])).toEqual([
      ['call', 1, 10],
      ['call', 2, 20],
    ]);
    expect((retries[0]!.data.error as { message: string }).message).toContain('HTTP 503');
  });

  it('gives up after maxAttempts and fails the run naming the node and keeping the cause', async () => {
    const run = await allowed.run(request({ url: `${server.url}/always-down` }));
    const failure = failureOf(run.error);
    expect(failure.message).toMatch(/^node "call" \(http.request\) failed: HTTP 500 from GET .*\/always-down \(after 3 attempts\)$/);
    expect((failure.details?.[0] as StepFailureDetails).cause).toEqual({ type: 'HttpServerError', message: expect.stringContaining('HTTP 500') });
    expect(run.events.filter((e) => e.type === 'STEP_RETRYING')).toHaveLength(2);
  });

  it('does not retry a 4xx', async () => {
    const before = server.hits.get('/missing') ?? 0;
    const run = await allowed.run(request({ url: `${server.url}/missing` }));
    expect(failureOf(run.error).message).toContain('HTTP 404');
    expect((server.hits.get('/missing') ?? 0) - before).toBe(1);
  });

  it('returns the error response instead when failOnHttpError is off', async () => {
    const run = await allowed.run(request({ url: `${server.url}/missing`, failOnHttpError: false }));
    expect(run.result).toMatchObject({ status: 404, body: { error: 'no such thing' } });
  });

  it('bounds each attempt by timeoutMs', async () => {
    const run = await allowed.run(request({ url: `${server.url}/hang`, timeoutMs: 300, retry: { maxAttempts: 1 } }));
    expect(failureOf(run.error).message).toMatch(/node "call".*no (complete )?response within/);
  });

  it('refuses a response larger than the limit', async () => {
    const run = await allowed.run(request({ url: `${server.url}/big` }));
    expect(failureOf(run.error).message).toContain('larger than the limit');
  });

  it('refuses loopback targets unless an operator allows them', async () => {
    const run = await strict.run(request({ url: `${server.url}/users/7` }));
    const failure = failureOf(run.error);
    expect(failure.message).toContain('node "call"');
    expect(failure.message).toContain('private, loopback, link-local or reserved');
    expect((failure.details?.[0] as StepFailureDetails).cause?.type).toBe('HttpTargetBlocked');
  });

  it('checks the addresses a host name resolves to, not just the name', async () => {
    const run = await strict.run(request({ url: `http://localhost:${server.port}/users/7` }));
    expect(failureOf(run.error).message).toContain('loopback');
  });

  it('checks redirect targets too', async () => {
    const before = server.hits.get('/users/7') ?? 0;
    const run = await byName.run(request({ url: `http://localhost:${server.port}/to-loopback` }));
    expect(failureOf(run.error).message).toContain('refused http://127.0.0.1');
    expect(server.hits.get('/users/7') ?? 0).toBe(before);
    const allowedHop = await byName.run(request({ url: `http://localhost:${server.port}/to-named` }));
    expect(allowedHop.result).toMatchObject({ status: 200, body: { id: 7 } });
  });

  it('refuses non-http schemes and credentials in URLs without retrying', async () => {
    const run = await allowed.run(request({ url: 'file:///etc/passwd' }));
    expect(failureOf(run.error).message).toContain('only http and https');
    expect(run.events.filter((e) => e.type === 'STEP_RETRYING')).toHaveLength(0);
  });
});
