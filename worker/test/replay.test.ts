import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type InjectedSinks } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { EmittedEvent, JsonValue } from '@tandem/schema';
import type { TandemSinks } from '@tandem/worker';
import { createHarness, workflow, type Harness } from './harness.js';
import { json, startHttpServer, type TestHttpServer } from './http-server.js';

/**
 * Histories recorded from real runs are replayed against the current interpreter code, so a
 * change that would break runs in flight (non-determinism) fails here. `npm run histories:record`
 * re-records the committed fixtures after an intended, versioned change.
 */
const FIXTURES = fileURLToPath(new URL('./histories/', import.meta.url));
const RECORD = process.env.RECORD_HISTORIES === '1';

let h: Harness;
let server: TestHttpServer;
beforeAll(async () => {
  server = await startHttpServer({
    '/quote': (_req, res) => json(res, 200, { price: 12.5 }),
    '/flaky': (_req, res, _b, self) => ((self.hits.get('/flaky') ?? 0) % 2 === 1 ? json(res, 503, {}) : json(res, 200, { ok: true })),
  });
  h = await createHarness({ allow: ['127.0.0.1'] });
});
afterAll(async () => {
  await h?.close();
  await server?.close();
});

/** Every node type the interpreter runs, in one graph per scenario. */
function scenarios(url: string): Record<string, { definition: unknown; input: JsonValue }> {
  return {
    'every-node-type': {
      input: { qty: 3, country: 'DE', items: [1, 2, 3] },
      definition: workflow(
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'vars', type: 'set', config: { variables: { qty: 'input.qty' } } },
          { id: 'fan', type: 'parallel' },
          { id: 'price', type: 'http.request', config: { url: `${url}/quote`, retry: { maxAttempts: 1 } } },
          { id: 'flaky', type: 'http.request', config: { url: `${url}/flaky`, retry: { maxAttempts: 3, initialIntervalMs: 10 } } },
          { id: 'pause', type: 'delay', config: { durationMs: 200 } },
          { id: 'both', type: 'join' },
          { id: 'total', type: 'transform', config: { expression: 'nodes.price.body.price * vars.qty' } },
          { id: 'region', type: 'switch', config: { expression: 'input.country', cases: [{ handle: 'eu', value: 'DE' }] } },
          { id: 'vat', type: 'transform', config: { expression: 'nodes.total * 1.19' } },
          { id: 'plain', type: 'transform', config: { expression: 'nodes.total' } },
          { id: 'positive', type: 'condition', config: { expression: 'nodes.vat > 0' } },
          { id: 'out', type: 'output', config: { expression: "{ 'gross': nodes.vat, 'count': $count(input.items) }" } },
          { id: 'bad', type: 'fail', config: { message: 'negative total {{ nodes.vat }}' } },
        ],
        [
          ['t', 'vars'],
          ['vars', 'fan'],
          ['fan', 'price'],
          ['fan', 'flaky'],
          ['fan', 'pause'],
          ['price', 'both'],
          ['flaky', 'both'],
          ['pause', 'both'],
          ['both', 'total'],
          ['total', 'region'],
          ['region', 'vat', 'eu'],
          ['region', 'plain', 'default'],
          ['vat', 'positive'],
          ['positive', 'out', 'true'],
          ['positive', 'bad', 'false'],
        ],
      ),
    },
    'signal-timeout-branch': {
      input: {},
      definition: workflow(
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'approve', type: 'wait.signal', config: { signal: 'approve', timeoutMs: 300, onTimeout: 'branch' } },
          { id: 'yes', type: 'output', config: { expression: "'approved'" } },
          { id: 'late', type: 'output', config: { expression: "'escalated'" } },
        ],
        [
          ['t', 'approve'],
          ['approve', 'yes', 'received'],
          ['approve', 'late', 'timeout'],
        ],
      ),
    },
    'failing-run': {
      input: { why: 'no stock' },
      definition: workflow(
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'stop', type: 'fail', config: { message: 'cannot continue: {{ input.why }}' } },
        ],
        [['t', 'stop']],
      ),
    },
  };
}

const noSinks: InjectedSinks<TandemSinks> = {
  tandemEvents: { emit: { fn: (_info, _event: EmittedEvent) => {}, callDuringReplay: false } },
};

async function replay(histories: Array<{ workflowId: string; history: unknown }>) {
  const results = [];
  const code = readFileSync(inject('workflowBundlePath'), 'utf8');
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: { code }, sinks: noSinks },
    histories.map((h) => ({ ...h, history: historyFromJSON(h.history) })),
  )) {
    results.push({ workflowId: result.workflowId, error: result.error });
  }
  return results;
}

describe('replaying recorded histories against the current code', () => {
  it('replays fresh histories of every scenario without non-determinism', async () => {
    const recorded: Array<{ workflowId: string; history: unknown; name: string }> = [];
    for (const [name, scenario] of Object.entries(scenarios(server.url))) {
      const run = await h.run(scenario.definition, scenario.input);
      if (name === 'every-node-type') expect(run.result).toEqual({ gross: 44.625, count: 3 });
      else if (name === 'signal-timeout-branch') expect(run.result).toBe('escalated');
      else expect(run.error).toBeDefined();
      const history = await h.client.workflow.getHandle(run.workflowId).fetchHistory();
      recorded.push({ name, workflowId: run.workflowId, history: JSON.parse(historyToJSON(history)) });
    }
    if (RECORD) {
      mkdirSync(FIXTURES, { recursive: true });
      for (const item of recorded)
        writeFileSync(join(FIXTURES, `${item.name}.json`), `${JSON.stringify({ workflowId: item.workflowId, history: item.history })}\n`);
    }
    const results = await replay(recorded);
    expect(results).toEqual(recorded.map((r) => ({ workflowId: r.workflowId, error: undefined })));
  });

  it('replays the committed fixture histories without non-determinism', async () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const histories = files.map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as { workflowId: string; history: unknown });
    const results = await replay(histories);
    expect(results).toEqual(histories.map((h) => ({ workflowId: h.workflowId, error: undefined })));
  });

  it('detects a history that does not match the code', async () => {
    const [file] = readdirSync(FIXTURES).filter((f) => f.startsWith('every-node-type'));
    const { workflowId, history } = JSON.parse(readFileSync(join(FIXTURES, file!), 'utf8')) as {
      workflowId: string;
      history: { events: Array<Record<string, unknown>> };
    };
    // The history now says the run's first activity was another one than the code schedules there.
    const first = history.events.findIndex((e) => 'activityTaskScheduledEventAttributes' in e);
    expect(first).toBeGreaterThan(0);
    const events = [...history.events];
    const scheduled = events[first]!.activityTaskScheduledEventAttributes as Record<string, unknown>;
    events[first] = { ...events[first], activityTaskScheduledEventAttributes: { ...scheduled, activityType: { name: 'notTheActivityTheCodeCalls' } } };
    const tampered = { ...history, events };
    const [result] = await replay([{ workflowId, history: tampered }]);
    // Not just any failure: the replayer's non-determinism verdict, naming the mismatch.
    expect(result!.error).toBeInstanceOf(DeterminismViolationError);
    expect(result!.error!.message).toMatch(/^Replay failed with a nondeterminism error\. .*notTheActivityTheCodeCalls.*httpRequest/s);
  });
});
