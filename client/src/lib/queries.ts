import type { ExecutionStatus, RunError, WorkflowDefinition } from '@tandem/schema';
import { gql } from './api';
import type { SessionUser } from './session';

export interface ExecutionSummary {
  id: string;
  status: ExecutionStatus;
  startedAt: string;
  finishedAt: string | null;
  versionNumber: number;
  /** The run this one retries (retryExecution / rerunExecution). */
  retryOfId?: string | null;
}

export interface WorkflowSummary {
  id: string;
  name: string;
  description: string;
  updatedAt: string;
  createdAt: string;
  latestVersion: number;
  lastExecution: ExecutionSummary | null;
}

export interface Execution extends ExecutionSummary {
  workflowId: string;
  input: unknown;
  result: unknown;
  error: RunError | null;
  liveState: { waitingFor?: unknown; runningNodes?: string[]; paused?: boolean } | null;
  parentExecutionId: string | null;
  parentNodeId: string | null;
  children: Array<{ id: string; status: ExecutionStatus; workflowId: string }>;
}

export interface ExecutionEvent {
  id: string;
  sequence: number;
  type: string;
  nodeId: string | null;
  at: string;
  data: Record<string, unknown>;
}

const EXECUTION_SUMMARY = 'id status startedAt finishedAt versionNumber retryOfId';
const WORKFLOW_SUMMARY = `id name description updatedAt createdAt latestVersion lastExecution { ${EXECUTION_SUMMARY} }`;
const EXECUTION = `${EXECUTION_SUMMARY} workflowId input result error liveState parentExecutionId parentNodeId children { id status workflowId }`;

export async function signIn(email: string, password: string): Promise<{ token: string; user: SessionUser }> {
  const data = await gql<{ signIn: { token: string; user: SessionUser } }>(
    'mutation SignIn($email: String!, $password: String!) { signIn(email: $email, password: $password) { token user { id name email } } }',
    { email, password },
  );
  return data.signIn;
}

export async function signUp(name: string, email: string, password: string): Promise<{ token: string; user: SessionUser }> {
  const data = await gql<{ signUp: { token: string; user: SessionUser } }>(
    'mutation SignUp($name: String!, $email: String!, $password: String!) { signUp(name: $name, email: $email, password: $password) { token user { id name email } } }',
    { name, email, password },
  );
  return data.signUp;
}

export async function signOut(): Promise<void> {
  await gql<{ signOut: boolean }>('mutation SignOut { signOut }');
}

export async function listWorkflows(search: string): Promise<{ items: WorkflowSummary[]; totalCount: number }> {
  const data = await gql<{ workflows: { totalCount: number; edges: Array<{ node: WorkflowSummary }> } }>(
    `query Workflows($filter: WorkflowFilter) { workflows(first: 100, filter: $filter) { totalCount edges { node { ${WORKFLOW_SUMMARY} } } } }`,
    { filter: search ? { search } : null },
  );
  return { items: data.workflows.edges.map((e) => e.node), totalCount: data.workflows.totalCount };
}

export type Role = 'OWNER' | 'EDITOR' | 'VIEWER';

export interface WorkflowDetails extends WorkflowSummary {
  definition: WorkflowDefinition;
  owner: { id: string; name: string; email: string };
  myRole: Role;
}

export async function getWorkflow(id: string): Promise<WorkflowDetails> {
  const data = await gql<{ workflow: WorkflowDetails }>(
    `query Workflow($id: ID!) { workflow(id: $id) { ${WORKFLOW_SUMMARY} definition owner { id name email } myRole } }`,
    { id },
  );
  return data.workflow;
}

export async function createWorkflow(name: string, definition: WorkflowDefinition): Promise<{ id: string }> {
  const data = await gql<{ createWorkflow: { id: string } }>('mutation Create($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }', {
    input: { name, description: definition.description ?? '', definition },
  });
  return data.createWorkflow;
}

export async function importWorkflow(document: unknown, name?: string): Promise<{ id: string; name: string }> {
  const data = await gql<{ importWorkflow: { id: string; name: string } }>(
    'mutation Import($document: JSON!, $name: String) { importWorkflow(document: $document, name: $name) { id name } }',
    { document, name: name ?? null },
  );
  return data.importWorkflow;
}

export async function exportWorkflow(id: string, version?: number): Promise<WorkflowDefinition> {
  const data = await gql<{ exportWorkflow: WorkflowDefinition }>('query Export($id: ID!, $version: Int) { exportWorkflow(id: $id, version: $version) }', {
    id,
    version: version ?? null,
  });
  return data.exportWorkflow;
}

export async function deleteWorkflow(id: string): Promise<void> {
  await gql('mutation Delete($id: ID!) { deleteWorkflow(id: $id) }', { id });
}

export async function updateDefinition(id: string, definition: WorkflowDefinition): Promise<void> {
  await gql('mutation Update($id: ID!, $definition: JSON!) { updateWorkflowDefinition(id: $id, definition: $definition) { id } }', { id, definition });
}

export async function deployWorkflow(id: string, message: string): Promise<{ number: number }> {
  const data = await gql<{ deployWorkflow: { number: number } }>(
    'mutation Deploy($id: ID!, $message: String) { deployWorkflow(id: $id, message: $message) { number } }',
    { id, message },
  );
  return data.deployWorkflow;
}

export async function startExecution(workflowId: string, input: unknown, version?: number): Promise<{ id: string }> {
  const data = await gql<{ startExecution: { id: string } }>(
    'mutation Start($workflowId: ID!, $input: JSON, $version: Int) { startExecution(workflowId: $workflowId, input: $input, version: $version) { id } }',
    { workflowId, input, version: version ?? null },
  );
  return data.startExecution;
}

export async function listExecutions(workflowId: string, status: ExecutionStatus | null): Promise<{ items: ExecutionSummary[]; totalCount: number }> {
  const data = await gql<{ executions: { totalCount: number; edges: Array<{ node: ExecutionSummary }> } }>(
    `query Runs($filter: ExecutionFilter) { executions(first: 100, filter: $filter) { totalCount edges { node { ${EXECUTION_SUMMARY} } } } }`,
    { filter: { workflowId, ...(status ? { status } : {}) } },
  );
  return { items: data.executions.edges.map((e) => e.node), totalCount: data.executions.totalCount };
}

export async function getExecution(id: string): Promise<Execution> {
  const data = await gql<{ execution: Execution }>(`query Run($id: ID!) { execution(id: $id) { ${EXECUTION} } }`, { id });
  return data.execution;
}

export async function getVersionDefinition(workflowId: string, version: number): Promise<WorkflowDefinition> {
  return exportWorkflow(workflowId, version);
}

type Control = 'pauseExecution' | 'resumeExecution' | 'cancelExecution';
export async function controlExecution(id: string, action: Control): Promise<ExecutionSummary> {
  const data = await gql<Record<Control, ExecutionSummary>>(`mutation Control($id: ID!) { ${action}(id: $id) { ${EXECUTION_SUMMARY} } }`, { id });
  return data[action];
}

export async function signalExecution(id: string, name: string, payload: unknown): Promise<void> {
  await gql('mutation Signal($id: ID!, $name: String!, $payload: JSON) { signalExecution(id: $id, name: $name, payload: $payload) { id } }', {
    id,
    name,
    payload,
  });
}

export const EXECUTION_EVENTS_SUBSCRIPTION =
  'subscription Events($executionId: ID!, $after: String) { executionEvents(executionId: $executionId, after: $after) { id sequence type nodeId at data } }';

export interface CollabTicket {
  url: string;
  room: string;
  ticket: string;
  expiresAt: string;
  readOnly: boolean;
}

export async function collabTicket(workflowId: string): Promise<CollabTicket> {
  const data = await gql<{ collabTicket: CollabTicket }>(
    'mutation Ticket($workflowId: ID!) { collabTicket(workflowId: $workflowId) { url room ticket expiresAt readOnly } }',
    { workflowId },
  );
  return data.collabTicket;
}

export interface Member {
  role: Role;
  user: { id: string; name: string; email: string };
}

export async function workflowMembers(workflowId: string): Promise<{ myRole: Role; members: Member[] }> {
  const data = await gql<{ workflow: { myRole: Role; members: Member[] } }>(
    'query Members($id: ID!) { workflow(id: $id) { myRole members { role user { id name email } } } }',
    {
      id: workflowId,
    },
  );
  return data.workflow;
}

export async function myRole(workflowId: string): Promise<Role> {
  return (await gql<{ workflow: { myRole: Role } }>('query Role($id: ID!) { workflow(id: $id) { myRole } }', { id: workflowId })).workflow.myRole;
}

export async function shareWorkflow(workflowId: string, email: string, role: Role): Promise<void> {
  await gql(
    'mutation Share($workflowId: ID!, $email: String!, $role: WorkflowRole!) { shareWorkflow(workflowId: $workflowId, email: $email, role: $role) { __typename } }',
    {
      workflowId,
      email,
      role,
    },
  );
}

export async function unshareWorkflow(workflowId: string, email: string): Promise<void> {
  await gql('mutation Unshare($workflowId: ID!, $email: String!) { unshareWorkflow(workflowId: $workflowId, email: $email) { __typename } }', {
    workflowId,
    email,
  });
}

export interface VersionSummary {
  id: string;
  number: number;
  message: string;
  createdAt: string;
  author: { name: string };
  runCount: number;
  finishedRunCount: number;
  /** Completed / finished runs, 0 to 1; null until one finished. */
  successRate: number | null;
}

/** Every deployed version, newest first, with how their runs went (read 100 at a time). */
export async function listVersions(workflowId: string): Promise<{ items: VersionSummary[]; totalCount: number }> {
  type Page = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: VersionSummary }> };
  const items: VersionSummary[] = [];
  let after: string | null = null;
  for (;;) {
    const data: { workflow: { versions: Page } } = await gql<{ workflow: { versions: Page } }>(
      'query Versions($id: ID!, $after: String) { workflow(id: $id) { versions(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id number message createdAt author { name } runCount finishedRunCount successRate } } } } }',
      { id: workflowId, after },
    );
    const page = data.workflow.versions;
    items.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return { items, totalCount: page.totalCount };
    after = page.pageInfo.endCursor;
  }
}

/** Deploys an earlier version again as the next version ("Roll back to version <n>"). */
export async function rollbackWorkflow(workflowId: string, version: number, message: string): Promise<{ number: number; message: string }> {
  const data = await gql<{ rollbackWorkflow: { number: number; message: string } }>(
    'mutation Rollback($id: ID!, $version: Int!, $message: String) { rollbackWorkflow(id: $id, version: $version, message: $message) { number message } }',
    { id: workflowId, version, message: message || null },
  );
  return data.rollbackWorkflow;
}

/** Status changes of a workflow's runs (for the runs list). */
export const EXECUTION_UPDATED_SUBSCRIPTION = 'subscription Updated($workflowId: ID!) { executionUpdated(workflowId: $workflowId) { id status } }';

export interface WebhookSettings {
  myRole: Role;
  webhookSecret: string | null;
  latestVersion: number;
}

export async function getWebhookSettings(workflowId: string): Promise<WebhookSettings> {
  const data = await gql<{ workflow: WebhookSettings }>('query Webhooks($id: ID!) { workflow(id: $id) { myRole webhookSecret latestVersion } }', {
    id: workflowId,
  });
  return data.workflow;
}

/** A new webhook secret (owner only); returns it. */
export async function rotateWebhookSecret(workflowId: string): Promise<string | null> {
  const data = await gql<{ rotateWebhookSecret: { webhookSecret: string | null } }>(
    'mutation Rotate($id: ID!) { rotateWebhookSecret(id: $id) { webhookSecret } }',
    {
      id: workflowId,
    },
  );
  return data.rotateWebhookSecret.webhookSecret;
}

// --- Templates ---

export interface TemplateParameter {
  name: string;
  type: string;
  required: boolean;
  description: string;
  default: unknown;
}

export interface Template {
  id: string;
  name: string;
  description: string;
  tags: string[];
  builtIn: boolean;
  author: { name: string };
  definition: WorkflowDefinition;
  parameters: TemplateParameter[];
}

export async function listTemplates(search: string, tag: string): Promise<Template[]> {
  const data = await gql<{ templates: { edges: Array<{ node: Template }> } }>(
    `query Templates($search: String, $tag: String) { templates(first: 100, search: $search, tag: $tag) { edges { node {
      id name description tags builtIn author { name } definition parameters { name type required description default } } } } }`,
    { search: search || null, tag: tag || null },
  );
  return data.templates.edges.map((e) => e.node);
}

/** A new workflow from a template; returns its id. */
export async function instantiateTemplate(templateId: string, name: string | null, parameters: Record<string, unknown>): Promise<{ id: string }> {
  const data = await gql<{ instantiateTemplate: { id: string } }>(
    'mutation Instantiate($templateId: ID!, $name: String, $parameters: JSON) { instantiateTemplate(templateId: $templateId, name: $name, parameters: $parameters) { id } }',
    { templateId, name, parameters },
  );
  return data.instantiateTemplate;
}

export interface TemplateInput {
  name: string;
  description: string;
  tags: string[];
  parameters: Array<{ name: string; type: string; required: boolean; description: string; default?: unknown }>;
}

export async function saveAsTemplate(workflowId: string, input: TemplateInput): Promise<{ id: string }> {
  const data = await gql<{ saveAsTemplate: { id: string } }>(
    'mutation SaveTemplate($workflowId: ID!, $input: SaveAsTemplateInput!) { saveAsTemplate(workflowId: $workflowId, input: $input) { id } }',
    { workflowId, input },
  );
  return data.saveAsTemplate;
}

// --- API tokens ---

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const TOKEN = 'id name prefix createdAt lastUsedAt revokedAt';

export async function listApiTokens(): Promise<ApiToken[]> {
  return (await gql<{ apiTokens: ApiToken[] }>(`query Tokens { apiTokens { ${TOKEN} } }`)).apiTokens;
}

/** A new API token; its secret is returned this once. */
export async function createApiToken(name: string): Promise<{ secret: string; token: ApiToken }> {
  const data = await gql<{ createApiToken: { secret: string; token: ApiToken } }>(
    `mutation Create($name: String!) { createApiToken(name: $name) { secret token { ${TOKEN} } } }`,
    {
      name,
    },
  );
  return data.createApiToken;
}

export async function revokeApiToken(id: string): Promise<void> {
  await gql('mutation Revoke($id: ID!) { revokeApiToken(id: $id) { id } }', { id });
}

export interface Schedule {
  id: string;
  nodeId: string;
  cron: string;
  timezone: string;
  paused: boolean;
  nextRunAt: string | null;
}

const SCHEDULE = 'id nodeId cron timezone paused nextRunAt';

export async function listSchedules(workflowId: string): Promise<Schedule[]> {
  const data = await gql<{ workflow: { schedules: Schedule[] } }>(`query Schedules($id: ID!) { workflow(id: $id) { schedules { ${SCHEDULE} } } }`, {
    id: workflowId,
  });
  return data.workflow.schedules;
}

export async function setSchedulePaused(workflowId: string, nodeId: string, paused: boolean): Promise<Schedule[]> {
  const data = await gql<{ setSchedulePaused: Schedule[] }>(
    `mutation Pause($workflowId: ID!, $nodeId: String!, $paused: Boolean!) { setSchedulePaused(workflowId: $workflowId, nodeId: $nodeId, paused: $paused) { ${SCHEDULE} } }`,
    { workflowId, nodeId, paused },
  );
  return data.setSchedulePaused;
}

/** What the draft would have done with one recorded run of the live version (previewDeploy). */
export interface RunPreview {
  executionId: string;
  startedAt: string;
  recordedStatus: string;
  verdict: 'SAME' | 'DIFFERENT' | 'WOULD_FAIL' | 'UNKNOWN' | 'NOT_CHECKED';
  recordedResult: unknown;
  previewResult: unknown;
  resultDiff: Array<{ field: string; change: 'ADDED' | 'REMOVED' | 'CHANGED'; before: unknown; after: unknown }>;
  failure: { nodeId: string | null; message: string } | null;
  notes: Array<{ nodeId: string; kind: 'WOULD_CALL' | 'WOULD_WAIT' | 'WOULD_RUN' | 'RECORDED'; message: string }>;
  reason: string | null;
}

export interface DeployPreviewProgress {
  liveVersion: number;
  changedNodes: string[];
  total: number;
  checked: number;
  run: RunPreview | null;
}

/** previewDeploy step by step: first how many runs, then one run at a time. */
export const DEPLOY_PREVIEW_SUBSCRIPTION = `subscription Preview($workflowId: ID!, $runs: Int) {
  previewDeployProgress(workflowId: $workflowId, runs: $runs) {
    liveVersion changedNodes total checked
    run { executionId startedAt recordedStatus verdict recordedResult previewResult resultDiff { field change before after } failure { nodeId message } notes { nodeId kind message } reason }
  }
}`;

/** The latest deployed version number, as the server knows it now. */
export async function getLatestVersion(workflowId: string): Promise<number> {
  const data = await gql<{ workflow: { latestVersion: number } }>('query Latest($id: ID!) { workflow(id: $id) { latestVersion } }', { id: workflowId });
  return data.workflow.latestVersion;
}
