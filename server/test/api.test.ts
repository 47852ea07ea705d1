import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, DATABASES, startApi, SUM_WORKFLOW, type Api } from './api-harness.js';

const CREATE = `mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id name latestVersion definition } }`;
const DEPLOY = `mutation($id: ID!, $message: String) { deployWorkflow(id: $id, message: $message) { id number message author { name } definition } }`;
const START = `mutation($id: ID!, $input: JSON) { startExecution(workflowId: $id, input: $input) { id status temporalWorkflowId } }`;
const EXECUTION = `query($id: ID!) { execution(id: $id) { id status result error startedAt finishedAt versionNumber temporalRunId } }`;
const EVENTS = `subscription($id: ID!, $after: String) { executionEvents(executionId: $id, after: $after) { id sequence type nodeId data } }`;

interface EventItem {
  executionEvents: { id: string; sequence: number; type: string; nodeId: string | null; data: Record<string, unknown> };
}

describe.each(DATABASES)('GraphQL API on %s', (database) => {
  let api: Api;
  let ada: { token: string; id: string };

  beforeAll(async () => {
    api = await startApi({ database });
    ada = await api.user('Ada');
  });
  afterAll(async () => {
    await api?.close();
  });

  async function deployedSum(token = ada.token): Promise<string> {
    const created = await api.gql<{ createWorkflow: { id: string } }>(CREATE, { input: { name: 'Sum', definition: SUM_WORKFLOW } }, token);
    const id = created.data!.createWorkflow.id;
    const deployed = await api.gql(DEPLOY, { id, message: 'first' }, token);
    expect(deployed.errors).toBeUndefined();
    return id;
  }

  it('signs up, signs in with the password, and refuses a wrong one with a generic error', async () => {
    const me = await api.gql<{ me: { name: string } }>('{ me { name } }', {}, ada.token);
    expect(me.data!.me.name).toBe('Ada');
    const email = (await api.gql<{ me: { email: string } }>('{ me { email } }', {}, ada.token)).data!.me.email;
    const signIn = await api.gql<{ signIn: { token: string } }>(
      `mutation { signIn(email: "${email.toUpperCase()}", password: "correct horse battery") { token } }`,
    );
    expect(signIn.data!.signIn.token).toMatch(/^tdm_s_/);
    const wrong = await api.gql(`mutation { signIn(email: "${email}", password: "wrong password!") { token } }`);
    const unknown = await api.gql(`mutation { signIn(email: "nobody-${Date.now()}@example.com", password: "wrong password!") { token } }`);
    expect(wrong.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    expect(unknown.errors![0]!.message).toBe(wrong.errors![0]!.message);
    const again = await api.gql(`mutation { signUp(email: "${email}", password: "another password", name: "Eve") { token } }`);
    expect(again.errors![0]!.extensions!.code).toBe('CONFLICT');
  });

  it('slows password guessing down with RATE_LIMITED', async () => {
    const { email } = await api.user('Target');
    const codes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const attempt = await api.gql(`mutation { signIn(email: "${email}", password: "guess number ${i}") { token } }`);
      codes.push(String(attempt.errors![0]!.extensions!.code));
    }
    expect(codes).toEqual([...Array(10).fill('UNAUTHENTICATED'), 'RATE_LIMITED', 'RATE_LIMITED']);
  });

  it('refuses anonymous and invalid credentials with UNAUTHENTICATED', async () => {
    expect((await api.gql('{ workflows { totalCount } }')).errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const forged = await api.gql('{ workflows { totalCount } }', {}, 'tdm_s_forgedforgedforgedforgedforged');
    expect(forged.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    expect(forged.status).toBe(401);
  });

  it('creates from JSON, deploys, starts, follows events live and reads the result', async () => {
    const id = await deployedSum();
    const started = await api.gql<{ startExecution: { id: string; status: string } }>(START, { id, input: { a: 2, b: 40 } }, ada.token);
    expect(started.data!.startExecution.status).toBe('RUNNING');
    const executionId = started.data!.startExecution.id;
    const stream = collect<EventItem>(api.ws(ada.token), EVENTS, { id: executionId });
    await stream.done;
    expect(stream.errors).toEqual([]);
    const events = stream.items.map((i) => i.executionEvents);
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(0)!.type).toBe('EXECUTION_STARTED');
    expect(events.at(-1)).toMatchObject({ type: 'EXECUTION_COMPLETED', data: { result: 42 } });
    const execution = await api.gql<{ execution: Record<string, unknown> }>(EXECUTION, { id: executionId }, ada.token);
    expect(execution.data!.execution).toMatchObject({ status: 'COMPLETED', result: 42, versionNumber: 1, error: null });
    expect(execution.data!.execution.finishedAt).not.toBeNull();
    expect(execution.data!.execution.temporalRunId).not.toBe('');
  });

  it('stores one error for a failed run, whether its event or Temporal (reconcile) told the server', async () => {
    const rejecting = {
      ...SUM_WORKFLOW,
      nodes: [
        { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
        { id: 'reject', type: 'fail', position: { x: 200, y: 0 }, config: { message: 'amount too small: {{ input.a }}' } },
      ],
      edges: [{ id: 'e1', source: 'start', target: 'reject' }],
    };
    const created = await api.gql<{ createWorkflow: { id: string } }>(CREATE, { input: { name: 'Rejects', definition: rejecting } }, ada.token);
    await api.gql(DEPLOY, { id: created.data!.createWorkflow.id }, ada.token);
    const executionId = (await api.gql<{ startExecution: { id: string } }>(START, { id: created.data!.createWorkflow.id, input: { a: 5 } }, ada.token)).data!
      .startExecution.id;
    const stream = collect<EventItem>(api.ws(ada.token), EVENTS, { id: executionId });
    await stream.done;
    expect(stream.items.at(-1)!.executionEvents.type).toBe('EXECUTION_FAILED');
    const read = async () => {
      const { status, error } = (await api.gql<{ execution: { status: string; error: unknown } }>(EXECUTION, { id: executionId }, ada.token)).data!.execution;
      return { status, error };
    };
    // Event path: the row followed the run's EXECUTION_FAILED event.
    const fromEvent = await read();
    expect(fromEvent).toMatchObject({
      status: 'FAILED',
      error: {
        message: 'node "reject" (fail) failed: amount too small: 5',
        nodeId: 'reject',
        nodeType: 'fail',
        cause: { type: 'FailNode', message: 'amount too small: 5' },
      },
    });
    // Reconcile path: the same row as if that event had never arrived, brought in line with Temporal.
    const em = api.server.db.em.fork();
    const row = await em.findOneOrFail('Execution', { id: executionId });
    Object.assign(row, { status: 'RUNNING', error: null, finishedAt: null });
    await em.flush();
    expect(await read()).toMatchObject({ status: 'RUNNING', error: null });
    await api.server.services.executions.reconcile(row as never);
    expect(await read()).toEqual(fromEvent);
  });

  it('resumes a subscription from a cursor with nothing missing and nothing repeated', async () => {
    const id = await deployedSum();
    const executionId = (await api.gql<{ startExecution: { id: string } }>(START, { id, input: { a: 1, b: 1 } }, ada.token)).data!.startExecution.id;
    const first = collect<EventItem>(api.ws(ada.token), EVENTS, { id: executionId }, (items) => items.length === 3);
    await first.done;
    const cursor = first.items[2]!.executionEvents.id;
    const rest = collect<EventItem>(api.ws(ada.token), EVENTS, { id: executionId, after: cursor });
    await rest.done;
    const all = [...first.items, ...rest.items].map((i) => i.executionEvents.sequence);
    expect(all).toEqual(all.map((_, i) => i + 1));
    expect(rest.items.at(-1)!.executionEvents.type).toBe('EXECUTION_COMPLETED');
    const stored = await api.gql<{ execution: { events: { totalCount: number; edges: Array<{ cursor: string; node: { sequence: number } }> } } }>(
      `query($id: ID!) { execution(id: $id) { events(first: 2, after: "${cursor}") { totalCount edges { cursor node { sequence } } pageInfo { hasNextPage } } } }`,
      { id: executionId },
      ada.token,
    );
    expect(stored.data!.execution.events.edges.map((e) => e.node.sequence)).toEqual([4, 5]);
    expect(stored.data!.execution.events.totalCount).toBe(all.length);
  });

  it('refuses a bad graph with BAD_USER_INPUT naming each problem with its node or edge', async () => {
    const bad = {
      ...SUM_WORKFLOW,
      nodes: [...SUM_WORKFLOW.nodes.slice(0, 2), { id: 'out', type: 'output', position: { x: 0, y: 0 }, config: { expression: 'nodes.add.' } }],
      edges: [...SUM_WORKFLOW.edges, { id: 'e3', source: 'add', target: 'missing' }],
    };
    const result = await api.gql(CREATE, { input: { name: 'Bad', definition: bad } }, ada.token);
    const error = result.errors![0]!;
    expect(error.extensions!.code).toBe('BAD_USER_INPUT');
    const problems = error.extensions!.problems as Array<{ nodeId: string | null; edgeId: string | null; path: string }>;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nodeId: 'out', path: 'nodes[2].config.expression' }),
        expect.objectContaining({ edgeId: 'e3', path: 'edges[2].target' }),
      ]),
    );
    expect(
      (
        await api.gql<{ workflows: { edges: Array<{ node: { name: string } }> } }>('{ workflows(first: 100) { edges { node { name } } } }', {}, ada.token)
      ).data!.workflows.edges.map((e) => e.node.name),
    ).not.toContain('Bad');
  });

  it("keeps other people's objects invisible: NOT_FOUND, never FORBIDDEN", async () => {
    const id = await deployedSum();
    const executionId = (await api.gql<{ startExecution: { id: string } }>(START, { id, input: { a: 1, b: 2 } }, ada.token)).data!.startExecution.id;
    const eve = await api.user('Eve');
    expect((await api.gql('query($id: ID!) { workflow(id: $id) { name } }', { id }, eve.token)).errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect((await api.gql(EXECUTION, { id: executionId }, eve.token)).errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect((await api.gql(START, { id, input: {} }, eve.token)).errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect((await api.gql(DEPLOY, { id }, eve.token)).errors![0]!.extensions!.code).toBe('NOT_FOUND');
    const list = await api.gql<{ workflows: { totalCount: number }; executions: { totalCount: number } }>(
      '{ workflows { totalCount } executions { totalCount } }',
      {},
      eve.token,
    );
    expect(list.data).toEqual({ workflows: { totalCount: 0 }, executions: { totalCount: 0 } });
    const spy = collect<EventItem>(api.ws(eve.token), EVENTS, { id: executionId });
    await spy.done;
    expect(spy.items).toEqual([]);
    expect(JSON.stringify(spy.errors)).toContain('NOT_FOUND');
  });

  it('exports and imports a workflow identically', async () => {
    const id = await deployedSum();
    const exported = await api.gql<{ exportWorkflow: Record<string, unknown> }>('query($id: ID!) { exportWorkflow(id: $id, version: 1) }', { id }, ada.token);
    const imported = await api.gql<{ importWorkflow: { id: string } }>(
      'mutation($doc: JSON!) { importWorkflow(document: $doc) { id } }',
      { doc: exported.data!.exportWorkflow },
      ada.token,
    );
    const again = await api.gql<{ exportWorkflow: unknown }>(
      'query($id: ID!) { exportWorkflow(id: $id) }',
      { id: imported.data!.importWorkflow.id },
      ada.token,
    );
    expect(again.data!.exportWorkflow).toEqual(exported.data!.exportWorkflow);
    // The stored form is the validated document: defaults (here `params`) are filled in, and
    // createWorkflow's own description (none here) replaces the document's.
    expect(again.data!.exportWorkflow).toEqual({ ...SUM_WORKFLOW, description: '', params: {} });
  });

  it('numbers deployed versions and starts the version asked for', async () => {
    const id = await deployedSum();
    const changed = { ...SUM_WORKFLOW, nodes: SUM_WORKFLOW.nodes.map((n) => (n.id === 'out' ? { ...n, config: { expression: 'nodes.add.total * 10' } } : n)) };
    await api.gql('mutation($id: ID!, $d: JSON!) { updateWorkflowDefinition(id: $id, definition: $d) { id } }', { id, d: changed }, ada.token);
    const v2 = await api.gql<{ deployWorkflow: { number: number; author: { name: string } } }>(DEPLOY, { id, message: 'times ten' }, ada.token);
    expect(v2.data!.deployWorkflow).toMatchObject({ number: 2, author: { name: 'Ada' } });
    const run = async (version: number | null) => {
      const started = await api.gql<{ startExecution: { id: string } }>(
        'mutation($id: ID!, $v: Int) { startExecution(workflowId: $id, input: {a: 1, b: 2}, version: $v) { id } }',
        { id, v: version },
        ada.token,
      );
      const stream = collect<EventItem>(api.ws(ada.token), EVENTS, { id: started.data!.startExecution.id });
      await stream.done;
      return stream.items.at(-1)!.executionEvents.data.result;
    };
    expect(await run(1)).toBe(3);
    expect(await run(null)).toBe(30);
    const versions = await api.gql<{ workflow: { versions: { totalCount: number; edges: Array<{ node: { number: number; message: string } }> } } }>(
      'query($id: ID!) { workflow(id: $id) { versions { totalCount edges { node { number message } } } } }',
      { id },
      ada.token,
    );
    expect(versions.data!.workflow.versions.edges.map((e) => [e.node.number, e.node.message])).toEqual([
      [2, 'times ten'],
      [1, 'first'],
    ]);
  });

  it('pages workflows with Relay cursors and bounds page sizes', async () => {
    const user = await api.user('Pager');
    for (let i = 0; i < 5; i++) await api.gql(CREATE, { input: { name: `W${i}`, definition: SUM_WORKFLOW } }, user.token);
    const page = (after: string | null) =>
      api.gql<{ workflows: { totalCount: number; edges: Array<{ node: { name: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
        'query($after: String) { workflows(first: 2, after: $after) { totalCount edges { node { name } } pageInfo { hasNextPage endCursor } } }',
        { after },
        user.token,
      );
    const names: string[] = [];
    let after: string | null = null;
    for (;;) {
      const result: { totalCount: number; edges: Array<{ node: { name: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } = (
        await page(after)
      ).data!.workflows;
      expect(result.totalCount).toBe(5);
      names.push(...result.edges.map((e) => e.node.name));
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    expect(names).toEqual(['W4', 'W3', 'W2', 'W1', 'W0']);
    await api.gql(CREATE, { input: { name: 'Billing Report', definition: SUM_WORKFLOW } }, user.token);
    const found = await api.gql<{ workflows: { edges: Array<{ node: { name: string } }> } }>(
      '{ workflows(filter: { search: "billing" }) { edges { node { name } } } }',
      {},
      user.token,
    );
    expect(found.data!.workflows.edges.map((e) => e.node.name)).toEqual(['Billing Report']);
    const tooMany = await api.gql('{ workflows(first: 101) { totalCount } }', {}, user.token);
    expect(tooMany.errors![0]).toMatchObject({ message: 'first must be between 0 and 100', extensions: { code: 'BAD_USER_INPUT' } });
    const forgedCursor = await api.gql('{ workflows(after: "garbage") { totalCount } }', {}, user.token);
    expect(forgedCursor.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('revocable API tokens: shown once, listed without the secret, refused after revocation', async () => {
    const created = await api.gql<{ createApiToken: { secret: string; token: { id: string; prefix: string } } }>(
      'mutation { createApiToken(name: "ci") { secret token { id prefix } } }',
      {},
      ada.token,
    );
    const { secret, token } = created.data!.createApiToken;
    expect(secret.startsWith(token.prefix)).toBe(true);
    expect((await api.gql<{ me: { name: string } }>('{ me { name } }', {}, secret)).data!.me.name).toBe('Ada');
    const listed = await api.gql<{ apiTokens: Array<Record<string, unknown>> }>('{ apiTokens { id name prefix revokedAt } }', {}, ada.token);
    expect(listed.data!.apiTokens).toContainEqual({ id: token.id, name: 'ci', prefix: token.prefix, revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(secret);
    await api.gql('mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { id: token.id }, ada.token);
    expect((await api.gql('{ me { name } }', {}, secret)).errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });
});
