import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type InjectedSinks } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { compileWorkflow, NODE_TYPE_NAMES, type EmittedEvent, type ExecutionPlan, type JsonValue } from '@tandem/schema';
import { subplanKey, type InterpreterInput, type TandemSinks } from '@tandem/worker';
import { fetchRunHistories } from '@tandem/ops';
import { createHarness, workflow, type Harness, type StartOptions } from './harness.js';
import { json, startHttpServer, type TestHttpServer } from './http-server.js';

/**
 * Histories recorded from real runs are replayed against the current interpreter code, so a
 * change that would break runs in flight (non-determinism) fails here. `npm run histories:record`
 * re-records the committed fixtures after an intended, versioned change;
 * `RECORD_HISTORIES=<name>,<name>` records only those scenarios (a new one, say).
 */
const FIXTURES = fileURLToPath(new URL('./histories/', import.meta.url));
const RECORD = process.env.RECORD_HISTORIES ?? '';
const records = (name: string) => RECORD === '1' || RECORD.split(',').includes(name);

/** The patches (Temporal's `patched`) a history recorded. */
function patchesIn(history: unknown): string[] {
  const events = (
    history as { events: Array<{ markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: Array<{ data: string }> }> } }> }
  ).events;
  return events.flatMap(({ markerRecordedEventAttributes: marker }) => {
    if (marker?.markerName !== 'core_patch') return [];
    const data = Object.values(marker.details ?? {})[0]?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id] : [];
  });
}

/** A run's plan: the child plan a subworkflow node runs. */
function planOf(definition: unknown): ExecutionPlan {
  const compiled = compileWorkflow(definition);
  if (!compiled.ok) throw new Error(`test workflow is invalid: ${JSON.stringify(compiled.problems)}`);
  return compiled.plan;
}

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
function scenarios(url: string): Record<string, { definition: unknown; input: JsonValue; options?: StartOptions }> {
  const doubler = workflow(
    [
      { id: 't', type: 'trigger.manual' },
      { id: 'out', type: 'output', config: { expression: 'input * 2' } },
    ],
    [['t', 'out']],
  );
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
    // A webhook-started run that runs a sub-workflow, then a loop that continues as new (12
    // items, every 10 iterations: two Temporal runs, each recorded).
    'loop-subworkflow-webhook': {
      input: { seed: 5, items: Array.from({ length: 12 }, (_, i) => i + 1) },
      options: {
        triggerNodeId: 'hook',
        subplans: {
          [subplanKey('doubler', 'latest')]: {
            plan: planOf(doubler),
            origin: { workflowId: 'doubler', versionId: 'doubler-v1', versionNumber: 1, startedById: 'replay-test' },
          },
        },
      },
      definition: workflow(
        [
          { id: 'hook', type: 'trigger.webhook', config: { path: 'orders' } },
          { id: 'child', type: 'subworkflow', config: { workflowId: 'doubler', inputExpression: 'input.seed' } },
          { id: 'init', type: 'set', config: { variables: { total: 'nodes.child' } } },
          { id: 'each', type: 'loop', config: { mode: 'forEach', expression: 'input.items', continueAsNewEvery: 10 } },
          { id: 'add', type: 'set', config: { variables: { total: 'vars.total + loop.item' } } },
          { id: 'out', type: 'output', config: { expression: 'vars.total' } },
        ],
        [
          ['hook', 'child'],
          ['child', 'init'],
          ['init', 'each'],
          ['each', 'add', 'body'],
          ['add', 'each'],
          ['each', 'out', 'done'],
        ],
      ),
    },
    'scheduled-trigger': {
      input: {},
      options: { triggerNodeId: 'cron' },
      definition: workflow(
        [
          { id: 'cron', type: 'trigger.schedule', config: { cron: '@daily' } },
          { id: 'out', type: 'output', config: { expression: "'tick'" } },
        ],
        [['cron', 'out']],
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
    const expected: Record<string, JsonValue> = {
      'every-node-type': { gross: 44.625, count: 3 },
      'signal-timeout-branch': 'escalated',
      'loop-subworkflow-webhook': 88,
      'scheduled-trigger': 'tick',
    };
    for (const [name, scenario] of Object.entries(scenarios(server.url))) {
      const run = await h.run(scenario.definition, scenario.input, scenario.options);
      if (name in expected) expect(run.result).toEqual(expected[name]);
      else expect(run.error).toBeDefined();
      // Every Temporal run of the execution: a continue-as-new chain is several, oldest first.
      const runs = await fetchRunHistories(h.client, run.workflowId);
      if (name === 'loop-subworkflow-webhook') expect(runs).toHaveLength(2);
      runs.forEach(({ history }, i) =>
        recorded.push({ name: i === runs.length - 1 ? name : `${name}.run${i + 1}`, workflowId: run.workflowId, history: JSON.parse(historyToJSON(history)) }),
      );
    }
    mkdirSync(FIXTURES, { recursive: true });
    for (const item of recorded.filter((r) => records(r.name.split('.')[0]!)))
      writeFileSync(join(FIXTURES, `${item.name}.json`), `${JSON.stringify({ workflowId: item.workflowId, history: item.history })}\n`);
    // Runs started now compute their pure steps in place and make their scope on demand (interpreter.ts, SCOPE_ON_DEMAND_PATCH).
    for (const item of recorded) expect(patchesIn(item.history), item.name).toEqual(['scope-on-demand']);
    const results = await replay(recorded);
    expect(results).toEqual(recorded.map((r) => ({ workflowId: r.workflowId, error: undefined })));
  });

  it('keeps fixtures of runs started before each scheduling patch, which replay on the scheduling they ran with', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    const generations = { '.before-computed-steps': [], '.computed-steps': ['computed-steps'] } as Record<string, string[]>;
    const generationOf = (file: string) => Object.keys(generations).find((suffix) => file.endsWith(`${suffix}.json`));
    const current = files.filter((f) => generationOf(f) === undefined);
    // Every scenario recorded with each scheduling (the next test replays every fixture).
    for (const suffix of Object.keys(generations)) {
      const older = files.filter((f) => generationOf(f) === suffix);
      expect(older.map((f) => f.replace(suffix, '')).sort(), suffix).toEqual([...current].sort());
    }
    for (const file of files) {
      const { history } = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { history: unknown };
      const suffix = generationOf(file);
      expect(patchesIn(history), file).toEqual(suffix === undefined ? ['scope-on-demand'] : generations[suffix]);
    }
  });

  it('replays the committed fixture histories without non-determinism', async () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const histories = files.map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as { workflowId: string; history: unknown });
    const results = await replay(histories);
    expect(results).toEqual(histories.map((h) => ({ workflowId: h.workflowId, error: undefined })));
  });

  it('has committed fixtures that together run every node type of the catalogue', () => {
    const types = new Set<string>();
    const addPlan = (plan: ExecutionPlan) => plan.nodes.forEach((node) => types.add(node.type));
    for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
      const { history } = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as {
        history: { events: Array<{ workflowExecutionStartedEventAttributes?: { input?: { payloads?: Array<{ data: string }> } } }> };
      };
      const payload = history.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      expect(payload, `${file} starts with the run's input`).toBeDefined();
      const input = JSON.parse(Buffer.from(payload!.data, 'base64').toString('utf8')) as InterpreterInput;
      addPlan(input.plan);
      Object.values(input.subplans ?? {}).forEach((sub) => addPlan(sub.plan));
    }
    expect(NODE_TYPE_NAMES.filter((type) => !types.has(type))).toEqual([]);
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
