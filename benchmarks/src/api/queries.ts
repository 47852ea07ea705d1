import { readFileSync } from 'node:fs';
/** The operations the API benchmark sends. */

export interface ReadQuery {
  id: 'execution' | 'workflows' | 'typename';
  query: string;
  variables: Record<string, unknown>;
  /** The top-level field of `data` a response must carry. */
  field: string;
}

export function executionRead(executionId: string): ReadQuery {
  return {
    id: 'execution',
    query: 'query Execution($id: ID!) { execution(id: $id) { id status result } }',
    variables: { id: executionId },
    field: 'execution',
  };
}

export function workflowsRead(): ReadQuery {
  return {
    id: 'workflows',
    query: 'query Workflows { workflows(first: 20) { totalCount edges { node { id name } } } }',
    variables: {},
    field: 'workflows',
  };
}

/** No resolver, no database: what a request costs the server before any resolver runs. */
export function typenameRead(): ReadQuery {
  return { id: 'typename', query: 'query Typename { __typename }', variables: {}, field: '__typename' };
}

export const SIGN_UP =
  'mutation SignUp($email: String!, $password: String!, $name: String!) { signUp(email: $email, password: $password, name: $name) { token user { id } } }';
export const CREATE_WORKFLOW = 'mutation CreateWorkflow($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }';
export const DEPLOY_WORKFLOW = 'mutation Deploy($id: ID!) { deployWorkflow(id: $id, message: "bench") { number } }';
export const START_EXECUTION = 'mutation Start($workflowId: ID!, $input: JSON) { startExecution(workflowId: $workflowId, input: $input) { id } }';
export const EXECUTION_EVENTS = 'subscription Events($executionId: ID!) { executionEvents(executionId: $executionId) { id sequence type at data } }';

/** The Sum example of docs/workflow-format.md (examples/sum.json): `{ a, b }` → `a + b`. */
export const SUM_WORKFLOW = JSON.parse(readFileSync(new URL('../../../examples/sum.json', import.meta.url), 'utf8')) as Record<string, unknown>;
