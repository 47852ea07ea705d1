// The data the reads find: one user, a deployed Sum workflow with a few completed runs, and
// more workflows so that `workflows(first: 20)` returns a full page of a longer list.
// Everything goes through the API, as a client would create it.
import { randomUUID } from 'node:crypto';
import { gql } from './http.js';
import { CREATE_WORKFLOW, DEPLOY_WORKFLOW, SIGN_UP, SUM_WORKFLOW } from './queries.js';
import { startAndFollow, type SubscriptionTarget } from './subscriptions.js';
import type { Client as WsClient } from 'graphql-ws';

export interface SeededUser {
  token: string;
  userId: string;
  email: string;
}

export interface Seeded {
  /** The deployed Sum workflow. */
  workflowId: string;
  /** Completed executions of it, oldest first. */
  executionIds: string[];
  workflows: number;
}

export async function signUp(url: string): Promise<SeededUser> {
  const email = `bench-${randomUUID()}@example.com`;
  const data = await gql<{ signUp: { token: string; user: { id: string } } }>(url, null, SIGN_UP, {
    email,
    password: 'correct horse battery staple',
    name: 'Bench',
  });
  return { token: data.signUp.token, userId: data.signUp.user.id, email };
}

/** `workflows` workflows in all (the Sum one deployed, the others drafts), and `executions` completed runs of Sum. */
export async function seed(url: string, user: SeededUser, ws: WsClient, workflows: number, executions: number): Promise<Seeded> {
  const created = await gql<{ createWorkflow: { id: string } }>(url, user.token, CREATE_WORKFLOW, {
    input: { name: 'Sum', description: SUM_WORKFLOW.description, definition: SUM_WORKFLOW },
  });
  const workflowId = created.createWorkflow.id;
  await gql(url, user.token, DEPLOY_WORKFLOW, { id: workflowId });
  for (let i = 1; i < workflows; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, workflows - i) }, (_, j) =>
        gql(url, user.token, CREATE_WORKFLOW, { input: { name: `Workflow ${String(i + j).padStart(3, '0')}`, definition: SUM_WORKFLOW } }),
      ),
    );
  }
  const target: SubscriptionTarget = { url, token: user.token, workflowId, ws };
  const executionIds: string[] = [];
  for (let i = 0; i < executions; i++) executionIds.push((await startAndFollow(target, i + 1)).executionId);
  return { workflowId, executionIds, workflows };
}
