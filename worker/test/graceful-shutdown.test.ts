import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test-support/eventually.js';
import { createHarness, workflow, type Harness } from './harness.js';
import { json, startHttpServer, type TestHttpServer } from './http-server.js';

const SLOW_ANSWER_MS = 1_500;

// A call that takes a while: the worker is told to stop while it is in flight.
const slowCall = (url: string) =>
  workflow(
    [
      { id: 't', type: 'trigger.manual' },
      { id: 'call', type: 'http.request', config: { url, retry: { maxAttempts: 3, initialIntervalMs: 10 } } },
      { id: 'out', type: 'output', config: { expression: 'nodes.call.body' } },
    ],
    [
      ['t', 'call'],
      ['call', 'out'],
    ],
  );

describe('a worker stopping (SIGTERM in a rolling restart)', () => {
  let server: TestHttpServer;
  let harness: Harness;

  beforeAll(async () => {
    server = await startHttpServer({
      '/slow': (_req, res) => void setTimeout(() => json(res, 200, { answered: true }), SLOW_ANSWER_MS),
    });
    harness = await createHarness({ allow: ['127.0.0.1'], shutdownGraceMs: 10_000 });
  });

  afterAll(async () => {
    await harness?.close();
    await server?.close();
  });

  it('lets the activity in flight finish within the grace period: the call is made once and its answer is the result', async () => {
    const handle = await harness.start(slowCall(`${server.url}/slow`));
    await eventually(() => server.hits.get('/slow') === 1, { timeoutMs: 20_000, what: 'the call to reach the server' });
    // The old worker drains; a new one (the next pod) takes the run's remaining steps.
    await harness.stopWorker();
    await harness.startWorker();
    expect(await handle.result()).toEqual({ answered: true });
    expect(server.hits.get('/slow')).toBe(1);
  });
});
