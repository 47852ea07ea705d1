import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateWorkflow } from '@tandem/schema';
import { eventually } from '../../test-support/eventually.js';
import { BUILT_IN_TEMPLATES } from '../src/templates/index.js';
import { DATABASES, startApi, SUM_WORKFLOW, type Api } from './api-harness.js';

/** Every built-in template: valid as shipped, instantiated with sample parameters, deployed and run to its result. */

interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

type Responder = (request: Received, count: number) => { status?: number; body?: unknown };

/** A local HTTP server the templates call: routes by path, records every request. */
class Endpoints {
  readonly received: Received[] = [];
  private readonly routes = new Map<string, Responder>();
  private server!: Server;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  route(path: string, responder: Responder): string {
    this.routes.set(path, responder);
    return `${this.base}${path}`;
  }

  to(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.base);
    const request: Received = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: text ? (JSON.parse(text) as unknown) : null,
    };
    this.received.push(request);
    const responder = this.routes.get(url.pathname);
    const answer = responder ? responder(request, this.to(url.pathname).length) : { status: 404, body: { error: 'no such route' } };
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body ?? { ok: true }));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Run {
  id: string;
  status: string;
  result: unknown;
  error: { message?: string } | null;
}

const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT']);

/** Helpers over one API and one user. */
function client(api: Api, token: string) {
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const result = await api.gql<T>(query, variables, token);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
  const self = {
    gql,
    /** Instantiates a built-in template and deploys the workflow. */
    async deployed(
      slug: string,
      parameters: Record<string, unknown>,
    ): Promise<{
      id: string;
      webhookSecret: string;
      definition: { params: Record<string, unknown>; nodes: Array<{ id: string; config: Record<string, unknown> }> };
    }> {
      const made = await gql<{
        instantiateTemplate: {
          id: string;
          webhookSecret: string;
          definition: { params: Record<string, unknown>; nodes: Array<{ id: string; config: Record<string, unknown> }> };
        };
      }>('mutation($id: ID!, $p: JSON) { instantiateTemplate(templateId: $id, parameters: $p) { id webhookSecret definition } }', {
        id: `builtin:${slug}`,
        p: parameters,
      });
      await gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: made.instantiateTemplate.id });
      return made.instantiateTemplate;
    },
    async start(workflowId: string, input: unknown = {}): Promise<string> {
      return (
        await gql<{ startExecution: { id: string } }>('mutation($id: ID!, $input: JSON) { startExecution(workflowId: $id, input: $input) { id } }', {
          id: workflowId,
          input,
        })
      ).startExecution.id;
    },
    async execution(id: string): Promise<Run> {
      return (await gql<{ execution: Run }>('query($id: ID!) { execution(id: $id) { id status result error } }', { id })).execution;
    },
    /** Waits until the run's state satisfies `done` (by default: it has ended). */
    async until(id: string, done: (run: Run) => boolean = (run) => FINAL.has(run.status), timeoutMs = 30_000): Promise<Run> {
      return eventually(
        async () => {
          const run = await self.execution(id);
          if (!done(run)) throw new Error(`run ${id} is still ${run.status}`);
          return run;
        },
        { timeoutMs, intervalMs: 100 },
      );
    },
    async run(workflowId: string, input: unknown = {}): Promise<Run> {
      return self.until(await self.start(workflowId, input));
    },
    async signal(id: string, name: string, payload: unknown): Promise<void> {
      await gql('mutation($id: ID!, $name: String!, $payload: JSON) { signalExecution(id: $id, name: $name, payload: $payload) { id } }', {
        id,
        name,
        payload,
      });
    },
  };
  return self;
}

describe('the built-in template library as shipped', () => {
  it('has at least ten templates, each a valid definition whose parameters are all used', () => {
    expect(BUILT_IN_TEMPLATES.length).toBeGreaterThanOrEqual(10);
    expect(new Set(BUILT_IN_TEMPLATES.map((t) => t.slug)).size).toBe(BUILT_IN_TEMPLATES.length);
    for (const template of BUILT_IN_TEMPLATES) {
      const result = validateWorkflow(template.definition);
      expect(result.ok ? [] : result.problems, template.slug).toEqual([]);
      expect(template.tags.length, template.slug).toBeGreaterThan(0);
      expect(template.description.length, template.slug).toBeGreaterThan(40);
      const text = JSON.stringify(template.definition.nodes);
      for (const parameter of template.parameters) {
        const where = `${template.slug}: ${parameter.name}`;
        // Each parameter is read by an expression, or written into a config field, or both.
        expect(text.includes(`params.${parameter.name}`) || (parameter.fills ?? []).length > 0, where).toBe(true);
        expect(Object.keys(template.definition.params), where).toContain(parameter.name);
        for (const target of parameter.fills ?? []) {
          const [nodeId, ...path] = target.split('.');
          const node = template.definition.nodes.find((n) => n.id === nodeId);
          expect(node, `${where} fills ${target}`).toBeDefined();
          let value: unknown = node!.config;
          for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
          // The shipped config holds the parameter's default, so the template runs as documented before it is filled.
          if (parameter.default !== null) expect(value, `${where} fills ${target}`).toEqual(parameter.default);
        }
      }
    }
  });
});

describe('built-in templates run', () => {
  let api: Api;
  let token: string;
  let c: ReturnType<typeof client>;
  const http = new Endpoints();
  const ran = new Set<string>();

  beforeAll(async () => {
    await http.start();
    api = await startApi({ database: 'sqlite', httpAllow: ['127.0.0.1'] });
    token = (await api.user()).token;
    c = client(api, token);
  });
  afterAll(async () => {
    await api?.close();
    await http.close();
  });

  it('approval flow: approved by an approver, or expired at its deadline', async () => {
    const wf = await c.deployed('approval-flow', { approvers: ['grace'], timeoutMs: 60_000 });
    expect(wf.definition.nodes.find((n) => n.id === 'approval')!.config.timeoutMs).toBe(60_000);
    const id = await c.start(wf.id, { amount: 1200 });
    await c.until(id, (run) => run.status === 'WAITING');
    await c.signal(id, 'approval', { approved: true, by: 'grace' });
    expect(await c.until(id)).toMatchObject({ status: 'COMPLETED', result: { status: 'approved', by: 'grace', request: { amount: 1200 } } });

    const quick = await c.deployed('approval-flow', { approvers: ['grace'], timeoutMs: 200 });
    expect(await c.run(quick.id, { amount: 5 })).toMatchObject({ status: 'COMPLETED', result: { status: 'expired', request: { amount: 5 } } });
    ran.add('approval-flow');
  });

  it('scheduled report: the cron comes from the parameters; a run fetches, summarizes and posts', async () => {
    const sourceUrl = http.route('/sales', () => ({ body: { items: [{ amount: 10 }, { amount: 20 }, { amount: 12.5 }] } }));
    const reportUrl = http.route('/report', () => ({ status: 201 }));
    const wf = await c.deployed('scheduled-report', { sourceUrl, reportUrl, title: 'Sales', sumField: 'amount', cron: '30 6 * * 1' });
    expect(wf.definition.nodes.find((n) => n.id === 'schedule')!.config).toMatchObject({ cron: '30 6 * * 1', timezone: 'UTC' });
    const schedules = await c.gql<{ workflow: { schedules: unknown[] } }>('query($id: ID!) { workflow(id: $id) { schedules { nodeId } } }', { id: wf.id });
    expect(schedules.workflow.schedules).toEqual([{ nodeId: 'schedule' }]);
    const run = await c.run(wf.id);
    const report = { title: 'Sales', count: 3, total: 42.5, text: 'Sales: 3 rows, amount total 42.5' };
    expect(run).toMatchObject({ status: 'COMPLETED', result: { report, delivered: 201 } });
    expect(http.to('/report').map((r) => r.body)).toEqual([report]);
    ran.add('scheduled-report');
  });

  it('webhook fan-out: a delivery reaches both endpoints and the caller gets both statuses', async () => {
    const primaryUrl = http.route('/primary', () => ({ status: 200 }));
    const secondaryUrl = http.route('/secondary', () => ({ status: 202 }));
    const wf = await c.deployed('webhook-fan-out', { path: 'orders/created', primaryUrl, secondaryUrl });
    const response = await fetch(`${api.url}/hooks/${wf.id}/orders/created`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tandem-webhook-secret': wf.webhookSecret },
      body: JSON.stringify({ order: 7 }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'COMPLETED',
      result: {
        delivered: [
          { url: primaryUrl, status: 200 },
          { url: secondaryUrl, status: 202 },
        ],
      },
    });
    expect(http.to('/primary').map((r) => r.body)).toEqual([{ order: 7 }]);
    expect(http.to('/secondary').map((r) => r.body)).toEqual([{ order: 7 }]);
    ran.add('webhook-fan-out');
  });

  it('retry with backoff: two 503s, then the third attempt succeeds', async () => {
    const url = http.route('/flaky', (_, count) => (count <= 2 ? { status: 503, body: { error: 'busy' } } : { body: { accepted: true } }));
    const wf = await c.deployed('retry-with-backoff', { url, maxAttempts: 4, initialIntervalMs: 50, maximumIntervalMs: 200 });
    expect(wf.definition.nodes.find((n) => n.id === 'call')!.config.retry).toEqual({
      maxAttempts: 4,
      initialIntervalMs: 50,
      backoffCoefficient: 2,
      maximumIntervalMs: 200,
    });
    expect(await c.run(wf.id, { ping: 1 })).toMatchObject({ status: 'COMPLETED', result: { status: 200, body: { accepted: true } } });
    expect(http.to('/flaky').map((r) => [r.method, r.body])).toEqual([
      ['POST', { ping: 1 }],
      ['POST', { ping: 1 }],
      ['POST', { ping: 1 }],
    ]);
    ran.add('retry-with-backoff');
  });

  it('batch loop: 25 items in batches of 2, continuing as new every 10 batches', async () => {
    const batchUrl = http.route('/batch', () => ({}));
    const wf = await c.deployed('batch-loop', { batchUrl, batchSize: 2, continueAsNewEvery: 10 });
    const items = Array.from({ length: 25 }, (_, i) => i + 1);
    const run = await c.run(wf.id, { items });
    expect(run).toMatchObject({ status: 'COMPLETED', result: { batches: 13, processed: 25 } });
    const batches = http.to('/batch').map((r) => r.body as { batch: number; items: number[] });
    expect(batches.map((b) => b.batch)).toEqual([...Array(13).keys()]);
    expect(batches.flatMap((b) => b.items)).toEqual(items);
    const events = await c.gql<{ execution: { events: { edges: Array<{ node: { type: string } }> } } }>(
      'query($id: ID!) { execution(id: $id) { events(first: 500) { edges { node { type } } } } }',
      { id: run.id },
    );
    expect(events.execution.events.edges.filter((e) => e.node.type === 'CONTINUED_AS_NEW').length).toBe(1);
    ran.add('batch-loop');
  });

  it('poll until done: polls until the job is done, and fails when it failed', async () => {
    const statusUrl = http.route('/jobs/42', (_, count) => ({ body: { state: count < 3 ? 'running' : 'done', count } }));
    http.route('/jobs/43', () => ({ body: { state: 'failed' } }));
    const wf = await c.deployed('poll-until-done', { statusUrl: `${http.base}/jobs`, statusField: 'state', intervalMs: 50, maxPolls: 10 });
    expect(statusUrl).toBe(`${http.base}/jobs/42`);
    expect(await c.run(wf.id, { jobId: 42 })).toMatchObject({
      status: 'COMPLETED',
      result: { status: 'done', polls: 3, response: { state: 'done', count: 3 } },
    });
    const failed = await c.run(wf.id, { jobId: 43 });
    expect(failed.status).toBe('FAILED');
    expect(failed.error!.message).toContain('the job ended as "failed"');
    ran.add('poll-until-done');
  });

  it('escalation: no acknowledgement in time escalates, and the escalation is acknowledged', async () => {
    const notifyUrl = http.route('/notify', () => ({}));
    const escalationUrl = http.route('/escalate', () => ({}));
    const wf = await c.deployed('escalation', { notifyUrl, escalationUrl, ackTimeoutMs: 300, escalationTimeoutMs: 60_000 });
    const id = await c.start(wf.id, { service: 'checkout' });
    await eventually(() => http.to('/escalate').length === 1, { timeoutMs: 20_000 });
    await c.until(id, (run) => run.status === 'WAITING');
    await c.signal(id, 'ack', { by: 'lin' });
    expect(await c.until(id)).toMatchObject({ status: 'COMPLETED', result: { status: 'acknowledged', by: 'lin', escalated: true } });
    expect(http.to('/notify').map((r) => r.body)).toEqual([{ level: 'primary', incident: { service: 'checkout' } }]);
    expect(http.to('/escalate').map((r) => r.body)).toEqual([{ level: 'escalation', incident: { service: 'checkout' }, unacknowledgedForMs: 300 }]);
    ran.add('escalation');
  });

  it('incident notification: critical pages and chats, warning chats, the rest is ignored', async () => {
    const pagerUrl = http.route('/pager', () => ({}));
    const chatUrl = http.route('/chat', () => ({}));
    const wf = await c.deployed('incident-notification', { path: 'monitoring', pagerUrl, chatUrl });
    const alert = async (body: unknown) => {
      const response = await fetch(`${api.url}/hooks/${wf.id}/monitoring`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tandem-webhook-secret': wf.webhookSecret },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { result: unknown }).result;
    };
    expect(await alert({ title: 'DB down', severity: 'CRITICAL', url: 'https://status/db' })).toEqual({
      severity: 'critical',
      notified: ['pager', 'chat'],
      title: 'DB down',
    });
    expect(await alert({ title: 'Disk 80%', severity: 'warning' })).toEqual({ severity: 'warning', notified: ['chat'], title: 'Disk 80%' });
    expect(await alert({ title: 'Deploy done' })).toEqual({ severity: 'info', notified: [], title: 'Deploy done' });
    expect(http.to('/pager').map((r) => r.body)).toEqual([{ title: 'DB down', severity: 'critical', url: 'https://status/db' }]);
    expect(http.to('/chat').map((r) => r.body)).toEqual([{ text: 'CRITICAL: DB down https://status/db' }, { text: 'Warning: Disk 80%' }]);
    ran.add('incident-notification');
  });

  it('data enrichment: each record is looked up and merged; unknown ones stay as they were', async () => {
    const lookupUrl = http.route('/people', (request) =>
      request.query.email === 'ada@example.com' ? { body: { name: 'Ada', team: 'core', id: 99 } } : { status: 404 },
    );
    const destinationUrl = http.route('/crm', () => ({}));
    const wf = await c.deployed('data-enrichment', { lookupUrl, destinationUrl });
    const records = [
      { id: 1, email: 'ada@example.com' },
      { id: 2, email: 'bob@example.com' },
    ];
    const enriched = [
      { name: 'Ada', team: 'core', id: 1, email: 'ada@example.com' },
      { id: 2, email: 'bob@example.com' },
    ];
    expect(await c.run(wf.id, { records })).toMatchObject({ status: 'COMPLETED', result: { records: enriched } });
    expect(http.to('/people').map((r) => r.query)).toEqual([{ email: 'ada@example.com' }, { email: 'bob@example.com' }]);
    expect(http.to('/crm').map((r) => r.body)).toEqual([{ records: enriched }]);
    ran.add('data-enrichment');
  });

  it('ETL: extracts, keeps the active records with the chosen fields, loads them', async () => {
    const sourceUrl = http.route('/export', () => ({
      body: {
        records: [
          { id: 1, status: 'active', name: 'a', internal: 'x' },
          { id: 2, status: 'archived', name: 'b', internal: 'y' },
          { id: 3, status: 'active', name: 'c', internal: 'z' },
        ],
      },
    }));
    const destinationUrl = http.route('/warehouse', () => ({}));
    const wf = await c.deployed('etl', { sourceUrl, destinationUrl, fields: ['id', 'name'], cron: '15 3 * * *' });
    expect(wf.definition.nodes.find((n) => n.id === 'nightly')!.config.cron).toBe('15 3 * * *');
    expect(await c.run(wf.id)).toMatchObject({ status: 'COMPLETED', result: { extracted: 3, loaded: 2 } });
    expect(http.to('/warehouse').map((r) => r.body)).toEqual([
      {
        records: [
          { id: 1, name: 'a' },
          { id: 3, name: 'c' },
        ],
      },
    ]);
    ran.add('etl');
  });

  it('run a workflow for each item: child runs of a deployed workflow, results collected in order', async () => {
    const sum = await c.gql<{ createWorkflow: { id: string } }>('mutation($d: JSON!) { createWorkflow(input: { name: "Sum", definition: $d }) { id } }', {
      d: SUM_WORKFLOW,
    });
    await c.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: sum.createWorkflow.id });
    const wf = await c.deployed('for-each-subworkflow', { workflowId: sum.createWorkflow.id });
    const run = await c.run(wf.id, {
      items: [
        { a: 1, b: 2 },
        { a: 3, b: 4 },
        { a: 10, b: -1 },
      ],
    });
    expect(run).toMatchObject({ status: 'COMPLETED', result: { count: 3, results: [3, 7, 9] } });
    ran.add('for-each-subworkflow');
  });

  it('uptime check: an error status posts an alert', async () => {
    const url = http.route('/health', () => ({ status: 503, body: { ok: false } }));
    const alertUrl = http.route('/alert', () => ({}));
    const wf = await c.deployed('uptime-check', { url, alertUrl, cron: '*/10 * * * *' });
    expect(await c.run(wf.id)).toMatchObject({ status: 'COMPLETED', result: { up: false, status: 503 } });
    expect(http.to('/alert').map((r) => r.body)).toEqual([{ text: `${url} answered 503`, url, status: 503 }]);
    ran.add('uptime-check');
  });

  it('ran every template of the library', () => {
    expect([...ran].sort()).toEqual(BUILT_IN_TEMPLATES.map((t) => t.slug).sort());
  });
});

describe.each(DATABASES)('the built-in library through the API on %s', (database) => {
  let api: Api;
  let token: string;
  beforeAll(async () => {
    api = await startApi({ database });
    token = (await api.user()).token;
    // One template of the user's own, listed before the library.
    const created = await api.gql<{ createWorkflow: { id: string } }>(
      'mutation($d: JSON!) { createWorkflow(input: { name: "Mine", definition: $d }) { id } }',
      { d: SUM_WORKFLOW },
      token,
    );
    await api.gql(
      'mutation($id: ID!) { saveAsTemplate(workflowId: $id, input: { name: "My sum", tags: ["mine"] }) { id } }',
      { id: created.data!.createWorkflow.id },
      token,
    );
  });
  afterAll(async () => {
    await api?.close();
  });

  interface Listed {
    id: string;
    name: string;
    builtIn: boolean;
    tags: string[];
    author: { name: string };
  }
  const list = async (args: string, as = token) =>
    (
      await api.gql<{ templates: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: Listed }> } }>(
        `{ templates${args} { totalCount pageInfo { hasNextPage endCursor } edges { node { id name builtIn tags author { name } } } } }`,
        {},
        as,
      )
    ).data!.templates;

  it('lists your templates first, then the library, to every signed-in user, page by page', async () => {
    const all = await list('');
    expect(all.totalCount).toBe(BUILT_IN_TEMPLATES.length + 1);
    expect(all.edges[0]!.node).toMatchObject({ name: 'My sum', builtIn: false, author: { name: 'Ada' } });
    expect(all.edges.slice(1).map((e) => e.node.id)).toEqual(BUILT_IN_TEMPLATES.map((t) => `builtin:${t.slug}`));
    expect(all.edges.slice(1).every((e) => e.node.builtIn && e.node.author.name === 'Tandem')).toBe(true);

    const pages: string[] = [];
    let after: string | null = null;
    do {
      const page = await list(`(first: 5${after ? `, after: "${after}"` : ''})`);
      expect(page.totalCount).toBe(BUILT_IN_TEMPLATES.length + 1);
      pages.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(pages).toEqual(all.edges.map((e) => e.node.id));

    const other = (await api.user('Lin')).token;
    const theirs = await list('', other);
    expect(theirs.totalCount).toBe(BUILT_IN_TEMPLATES.length);
    expect((await api.gql('{ templates { totalCount } }')).errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('filters the library by tag and search', async () => {
    expect((await list('(tag: "approval")')).edges.map((e) => e.node.id)).toEqual(['builtin:approval-flow']);
    expect((await list('(tag: "mine")')).edges.map((e) => e.node.name)).toEqual(['My sum']);
    expect((await list('(search: "CONTINUE-AS-NEW")')).edges.map((e) => e.node.id)).toEqual(['builtin:batch-loop']);
    const webhooks = await list('(tag: "webhook", first: 1)');
    expect(webhooks.totalCount).toBe(2);
    expect(webhooks.pageInfo.hasNextPage).toBe(true);
  });

  it('shows one template with its parameters and a preview of its graph', async () => {
    const result = await api.gql<{
      template: {
        builtIn: boolean;
        description: string;
        parameters: Array<{ name: string; type: string; required: boolean; default: unknown; configFields: string[] }>;
        preview: {
          nodes: Array<{ id: string; type: string; name: string | null; position: { x: number; y: number } }>;
          edges: Array<{ source: string; target: string; sourceHandle: string | null }>;
        };
      };
    }>(
      '{ template(id: "builtin:approval-flow") { builtIn description parameters { name type required default configFields } preview { nodes { id type name position { x y } } edges { id source target sourceHandle } } } }',
      {},
      token,
    );
    const template = result.data!.template;
    expect(template.builtIn).toBe(true);
    expect(template.parameters).toEqual([
      { name: 'approvers', type: 'json', required: true, default: null, configFields: [] },
      { name: 'timeoutMs', type: 'number', required: false, default: 259_200_000, configFields: ['approval.timeoutMs'] },
    ]);
    const shipped = BUILT_IN_TEMPLATES.find((t) => t.slug === 'approval-flow')!.definition;
    expect(template.preview.nodes).toEqual(shipped.nodes.map((n) => ({ id: n.id, type: n.type, name: n.name ?? null, position: n.position })));
    expect(template.preview.edges).toContainEqual({ id: 'e3', source: 'approval', target: 'expired', sourceHandle: 'timeout' });
    expect((await api.gql('{ template(id: "builtin:nope") { id } }', {}, token)).errors![0]!.extensions!.code).toBe('NOT_FOUND');
  });

  it('refuses a missing required parameter and a value its config field cannot take, naming each', async () => {
    const missing = await api.gql(
      'mutation { instantiateTemplate(templateId: "builtin:webhook-fan-out", parameters: { primaryUrl: "https://a.example" }) { id } }',
      {},
      token,
    );
    expect(missing.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(missing.errors![0]!.message).toContain('parameter "secondaryUrl" is required');
    const wrong = await api.gql(
      'mutation { instantiateTemplate(templateId: "builtin:uptime-check", parameters: { url: "https://a.example", alertUrl: "https://b.example", cron: "every now and then", timeoutMs: 12.5 }) { id } }',
      {},
      token,
    );
    expect(wrong.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(wrong.errors![0]!.message).toMatch(/parameter "cron": .*cron must have five fields/);
    expect(wrong.errors![0]!.message).toMatch(/parameter "timeoutMs": /);
    const count = await api.gql<{ workflows: { totalCount: number } }>('{ workflows { totalCount } }', {}, token);
    expect(count.data!.workflows.totalCount).toBe(1);
  });
});
