import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { docMaps, docToDefinition, setConfigValue } from '@tandem/schema/collab';
import { eventually } from '../../test-support/eventually.js';
import { DocumentStore } from '../src/collab/store.js';
import { DATABASES, SUM_WORKFLOW, startApi, type Api } from './api-harness.js';
import { addNode, connectEditor, converged, moveNode, rawSocket, ticketFor, type Editor } from './collab-harness.js';

const CREATE = `mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }`;
const DEFINITION = `query($id: ID!) { workflow(id: $id) { name definition myRole webhookSecret members { role user { email } } } }`;

describe.each(DATABASES)('live co-editing (%s)', (database) => {
  let api: Api;
  const editors: Editor[] = [];

  beforeAll(async () => {
    api = await startApi({ database, worker: false, config: { collabIdleUnloadMs: 200 } });
  });
  afterAll(async () => {
    for (const editor of editors) editor.destroy();
    await api.close();
  });

  async function workflowOf(token: string): Promise<string> {
    const created = await api.gql<{ createWorkflow: { id: string } }>(CREATE, { input: { name: 'Sum', definition: SUM_WORKFLOW } }, token);
    return created.data!.createWorkflow.id;
  }
  async function editor(token: string, id: string): Promise<Editor> {
    const connected = await connectEditor(api, token, id);
    editors.push(connected);
    return connected;
  }
  async function draft(token: string, id: string): Promise<Record<string, unknown>> {
    const result = await api.gql<{ workflow: { definition: Record<string, unknown> } }>(DEFINITION, { id }, token);
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data.workflow.definition;
  }

  it('serves the stored draft, and two editors converge on concurrent edits to different and the same nodes', async () => {
    const ada = await api.user('Ada');
    const id = await workflowOf(ada.token);
    const [a, b] = [await editor(ada.token, id), await editor(ada.token, id)];
    expect(a.definition()).toEqual({ ...SUM_WORKFLOW, description: '', params: {} });

    moveNode(a, 'add', 10, 20);
    moveNode(b, 'out', 30, 40);
    // Same node, different config fields: both survive. Same field: one value wins everywhere.
    (a.maps.nodes.get('add')!.get('config') as Y.Map<unknown>).set('expression', 'input.a * 2');
    (b.maps.nodes.get('add')!.get('config') as Y.Map<unknown>).set('timeoutMs', 1000);
    addNode(a, 'extra');
    b.maps.meta.set('name', 'Sum, renamed');
    await converged([a.doc, b.doc]);
    await Promise.all([a.saved(), b.saved()]);

    const result = a.definition();
    expect(result.name).toBe('Sum, renamed');
    expect(result.nodes.find((n) => n.id === 'add')).toMatchObject({ position: { x: 10, y: 20 }, config: { expression: 'input.a * 2', timeoutMs: 1000 } });
    expect(result.nodes.find((n) => n.id === 'out')!.position).toEqual({ x: 30, y: 40 });
    expect(result.nodes.map((n) => n.id)).toContain('extra');
    // The API reads the live document; the row's name follows it for lists and search.
    expect(await draft(ada.token, id)).toEqual(result);
    await eventually(
      async () => {
        const list = await api.gql<{ workflows: { edges: Array<{ node: { name: string } }> } }>(
          '{ workflows(filter: { search: "renamed" }) { edges { node { name } } } }',
          {},
          ada.token,
        );
        return list.data?.workflows.edges.length === 1;
      },
      { timeoutMs: 5_000, what: 'the renamed workflow shows up in search' },
    );
  });

  it('keeps the row a copy of the draft by one rule: a long name is cut to 200 characters, a blank one keeps the last', async () => {
    const ada = await api.user('Ada');
    const id = await workflowOf(ada.token);
    const a = await editor(ada.token, id);
    const rowName = async () =>
      (await api.gql<{ workflow: { name: string } }>('query($id: ID!) { workflow(id: $id) { name } }', { id }, ada.token)).data!.workflow.name;
    a.maps.meta.set('name', `  ${'long '.repeat(60)}`);
    await a.saved();
    await eventually(async () => (await rowName()) === 'long '.repeat(60).trim().slice(0, 200), { timeoutMs: 5_000, what: 'the row takes the cut name' });
    a.maps.meta.set('name', '   ');
    a.maps.meta.set('description', 'blank name');
    await a.saved();
    await eventually(
      async () => {
        const list = await api.gql<{ workflows: { edges: Array<{ node: { id: string; name: string; description: string } }> } }>(
          '{ workflows(first: 100) { edges { node { id name description } } } }',
          {},
          ada.token,
        );
        const row = list.data!.workflows.edges.find((e) => e.node.id === id)!.node;
        return row.description === 'blank name' && row.name === 'long '.repeat(60).trim().slice(0, 200);
      },
      { timeoutMs: 5_000, what: 'the row keeps its name when the draft has none' },
    );
  });

  it('bridges GraphQL and the document both ways: updateWorkflowDefinition applies a difference, deploy snapshots the live draft', async () => {
    const ada = await api.user('Ada');
    const id = await workflowOf(ada.token);
    const a = await editor(ada.token, id);
    moveNode(a, 'start', 5, 5); // a concurrent edit the API update must not undo
    await a.saved();

    const changed = structuredClone(SUM_WORKFLOW);
    changed.nodes[2]!.config = { expression: 'nodes.add.total + 1' };
    const updated = await api.gql(
      'mutation($id: ID!, $d: JSON!) { updateWorkflowDefinition(id: $id, definition: $d) { id } }',
      { id, d: { ...changed, nodes: changed.nodes.map((n) => (n.id === 'start' ? { ...n, position: { x: 5, y: 5 } } : n)) } },
      ada.token,
    );
    expect(updated.errors).toBeUndefined();
    await eventually(() => a.definition().nodes[2]!.config.expression === 'nodes.add.total + 1', { timeoutMs: 5_000, what: 'the editor sees the API change' });
    expect(a.definition().nodes[0]!.position).toEqual({ x: 5, y: 5 });

    // An editor's change is what deploy takes, with no save step in between.
    (a.maps.nodes.get('add')!.get('config') as Y.Map<unknown>).set('expression', "{ 'total': input.a - input.b }");
    await a.saved();
    const deployed = await api.gql<{ deployWorkflow: { definition: { nodes: Array<{ config: Record<string, unknown> }> } } }>(
      'mutation($id: ID!) { deployWorkflow(id: $id, message: "live") { definition } }',
      { id },
      ada.token,
    );
    expect(deployed.data!.deployWorkflow.definition.nodes[1]!.config.expression).toBe("{ 'total': input.a - input.b }");

    // An invalid draft in the document is kept (it is being edited) but cannot be deployed; the problem names the node.
    a.maps.nodes.get('add')!.set('type', 'no.such.type');
    await a.saved();
    const refused = await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id }, ada.token);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(refused.errors?.[0]?.extensions?.problems)).toContain('"nodeId":"add"');
  });

  it('makes viewers read-only: their edits reach nobody and are not stored; revoking access closes their socket', async () => {
    const ada = await api.user('Ada');
    const bob = await api.user('Bob');
    const id = await workflowOf(ada.token);
    const shared = await api.gql(
      'mutation($id: ID!, $email: String!) { shareWorkflow(workflowId: $id, email: $email, role: VIEWER) { role } }',
      { id, email: bob.email },
      ada.token,
    );
    expect(shared.errors).toBeUndefined();
    expect((await ticketFor(api, bob.token, id)).readOnly).toBe(true);

    const owner = await editor(ada.token, id);
    const viewer = await editor(bob.token, id);
    await eventually(() => viewer.denied.length > 0, { timeoutMs: 5_000, what: 'the viewer is told' });
    expect(viewer.denied[0]).toMatch(/read-only/);

    moveNode(viewer, 'add', 999, 999);
    // The server handles a socket's messages in order and relays an accepted edit at once: once
    // the viewer's next message (its presence) reaches the owner, its edit would have too.
    viewer.provider.awareness.setLocalStateField('user', { name: 'Bob, after editing' });
    moveNode(owner, 'out', 1, 1);
    await owner.saved();
    await eventually(() => viewer.definition().nodes[2]!.position.x === 1, { timeoutMs: 5_000, what: 'the viewer receives edits' });
    await eventually(
      () => [...owner.provider.awareness.getStates().values()].some((s) => (s as { user?: { name?: string } }).user?.name === 'Bob, after editing'),
      {
        timeoutMs: 5_000,
        what: "the viewer's next message reaches the owner",
      },
    );
    expect(owner.definition().nodes[1]!.position).toEqual(SUM_WORKFLOW.nodes[1]!.position);
    expect((await draft(ada.token, id)).nodes).toEqual(owner.definition().nodes);

    // GraphQL uses the same roles.
    const asViewer = await api.gql<{ workflow: { myRole: string; webhookSecret: string | null } }>(DEFINITION, { id }, bob.token);
    expect(asViewer.data!.workflow).toMatchObject({ myRole: 'VIEWER', webhookSecret: null });
    const deploy = await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id }, bob.token);
    expect(deploy.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const update = await api.gql(
      'mutation($id: ID!, $d: JSON!) { updateWorkflowDefinition(id: $id, definition: $d) { id } }',
      { id, d: SUM_WORKFLOW },
      bob.token,
    );
    expect(update.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const revoked = await api.gql(
      'mutation($id: ID!, $email: String!) { unshareWorkflow(workflowId: $id, email: $email) }',
      { id, email: bob.email },
      ada.token,
    );
    expect(revoked.data).toEqual({ unshareWorkflow: true });
    await eventually(() => viewer.closes.some((c) => c.code === 4403), { timeoutMs: 5_000, what: 'the revoked socket closes' });
    expect((await api.gql(DEFINITION, { id }, bob.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('lets editors edit, deploy and run, and keeps delete and sharing to the owner', async () => {
    const ada = await api.user('Ada');
    const cy = await api.user('Cy');
    const id = await workflowOf(ada.token);
    await api.gql(
      'mutation($id: ID!, $email: String!) { shareWorkflow(workflowId: $id, email: $email, role: EDITOR) { role } }',
      { id, email: cy.email },
      ada.token,
    );
    const members = await api.gql<{ workflow: { members: Array<{ role: string; user: { email: string } }> } }>(DEFINITION, { id }, ada.token);
    expect(members.data!.workflow.members).toEqual([
      { role: 'OWNER', user: { email: ada.email } },
      { role: 'EDITOR', user: { email: cy.email } },
    ]);
    const cyEditor = await editor(cy.token, id);
    expect(cyEditor.denied).toEqual([]);
    moveNode(cyEditor, 'add', 7, 7);
    await cyEditor.saved();
    expect((await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id }, cy.token)).data).toEqual({ deployWorkflow: { number: 1 } });
    const list = await api.gql<{ workflows: { totalCount: number } }>('{ workflows { totalCount } }', {}, cy.token);
    expect(list.data!.workflows.totalCount).toBe(1);
    expect((await api.gql('mutation($id: ID!) { deleteWorkflow(id: $id) }', { id }, cy.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const reshare = await api.gql(
      'mutation($id: ID!, $email: String!) { shareWorkflow(workflowId: $id, email: $email, role: EDITOR) { role } }',
      { id, email: ada.email },
      cy.token,
    );
    expect(reshare.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // A stranger learns nothing about the workflow.
    const eve = await api.user('Eve');
    expect((await api.gql('mutation($id: ID!) { collabTicket(workflowId: $id) { ticket } }', { id }, eve.token)).errors?.[0]?.extensions?.code).toBe(
      'NOT_FOUND',
    );
  });

  it('refuses forged, expired, foreign and missing tickets before sending any document data', async () => {
    const ada = await api.user('Ada');
    const id = await workflowOf(ada.token);
    const other = await workflowOf(ada.token);
    const ticket = await ticketFor(api, ada.token, id);
    const base = `${ticket.url}/${id}`;
    const [body, signature] = ticket.ticket.split('.') as [string, string];
    const forged = `${Buffer.from(
      Buffer.from(body, 'base64url')
        .toString()
        .replace(/"[^"]+"/, '"someone-else"'),
    ).toString('base64url')}.${signature}`;
    const expired = (() => {
      const parts = JSON.parse(Buffer.from(body, 'base64url').toString()) as unknown[];
      parts[2] = Date.now() - 1;
      return `${Buffer.from(JSON.stringify(parts)).toString('base64url')}.${signature}`;
    })();
    for (const [url, reason] of [
      [base, /ticket is required/],
      [`${base}?ticket=${forged}`, /not valid/],
      [`${base}?ticket=${expired}`, /not valid/], // re-signed claims are forgeries too
      [`${ticket.url}/${other}?ticket=${ticket.ticket}`, /another workflow/],
      [`${base}?ticket=garbage`, /malformed/],
    ] as const) {
      const result = await rawSocket(url);
      expect(result.close.code, url).toBe(4401);
      expect(result.close.reason).toMatch(reason);
      expect(result.messages).toEqual([]);
    }
    // A browser page from another origin cannot open the socket, even with a valid ticket.
    const foreignOrigin = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${base}?ticket=${ticket.ticket}`, { headers: { origin: 'https://evil.example' } });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => {});
    });
    expect(foreignOrigin).toBe(403);
    // Messages over the size limit close the socket (1009: message too big).
    const tooBig = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${base}?ticket=${ticket.ticket}`);
      socket.on('open', () => socket.send(new Uint8Array(5_000_000)));
      socket.on('close', (code) => resolve(code));
      socket.on('error', () => {});
    });
    expect(tooBig).toBe(1009);
    // A real ticket past its time.
    const shortLived = await startApi({ database: 'sqlite', worker: false, config: { collabTicketTtlMs: 1 } });
    try {
      const bo = await shortLived.user('Bo');
      const created = await shortLived.gql<{ createWorkflow: { id: string } }>(CREATE, { input: { name: 'Sum', definition: SUM_WORKFLOW } }, bo.token);
      const late = await ticketFor(shortLived, bo.token, created.data!.createWorkflow.id);
      await eventually(() => Date.now() > Date.parse(late.expiresAt), { what: 'the ticket expires' });
      const result = await rawSocket(`${late.url}/${late.room}?ticket=${late.ticket}`);
      expect(result.close).toMatchObject({ code: 4401 });
      expect(result.close.reason).toMatch(/expired/);
    } finally {
      await shortLived.close();
    }
  });

  it('closes a socket that sends malformed data, and the stored document stays intact', async () => {
    const ada = await api.user('Ada');
    const id = await workflowOf(ada.token);
    const a = await editor(ada.token, id);
    moveNode(a, 'add', 3, 3);
    await a.saved();
    const ticket = await ticketFor(api, ada.token, id);
    const garbage = (bytes: Uint8Array) =>
      new Promise<{ code: number; reason: string }>((resolve) => {
        const socket = new WebSocket(`${ticket.url}/${id}?ticket=${ticket.ticket}`);
        socket.on('open', () => socket.send(bytes));
        socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
      });
    const badUpdate = encoding.createEncoder();
    encoding.writeVarUint(badUpdate, 0);
    encoding.writeVarUint(badUpdate, 2);
    encoding.writeVarUint8Array(badUpdate, new Uint8Array([5, 200, 1, 7, 7, 7, 7, 7]));
    expect(await garbage(encoding.toUint8Array(badUpdate))).toMatchObject({ code: 4400, reason: 'malformed Yjs update' });
    expect((await garbage(new Uint8Array([77, 1, 2]))).code).toBe(4400);
    expect((await garbage(new Uint8Array([0]))).code).toBe(4400);
    // The good editor is unaffected and the stored draft is what it was.
    moveNode(a, 'out', 4, 4);
    await a.saved();
    expect((await draft(ada.token, id)).nodes).toEqual(a.definition().nodes);
  });

  it('persists every acknowledged edit: a room unloaded when idle reloads with them all', async () => {
    const ada = await api.user('Ada');
    const id = await workflowOf(ada.token);
    const a = await editor(ada.token, id);
    for (let i = 0; i < 30; i++) moveNode(a, 'add', i, i);
    addNode(a, 'later');
    await a.saved();
    const expected = a.definition();
    a.destroy();
    await eventually(() => !api.server.services.collab.isLoaded(id), { timeoutMs: 5_000, what: 'the idle room is unloaded' });
    const b = await editor(ada.token, id);
    expect(b.definition()).toEqual(expected);
  });

  it('closes a socket that floods the server, without affecting others', async () => {
    const ada = await api.user('Ada');
    const id = await workflowOf(ada.token);
    const ticket = await ticketFor(api, ada.token, id);
    const close = await new Promise<{ code: number; reason: string }>((resolve) => {
      const socket = new WebSocket(`${ticket.url}/${id}?ticket=${ticket.ticket}`);
      const query = new Uint8Array([3]); // query-awareness: cheap and valid
      socket.on('open', () => {
        for (let i = 0; i < 2_000; i++) socket.send(query);
      });
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    expect(close.code).toBe(4429);
    expect(close.reason).toMatch(/rate limit/);
    const a = await editor(ada.token, id);
    moveNode(a, 'add', 1, 1);
    await a.saved();
  });

  it('compacts stored updates into the state without losing any, even when two servers compact at once', async () => {
    const ada = await api.user('Ada');
    const id = await workflowOf(ada.token);
    const a = await editor(ada.token, id);
    for (let i = 0; i < 40; i++) {
      moveNode(a, 'add', i, -i);
      await a.saved();
    }
    const expected = a.definition();
    const store = new DocumentStore(api.server.db);
    expect(await store.tailLength(id)).toBeGreaterThanOrEqual(40);
    const results = await Promise.all([store.compact(id), store.compact(id)]);
    expect(results.map((r) => r.merged).sort()).toEqual([0, expect.any(Number)].sort());
    expect(await store.tailLength(id)).toBe(0);
    const stored = await store.load(id);
    const doc = new Y.Doc({ gc: false });
    Y.applyUpdate(doc, stored.state!);
    expect(docToDefinition(doc)).toEqual(expected);
  });

  it('reads a whole document while a compaction commits between reading its state and its tail', async () => {
    const ada = await api.user('Ada');
    const id = await workflowOf(ada.token);
    const a = await editor(ada.token, id);
    for (let i = 0; i < 10; i++) moveNode(a, 'add', i, i);
    addNode(a, 'later');
    await a.saved();
    const expected = a.definition();
    // Another room (unloading, or on another server) compacts right after this read took the state.
    const store = new DocumentStore(api.server.db);
    const readTail = store.updatesAfter.bind(store);
    let compacted = false;
    store.updatesAfter = async (workflowId, afterId) => {
      if (!compacted) {
        compacted = true;
        expect((await new DocumentStore(api.server.db).compact(workflowId)).merged).toBeGreaterThan(0);
      }
      return readTail(workflowId, afterId);
    };
    const stored = await store.load(id);
    expect(compacted).toBe(true);
    const doc = new Y.Doc({ gc: false });
    Y.applyUpdate(doc, stored.state!);
    for (const update of stored.updates) Y.applyUpdate(doc, update.data);
    expect(docToDefinition(doc)).toEqual(expected);
  });

  it('a room catching up gets edits another server stored and compacted before it read them', async () => {
    const ada = await api.user('Ada');
    const id = await workflowOf(ada.token);
    const a = await editor(ada.token, id);
    moveNode(a, 'add', 1, 1);
    await a.saved();
    // Another server stores an edit this room never hears of (its fan-out message lost), then compacts.
    const store = new DocumentStore(api.server.db);
    const elsewhere = new Y.Doc({ gc: false });
    const stored = await store.load(id);
    for (const update of [stored.state!, ...stored.updates.map((u) => u.data)]) Y.applyUpdate(elsewhere, update);
    const before = Y.encodeStateVector(elsewhere);
    setConfigValue(docMaps(elsewhere).nodes.get('add')!.get('config') as Y.Map<unknown>, 'expression', "{ 'total': input.a * input.b }");
    await store.append(id, [Y.encodeStateAsUpdate(elsewhere, before)]);
    expect((await store.compact(id)).merged).toBeGreaterThan(0);
    // A deploy reads the open room after catching up with what is stored.
    const deployed = await api.gql<{ deployWorkflow: { definition: { nodes: Array<{ id: string; config: Record<string, unknown> }> } } }>(
      'mutation($id: ID!) { deployWorkflow(id: $id) { definition } }',
      { id },
      ada.token,
    );
    expect(deployed.data!.deployWorkflow.definition.nodes.find((n) => n.id === 'add')!.config.expression).toBe("{ 'total': input.a * input.b }");
  });

  it('stops taking edits once a document reaches its size limit, and keeps what it holds', async () => {
    const small = await startApi({ database, worker: false, config: { collabMaxDocumentBytes: 20_000 } });
    try {
      const ada = await small.user('Ada');
      const created = await small.gql<{ createWorkflow: { id: string } }>(CREATE, { input: { name: 'Sum', definition: SUM_WORKFLOW } }, ada.token);
      const id = created.data!.createWorkflow.id;
      const a = await connectEditor(small, ada.token, id);
      editors.push(a);
      moveNode(a, 'add', 2, 2);
      await a.saved();
      (a.maps.nodes.get('add')!.get('config') as Y.Map<unknown>).set('expression', `"${'x'.repeat(30_000)}"`);
      await eventually(() => a.closes.some((c) => c.code === 4413), { timeoutMs: 5_000, what: 'the socket closes' });
      expect(a.closes.find((c) => c.code === 4413)!.reason).toMatch(/larger than/);
      a.provider.disconnect();
      const stored = await small.gql<{ workflow: { definition: { nodes: Array<{ position: unknown; config: { expression: string } }> } } }>(
        DEFINITION,
        { id },
        ada.token,
      );
      expect(stored.data!.workflow.definition.nodes[1]).toMatchObject({ position: { x: 2, y: 2 }, config: { expression: "{ 'total': input.a + input.b }" } });
    } finally {
      await small.close();
    }
  });

  it('merges two people typing in the same expression while one of them is offline', async () => {
    const ada = await api.user('Ada');
    const id = await workflowOf(ada.token);
    const [a, b] = [await editor(ada.token, id), await editor(ada.token, id)];
    // The document is seeded with expressions as text, which both clients edit by difference.
    const config = (e: Editor) => e.maps.nodes.get('add')!.get('config') as Y.Map<unknown>;
    await eventually(() => config(a).get('expression') instanceof Y.Text && config(b).get('expression') instanceof Y.Text, {
      timeoutMs: 5_000,
      what: 'both see text',
    });
    b.provider.disconnect();
    setConfigValue(config(a), 'expression', "{ 'total': input.a + input.b + 1 }");
    setConfigValue(config(b), 'expression', "{ 'sum': input.a + input.b }");
    b.provider.connect();
    await converged([a.doc, b.doc]);
    await Promise.all([a.saved(), b.saved()]);
    expect(a.definition().nodes[1]!.config.expression).toBe("{ 'sum': input.a + input.b + 1 }");
    expect(((await draft(ada.token, id)).nodes as Array<{ config: { expression: string } }>)[1]!.config.expression).toBe("{ 'sum': input.a + input.b + 1 }");
  });
});
