import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Api } from './api-harness.js';

const HOOKED = {
  format: 'tandem.workflow/v1',
  name: 'Orders',
  description: '',
  nodes: [
    { id: 'manual', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    { id: 'hook', type: 'trigger.webhook', position: { x: 0, y: 100 }, config: { path: 'orders/new', respond: true, responseTimeoutMs: 20_000 } },
    { id: 'queue', type: 'trigger.webhook', position: { x: 0, y: 200 }, config: { path: 'orders/queued' } },
    { id: 'double', type: 'transform', position: { x: 200, y: 0 }, config: { expression: "{ 'total': input.body.total * 2, 'via': input.path }" } },
    { id: 'out', type: 'output', position: { x: 400, y: 0 }, config: { expression: 'nodes.double' } },
  ],
  edges: [
    { id: 'e0', source: 'manual', target: 'double' },
    { id: 'e1', source: 'hook', target: 'double' },
    { id: 'e2', source: 'queue', target: 'double' },
    { id: 'e3', source: 'double', target: 'out' },
  ],
};

describe('webhook triggers', () => {
  let api: Api;
  let token: string;
  let workflowId: string;
  let secret: string;
  beforeAll(async () => {
    api = await startApi({ database: 'sqlite', config: { maxBodyBytes: 20_000 } });
    token = (await api.user()).token;
    const created = await api.gql<{ createWorkflow: { id: string; webhookSecret: string } }>(
      'mutation($d: JSON!) { createWorkflow(input: { name: "Orders", definition: $d }) { id webhookSecret } }',
      { d: HOOKED },
      token,
    );
    ({ id: workflowId, webhookSecret: secret } = created.data!.createWorkflow);
  });
  afterAll(async () => {
    await api?.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${api.url}/hooks/${workflowId}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('answers 404 until a version is deployed, then runs from the webhook node of that path', async () => {
    expect((await post('orders/new', { total: 1 }, { 'x-tandem-webhook-secret': secret })).status).toBe(404);
    await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: workflowId }, token);
    const response = await post('orders/new', { total: 21 }, { 'x-tandem-webhook-secret': secret });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'COMPLETED', result: { total: 42, via: 'orders/new' }, duplicate: false });
    expect((await post('orders/unknown', { total: 1 }, { 'x-tandem-webhook-secret': secret })).status).toBe(404);
  });

  it('refuses deliveries without the secret or with a wrong one', async () => {
    expect((await post('orders/new', { total: 1 })).status).toBe(401);
    expect((await post('orders/new', { total: 1 }, { 'x-tandem-webhook-secret': 'whsec_wrong' })).status).toBe(401);
    expect((await post('orders/new', { total: 1 }, { 'x-tandem-signature': 'sha256=00' })).status).toBe(401);
  });

  it('accepts an HMAC-SHA256 signature of the raw body', async () => {
    const body = JSON.stringify({ total: 5 });
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const response = await post('orders/new', body, { 'x-tandem-signature': signature });
    expect(await response.json()).toMatchObject({ status: 'COMPLETED', result: { total: 10 } });
  });

  it('starts one run for a delivery retried with the same idempotency key', async () => {
    const headers = { 'x-tandem-webhook-secret': secret, 'idempotency-key': `order-${Date.now()}` };
    const [first, second] = await Promise.all([post('orders/queued', { total: 3 }, headers), post('orders/queued', { total: 3 }, headers)]);
    const a = (await first.json()) as { executionId: string; duplicate: boolean };
    const b = (await second.json()) as { executionId: string; duplicate: boolean };
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(a.executionId).toBe(b.executionId);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    const third = (await (await post('orders/queued', { total: 3 }, headers)).json()) as { executionId: string; duplicate: boolean };
    expect(third).toMatchObject({ executionId: a.executionId, duplicate: true });
    const runs = await api.gql<{ executions: { edges: Array<{ node: { id: string } }> } }>(
      'query($id: ID!) { executions(first: 100, filter: { workflowId: $id }) { edges { node { id } } } }',
      { id: workflowId },
      token,
    );
    expect(runs.data!.executions.edges.filter((e) => e.node.id === a.executionId)).toHaveLength(1);
  });

  it('refuses bodies over the size limit and secrets that were rotated away', async () => {
    expect((await post('orders/new', { blob: 'x'.repeat(30_000) }, { 'x-tandem-webhook-secret': secret })).status).toBe(413);
    const rotated = await api.gql<{ rotateWebhookSecret: { webhookSecret: string } }>(
      'mutation($id: ID!) { rotateWebhookSecret(id: $id) { webhookSecret } }',
      { id: workflowId },
      token,
    );
    expect((await post('orders/queued', { total: 1 }, { 'x-tandem-webhook-secret': secret })).status).toBe(401);
    expect((await post('orders/queued', { total: 1 }, { 'x-tandem-webhook-secret': rotated.data!.rotateWebhookSecret.webhookSecret })).status).toBe(202);
  });
});
