import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knexOf } from '../src/db/orm.js';
import { DATABASES, startApi, SUM_WORKFLOW, type Api } from './api-harness.js';

const AUDIT = `query($first: Int, $after: String, $filter: AuditLogFilter) {
  auditLog(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id at action actor { id name } targetType targetId workflowId details clientAddress } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface AuditNode {
  id: string;
  at: string;
  action: string;
  actor: { id: string; name: string } | null;
  targetType: string;
  targetId: string | null;
  workflowId: string | null;
  details: Record<string, unknown>;
  clientAddress: string | null;
}

const PASSWORD = 'correct horse battery';

describe.each(DATABASES)('audit log on %s', (database) => {
  let api: Api;

  beforeAll(async () => {
    api = await startApi({ database });
  });
  afterAll(async () => {
    await api?.close();
  });

  async function log(token: string, filter: Record<string, unknown> = {}, first = 100): Promise<AuditNode[]> {
    const result = await api.gql<{ auditLog: { edges: Array<{ node: AuditNode }> } }>(AUDIT, { first, filter }, token);
    expect(result.errors).toBeUndefined();
    return result.data!.auditLog.edges.map((e) => e.node);
  }

  async function signIn(email: string, password: string) {
    return api.gql<{ signIn: { token: string } }>('mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }', {
      e: email,
      p: password,
    });
  }

  it('records sign-up, sign-in and failed sign-ins, each once with the right actor and target, and no password', async () => {
    const ada = await api.user('Ada');
    expect((await signIn(ada.email, PASSWORD)).errors).toBeUndefined();
    expect((await signIn(ada.email, 'wrong password, surely')).errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const nobody = `nobody-${Date.now()}@example.com`;
    expect((await signIn(nobody, 'wrong password, surely')).errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    // An unknown account: stored for operators with the address, without what was typed (it may be a password).
    const anonymous = await knexOf(api.server.db)('audit_events').where({ action: 'SIGN_IN_FAILED' }).whereNull('owner_id');
    expect(anonymous).toHaveLength(1);
    expect(anonymous[0]).toMatchObject({ actor_id: null, target_id: null });
    expect(JSON.stringify(anonymous)).toContain('UNKNOWN_ACCOUNT');
    expect(JSON.stringify(anonymous)).not.toContain('nobody-');

    const events = await log(ada.token);
    expect(events.map((e) => e.action)).toEqual(['SIGN_IN_FAILED', 'SIGN_IN', 'SIGN_UP']);
    const [failed, signedIn, signedUp] = events as [AuditNode, AuditNode, AuditNode];
    expect(signedUp).toMatchObject({ actor: { id: ada.id }, targetType: 'USER', targetId: ada.id });
    expect(signedIn).toMatchObject({ actor: { id: ada.id }, targetType: 'USER', targetId: ada.id, clientAddress: expect.stringMatching(/127\.0\.0\.1/) });
    // A wrong password on Ada's account: no actor, Ada's account as target, the address it came from.
    expect(failed).toMatchObject({ actor: null, targetType: 'USER', targetId: ada.id, details: { reason: 'WRONG_PASSWORD' } });
    expect(failed.clientAddress).toMatch(/127\.0\.0\.1/);
    expect(JSON.stringify(events)).not.toContain('wrong password');
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
    expect(Number(events[0]!.id)).toBeGreaterThan(Number(events[1]!.id));
  });

  it('records API tokens created and revoked, and secrets set and deleted, without their values', async () => {
    const ada = await api.user('Ada');
    const created = await api.gql<{ createApiToken: { secret: string; token: { id: string } } }>(
      'mutation { createApiToken(name: "ci") { secret token { id } } }',
      {},
      ada.token,
    );
    const tokenId = created.data!.createApiToken.token.id;
    const revoke = `mutation($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }`;
    await api.gql(revoke, { id: tokenId }, ada.token);
    await api.gql(revoke, { id: tokenId }, ada.token); // revoking again changes nothing and records nothing
    const setSecret = `mutation($v: String!) { setSecret(name: "DEPLOY_KEY", value: $v) { name } }`;
    await api.gql(setSecret, { v: 'first-value-0001' }, ada.token);
    await api.gql(setSecret, { v: 'second-value-0002' }, ada.token);
    await api.gql('mutation { deleteSecret(name: "DEPLOY_KEY") }', {}, ada.token);
    await api.gql('mutation { deleteSecret(name: "DEPLOY_KEY") }', {}, ada.token); // none left: nothing recorded

    const events = (await log(ada.token)).filter((e) => e.action !== 'SIGN_UP');
    expect(events.map((e) => e.action)).toEqual(['SECRET_DELETED', 'SECRET_SET', 'SECRET_SET', 'API_TOKEN_REVOKED', 'API_TOKEN_CREATED']);
    for (const event of events) expect(event.actor).toMatchObject({ id: ada.id });
    expect(events[4]).toMatchObject({ targetType: 'API_TOKEN', targetId: tokenId, details: { name: 'ci' } });
    expect(events[3]).toMatchObject({ targetType: 'API_TOKEN', targetId: tokenId });
    expect(events[2]).toMatchObject({ targetType: 'SECRET', targetId: 'DEPLOY_KEY', details: { name: 'DEPLOY_KEY', created: true } });
    expect(events[1]).toMatchObject({ details: { created: false } });
    expect(events[0]).toMatchObject({ targetType: 'SECRET', targetId: 'DEPLOY_KEY' });
    const text = JSON.stringify(events);
    for (const value of ['first-value-0001', 'second-value-0002', created.data!.createApiToken.secret]) expect(text).not.toContain(value);

    // The filter, and pages.
    expect((await log(ada.token, { action: 'SECRET_SET' })).map((e) => e.details.created)).toEqual([false, true]);
    const page = await api.gql<{ auditLog: { totalCount: number; edges: Array<{ node: AuditNode }>; pageInfo: { endCursor: string; hasNextPage: boolean } } }>(
      AUDIT,
      { first: 2 },
      ada.token,
    );
    expect(page.data!.auditLog.totalCount).toBe(6);
    expect(page.data!.auditLog.pageInfo.hasNextPage).toBe(true);
    const next = await api.gql<{ auditLog: { edges: Array<{ node: AuditNode }> } }>(
      AUDIT,
      { first: 10, after: page.data!.auditLog.pageInfo.endCursor },
      ada.token,
    );
    expect(next.data!.auditLog.edges.map((e) => e.node.action)).toEqual(['SECRET_SET', 'API_TOKEN_REVOKED', 'API_TOKEN_CREATED', 'SIGN_UP']);
  });

  it('records share, role change, unshare and deploy; the owner sees an editor’s deploy, others see nothing', async () => {
    const owner = await api.user('Owner');
    const editor = await api.user('Editor');
    const stranger = await api.user('Stranger');
    const created = await api.gql<{ createWorkflow: { id: string } }>(
      'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
      { input: { name: 'Sum', definition: SUM_WORKFLOW } },
      owner.token,
    );
    const workflowId = created.data!.createWorkflow.id;
    const share = `mutation($w: ID!, $e: String!, $r: WorkflowRole!) { shareWorkflow(workflowId: $w, email: $e, role: $r) { role } }`;
    expect((await api.gql(share, { w: workflowId, e: editor.email, r: 'VIEWER' }, owner.token)).errors).toBeUndefined();
    expect((await api.gql(share, { w: workflowId, e: editor.email, r: 'EDITOR' }, owner.token)).errors).toBeUndefined();
    const deployed = await api.gql<{ deployWorkflow: { id: string; number: number } }>(
      'mutation($id: ID!) { deployWorkflow(id: $id) { id number } }',
      { id: workflowId },
      editor.token,
    );
    expect(deployed.errors).toBeUndefined();
    // A refused action records nothing.
    expect((await api.gql(share, { w: workflowId, e: stranger.email, r: 'VIEWER' }, editor.token)).errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(
      (await api.gql('mutation($w: ID!, $e: String!) { unshareWorkflow(workflowId: $w, email: $e) }', { w: workflowId, e: editor.email }, owner.token)).errors,
    ).toBeUndefined();

    const seenByOwner = await log(owner.token, { workflowId });
    expect(seenByOwner.map((e) => e.action)).toEqual(['WORKFLOW_UNSHARED', 'WORKFLOW_DEPLOYED', 'WORKFLOW_SHARED', 'WORKFLOW_SHARED']);
    const [unshared, deploy, promoted, shared] = seenByOwner as [AuditNode, AuditNode, AuditNode, AuditNode];
    expect(shared).toMatchObject({
      actor: { id: owner.id },
      targetType: 'WORKFLOW',
      targetId: workflowId,
      details: { userId: editor.id, email: editor.email, role: 'VIEWER' },
    });
    expect(promoted.details).toMatchObject({ role: 'EDITOR' });
    // Who deployed which version; not where from (that is the editor's).
    expect(deploy).toMatchObject({
      actor: { id: editor.id, name: 'Editor' },
      workflowId,
      details: { version: 1, versionId: deployed.data!.deployWorkflow.id },
      clientAddress: null,
    });
    expect(unshared).toMatchObject({ actor: { id: owner.id }, details: { userId: editor.id, email: editor.email } });

    // The editor sees their own deploy (with their address), not the owner's sharing.
    const seenByEditor = await log(editor.token, { workflowId });
    expect(seenByEditor.map((e) => e.action)).toEqual(['WORKFLOW_DEPLOYED']);
    expect(seenByEditor[0]!.clientAddress).toMatch(/127\.0\.0\.1/);
    // Someone else reads none of it, even asking by workflow id.
    expect(await log(stranger.token, { workflowId })).toEqual([]);
    expect((await log(stranger.token)).map((e) => e.action)).toEqual(['SIGN_UP']);
  });

  it('answers errors with the API codes', async () => {
    expect((await api.gql(AUDIT, {})).errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const ada = await api.user('Ada');
    expect((await api.gql(AUDIT, { first: 1000 }, ada.token)).errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect((await api.gql(AUDIT, { after: 'not-a-cursor!' }, ada.token)).errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect((await api.gql(AUDIT, { filter: { action: 'NOT_AN_ACTION' } }, ada.token)).errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });
});
