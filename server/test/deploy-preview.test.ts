import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test-support/eventually.js';
import { collect, startApi, type Api } from './api-harness.js';

/** A local stand-in for the service the workflow calls, counting requests per path. */
async function quoteService(): Promise<{ url: string; hits: Map<string, number>; close(): Promise<void> }> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ q: 7 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** manual → price (transform) → quote (http.request) → out; the variants change one node each. */
const document = (quoteUrl: string, change: { price?: string; quotePath?: string } = {}) => ({
  format: 'tandem.workflow/v1',
  name: 'Quotes',
  description: '',
  nodes: [
    { id: 'manual', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    { id: 'price', type: 'transform', position: { x: 200, y: 0 }, config: { expression: change.price ?? "{ 'total': input.a * 2 }" } },
    { id: 'quote', type: 'http.request', position: { x: 400, y: 0 }, config: { method: 'GET', url: `${quoteUrl}${change.quotePath ?? '/quote'}` } },
    { id: 'out', type: 'output', position: { x: 600, y: 0 }, config: { expression: "{ 'total': nodes.price.total, 'quote': nodes.quote.body.q }" } },
  ],
  edges: [
    { id: 'e1', source: 'manual', target: 'price' },
    { id: 'e2', source: 'price', target: 'quote' },
    { id: 'e3', source: 'quote', target: 'out' },
  ],
});

const PREVIEW = `query($id: ID!, $runs: Int) {
  previewDeploy(workflowId: $id, runs: $runs) {
    liveVersion changedNodes
    runs { executionId recordedStatus verdict recordedResult previewResult resultDiff { field change before after } failure { nodeId message } notes { nodeId kind message } unknownNodes reason }
  }
}`;

interface RunPreview {
  executionId: string;
  verdict: string;
  previewResult: unknown;
  resultDiff: Array<{ field: string; change: string; before: unknown; after: unknown }>;
  failure: { nodeId: string | null; message: string } | null;
  notes: Array<{ nodeId: string; kind: string; message: string }>;
  unknownNodes: string[];
}
interface Preview {
  previewDeploy: { liveVersion: number; changedNodes: string[]; runs: RunPreview[] };
}

describe('previewDeploy: the draft dry-run on the live version’s recent runs', () => {
  let api: Api;
  let http: Awaited<ReturnType<typeof quoteService>>;
  let owner: { token: string };
  let workflowId: string;
  /** Execution id → the run's input `a`. */
  const inputs = new Map<string, number>();

  const setDraft = async (definition: unknown) => {
    const updated = await api.gql(
      'mutation($id: ID!, $d: JSON!) { updateWorkflowDefinition(id: $id, definition: $d) { id } }',
      { id: workflowId, d: definition },
      owner.token,
    );
    expect(updated.errors).toBeUndefined();
  };
  const preview = async (runs?: number) => {
    const result = await api.gql<Preview>(PREVIEW, { id: workflowId, ...(runs === undefined ? {} : { runs }) }, owner.token);
    expect(result.errors).toBeUndefined();
    return result.data!.previewDeploy;
  };

  beforeAll(async () => {
    http = await quoteService();
    api = await startApi({ database: 'sqlite', httpAllow: ['127.0.0.1'] });
    owner = await api.user('Ada');
    const created = await api.gql<{ createWorkflow: { id: string } }>(
      'mutation($d: JSON!) { createWorkflow(input: { name: "Quotes", definition: $d }) { id } }',
      { d: document(http.url) },
      owner.token,
    );
    workflowId = created.data!.createWorkflow.id;
    await api.gql('mutation($id: ID!) { deployWorkflow(id: $id, message: "v1") { number } }', { id: workflowId }, owner.token);
    for (const a of [0, 1, 2]) {
      const started = await api.gql<{ startExecution: { id: string } }>(
        'mutation($id: ID!, $i: JSON) { startExecution(workflowId: $id, input: $i) { id } }',
        { id: workflowId, i: { a } },
        owner.token,
      );
      inputs.set(started.data!.startExecution.id, a);
    }
    await eventually(
      async () => {
        const runs = await Promise.all(
          [...inputs.keys()].map((id) => api.gql<{ execution: { status: string } }>('query($id: ID!) { execution(id: $id) { status } }', { id }, owner.token)),
        );
        return runs.every((r) => r.data!.execution.status === 'COMPLETED');
      },
      { timeoutMs: 30_000, what: 'three completed runs' },
    );
    expect(http.hits.get('/quote')).toBe(3);
  });
  afterAll(async () => {
    await api?.close();
    await http?.close();
  });

  it('reports the differing results of a changed transform, using the recorded response of the unchanged http.request (no call)', async () => {
    await setDraft(document(http.url, { price: "{ 'total': input.a * 3 }" }));
    const result = await preview();
    expect(result.liveVersion).toBe(1);
    expect(result.changedNodes).toEqual(['price']);
    expect(result.runs).toHaveLength(3);
    for (const run of result.runs) {
      const a = inputs.get(run.executionId)!;
      expect(run.notes).toContainEqual({ nodeId: 'quote', kind: 'RECORDED', message: `used the recorded response of GET ${http.url}/quote` });
      expect(run.previewResult).toEqual({ total: a * 3, quote: 7 });
      if (a === 0) {
        expect(run.verdict).toBe('SAME');
      } else {
        expect(run.verdict).toBe('DIFFERENT');
        expect(run.resultDiff).toEqual([{ field: 'total', change: 'CHANGED', before: a * 2, after: a * 3 }]);
      }
    }
    expect(http.hits.get('/quote')).toBe(3);
  });

  it('reports a changed http.request as "would call", with what follows it unknown, and calls nothing', async () => {
    await setDraft(document(http.url, { quotePath: '/quote2' }));
    const result = await preview(2);
    expect(result.changedNodes).toEqual(['quote']);
    expect(result.runs).toHaveLength(2);
    for (const run of result.runs) {
      expect(run.verdict).toBe('UNKNOWN');
      expect(run.notes).toEqual([{ nodeId: 'quote', kind: 'WOULD_CALL', message: `would call GET ${http.url}/quote2` }]);
      expect(run.unknownNodes.sort()).toEqual(['out', 'quote']);
    }
    expect(http.hits.get('/quote2')).toBeUndefined();
    expect(http.hits.get('/quote')).toBe(3);
  });

  it('reports the node and error a changed version would fail with', async () => {
    await setDraft(document(http.url, { price: "{ 'total': input.a * 2, 'check': $error('price list missing') }" }));
    const result = await preview(1);
    expect(result.runs[0]!.verdict).toBe('WOULD_FAIL');
    expect(result.runs[0]!.failure).toEqual({ nodeId: 'price', message: expect.stringContaining('price list missing') as string });
  });

  it('streams progress: how many runs, then each run as it is checked', async () => {
    await setDraft(document(http.url, { price: "{ 'total': input.a * 3 }" }));
    const ws = api.ws(owner.token);
    try {
      const progress = collect<{ previewDeployProgress: { total: number; checked: number; run: { verdict: string } | null } }>(
        ws,
        'subscription($id: ID!) { previewDeployProgress(workflowId: $id, runs: 3) { total checked run { verdict } } }',
        { id: workflowId },
      );
      await progress.done;
      expect(progress.errors).toEqual([]);
      const steps = progress.items.map((i) => i.previewDeployProgress);
      expect(steps.map((s) => [s.total, s.checked])).toEqual([
        [3, 0],
        [3, 1],
        [3, 2],
        [3, 3],
      ]);
      expect(steps[0]!.run).toBeNull();
      expect(
        steps
          .slice(1)
          .map((s) => s.run!.verdict)
          .sort(),
      ).toEqual(['DIFFERENT', 'DIFFERENT', 'SAME']);
    } finally {
      await ws.dispose();
    }
  });

  it('refuses bad arguments with errors that say what is wrong', async () => {
    for (const runs of [0, 51]) {
      const result = await api.gql(PREVIEW, { id: workflowId, runs }, owner.token);
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toBe(`runs must be a whole number from 1 to 50, got ${runs}`);
    }
    const fresh = await api.gql<{ createWorkflow: { id: string } }>(
      'mutation($d: JSON!) { createWorkflow(input: { name: "New", definition: $d }) { id } }',
      { d: document(http.url) },
      owner.token,
    );
    const undeployed = await api.gql(PREVIEW, { id: fresh.data!.createWorkflow.id }, owner.token);
    expect(undeployed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(undeployed.errors?.[0]?.message).toMatch(/no deployed version yet/);
    const stranger = await api.user('Eve');
    const forbidden = await api.gql(PREVIEW, { id: workflowId }, stranger.token);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
