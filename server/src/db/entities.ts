import { BigIntType, EntitySchema } from '@mikro-orm/core';
import type { ExecutionStatus, JsonValue, RunError, StepValues } from '@tandem/schema';

// Entities are declared with EntitySchema (no decorators), so they work the same in tsc
// builds, vitest and tsx. Foreign keys are plain id columns: the API reads by id anyway.

export class User {
  id!: string;
  email!: string;
  name!: string;
  passwordHash!: string;
  createdAt: Date = new Date();
}

export type AccessTokenKind = 'session' | 'api';

/** A bearer credential: a sign-in session or an integrator's API token. Only its hash is stored. */
export class AccessToken {
  id!: string;
  userId!: string;
  kind!: AccessTokenKind;
  name!: string;
  tokenHash!: string;
  /** The first characters of the secret, to recognise it in lists. */
  prefix!: string;
  createdAt: Date = new Date();
  expiresAt?: Date | null;
  lastUsedAt?: Date | null;
  revokedAt?: Date | null;
}

export class Workflow {
  id!: string;
  ownerId!: string;
  name!: string;
  description = '';
  /** The draft definition (tandem.workflow/v1). */
  definition!: JsonValue;
  latestVersion = 0;
  /** Authenticates webhook deliveries (as a header, or as the key of an HMAC signature). */
  webhookSecret!: string;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

/** An immutable, numbered deployment of a workflow. */
export class WorkflowVersion {
  id!: string;
  workflowId!: string;
  number!: number;
  definition!: JsonValue;
  message = '';
  authorId!: string;
  createdAt: Date = new Date();
  /** The Yjs snapshot of the draft this version was deployed from (null for versions older than collaboration). */
  docSnapshot?: Buffer | null;
}

export const WORKFLOW_ROLES = ['OWNER', 'EDITOR', 'VIEWER'] as const;
export type WorkflowRole = (typeof WORKFLOW_ROLES)[number];

/** Someone a workflow is shared with. The owner is implicit (workflows.owner_id) and has no row. */
export class WorkflowMember {
  workflowId!: string;
  userId!: string;
  role!: WorkflowRole;
  addedById!: string;
  createdAt: Date = new Date();
}

/** Mirrors one run of the interpreter on Temporal. */
export class Execution {
  id!: string;
  workflowId!: string;
  versionId!: string;
  versionNumber!: number;
  startedById!: string;
  status: ExecutionStatus = 'RUNNING';
  input!: JsonValue;
  result?: JsonValue | null;
  error?: RunError | null;
  startedAt: Date = new Date();
  finishedAt?: Date | null;
  updatedAt: Date = new Date();
  temporalWorkflowId!: string;
  temporalRunId!: string;
  /** For a sub-workflow run: the run and node that started it. */
  parentExecutionId?: string | null;
  parentNodeId?: string | null;
  /** For a retry (or a run again with the same input): the run it retries, and the node it ran from (null: from the start). */
  retryOfId?: string | null;
  retryFromNodeId?: string | null;
}

/** A stored event; `id` is the globally ordered cursor, `sequence` the per-execution number. */
export class ExecutionEvent {
  id!: string;
  executionId!: string;
  sequence!: number;
  type!: string;
  nodeId?: string | null;
  at!: Date;
  data!: JsonValue;
  /** What `data` had to cut, for `Execution.step` (lazy: event reads never load it). */
  stepValues?: StepValues | null;
}

const createdAt = { type: 'datetime', onCreate: () => new Date() } as const;

export const UserSchema = new EntitySchema<User>({
  class: User,
  tableName: 'users',
  properties: {
    id: { type: 'string', length: 36, primary: true },
    email: { type: 'string', length: 320, unique: true },
    name: { type: 'string', length: 200 },
    passwordHash: { type: 'string', length: 300 },
    createdAt,
  },
});

export const AccessTokenSchema = new EntitySchema<AccessToken>({
  class: AccessToken,
  tableName: 'access_tokens',
  properties: {
    id: { type: 'string', length: 36, primary: true },
    userId: { type: 'string', length: 36, index: true },
    kind: { type: 'string', length: 16 },
    name: { type: 'string', length: 200 },
    tokenHash: { type: 'string', length: 64, unique: true },
    prefix: { type: 'string', length: 16 },
    createdAt,
    expiresAt: { type: 'datetime', nullable: true },
    lastUsedAt: { type: 'datetime', nullable: true },
    revokedAt: { type: 'datetime', nullable: true },
  },
});

export const WorkflowSchema = new EntitySchema<Workflow>({
  class: Workflow,
  tableName: 'workflows',
  properties: {
    id: { type: 'string', length: 36, primary: true },
    ownerId: { type: 'string', length: 36, index: true },
    name: { type: 'string', length: 200 },
    description: { type: 'text' },
    definition: { type: 'json' },
    latestVersion: { type: 'integer' },
    webhookSecret: { type: 'string', length: 64 },
    createdAt,
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});

export const WorkflowVersionSchema = new EntitySchema<WorkflowVersion>({
  class: WorkflowVersion,
  tableName: 'workflow_versions',
  uniques: [{ properties: ['workflowId', 'number'] }],
  properties: {
    id: { type: 'string', length: 36, primary: true },
    workflowId: { type: 'string', length: 36 },
    number: { type: 'integer' },
    definition: { type: 'json' },
    message: { type: 'text' },
    authorId: { type: 'string', length: 36 },
    createdAt,
    docSnapshot: { type: 'blob', nullable: true, lazy: true },
  },
});

export const WorkflowMemberSchema = new EntitySchema<WorkflowMember>({
  class: WorkflowMember,
  tableName: 'workflow_members',
  properties: {
    workflowId: { type: 'string', length: 36, primary: true },
    userId: { type: 'string', length: 36, primary: true, index: true },
    role: { type: 'string', length: 16 },
    addedById: { type: 'string', length: 36 },
    createdAt,
  },
});

export const ExecutionSchema = new EntitySchema<Execution>({
  class: Execution,
  tableName: 'executions',
  indexes: [{ properties: ['workflowId', 'startedAt'] }],
  properties: {
    id: { type: 'string', length: 100, primary: true },
    workflowId: { type: 'string', length: 36 },
    versionId: { type: 'string', length: 36 },
    versionNumber: { type: 'integer' },
    startedById: { type: 'string', length: 36 },
    status: { type: 'string', length: 16, index: true },
    input: { type: 'json' },
    result: { type: 'json', nullable: true },
    error: { type: 'json', nullable: true },
    startedAt: { type: 'datetime' },
    finishedAt: { type: 'datetime', nullable: true },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
    temporalWorkflowId: { type: 'string', length: 100 },
    temporalRunId: { type: 'string', length: 100 },
    parentExecutionId: { type: 'string', length: 100, nullable: true, index: true },
    parentNodeId: { type: 'string', length: 100, nullable: true },
    retryOfId: { type: 'string', length: 100, nullable: true, index: true },
    retryFromNodeId: { type: 'string', length: 100, nullable: true },
  },
});

export const ExecutionEventSchema = new EntitySchema<ExecutionEvent>({
  class: ExecutionEvent,
  tableName: 'execution_events',
  uniques: [{ properties: ['executionId', 'sequence'] }],
  properties: {
    id: { type: new BigIntType('string'), primary: true, autoincrement: true },
    executionId: { type: 'string', length: 100 },
    sequence: { type: 'integer' },
    type: { type: 'string', length: 32 },
    nodeId: { type: 'string', length: 100, nullable: true },
    at: { type: 'datetime' },
    data: { type: 'json' },
    stepValues: { type: 'json', nullable: true, lazy: true },
  },
});

export const TEMPLATE_PARAMETER_TYPES = ['string', 'number', 'boolean', 'secret', 'json'] as const;
export type TemplateParameterType = (typeof TEMPLATE_PARAMETER_TYPES)[number];

export interface TemplateParameter {
  name: string;
  type: TemplateParameterType;
  required: boolean;
  description: string;
  default: JsonValue;
}

/** A reusable workflow: its definition, and the parameters that fill the definition's `params`. */
export class Template {
  id!: string;
  authorId!: string;
  name!: string;
  description = '';
  tags: string[] = [];
  parameters: TemplateParameter[] = [];
  definition!: JsonValue;
  createdAt: Date = new Date();
}

export const TemplateSchema = new EntitySchema<Template>({
  class: Template,
  tableName: 'templates',
  properties: {
    id: { type: 'string', length: 36, primary: true },
    authorId: { type: 'string', length: 36 },
    name: { type: 'string', length: 200 },
    description: { type: 'text' },
    tags: { type: 'json' },
    parameters: { type: 'json' },
    definition: { type: 'json' },
    createdAt: { type: 'datetime' },
  },
});

/** How far the API servers have read a durable event bus. */
export class BusPosition {
  name!: string;
  position!: string;
  updatedAt: Date = new Date();
}

export const BusPositionSchema = new EntitySchema<BusPosition>({
  class: BusPosition,
  tableName: 'bus_positions',
  properties: {
    name: { type: 'string', length: 100, primary: true },
    position: { type: 'string', length: 100 },
    updatedAt: { type: 'datetime' },
  },
});

/** A user's secret: its value is AES-256-GCM ciphertext sealed with the key `keyId` (see secrets/keyring.ts). */
export class Secret {
  id!: string;
  ownerId!: string;
  name!: string;
  keyId!: string;
  value!: string;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

export const SecretSchema = new EntitySchema<Secret>({
  class: Secret,
  tableName: 'secrets',
  uniques: [{ properties: ['ownerId', 'name'] }],
  properties: {
    id: { type: 'string', length: 36, primary: true },
    ownerId: { type: 'string', length: 36 },
    name: { type: 'string', length: 64 },
    keyId: { type: 'string', length: 64 },
    value: { type: 'text', lazy: true },
    createdAt,
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});

export const AUDIT_ACTIONS = [
  'SIGN_IN',
  'SIGN_IN_FAILED',
  'SIGN_UP',
  'API_TOKEN_CREATED',
  'API_TOKEN_REVOKED',
  'WORKFLOW_SHARED',
  'WORKFLOW_UNSHARED',
  'WORKFLOW_DEPLOYED',
  'SECRET_SET',
  'SECRET_DELETED',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_TARGET_TYPES = ['USER', 'API_TOKEN', 'WORKFLOW', 'SECRET'] as const;
export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];

/** One security-relevant action. `ownerId` is whose resource it concerns; they and the actor may read it. */
export class AuditEvent {
  id!: string;
  at!: Date;
  action!: AuditAction;
  actorId?: string | null;
  targetType!: AuditTargetType;
  targetId?: string | null;
  ownerId?: string | null;
  workflowId?: string | null;
  details!: JsonValue;
  clientAddress?: string | null;
}

export const AuditEventSchema = new EntitySchema<AuditEvent>({
  class: AuditEvent,
  tableName: 'audit_events',
  properties: {
    id: { type: new BigIntType('string'), primary: true, autoincrement: true },
    at: { type: 'datetime' },
    action: { type: 'string', length: 32 },
    actorId: { type: 'string', length: 36, nullable: true },
    targetType: { type: 'string', length: 16 },
    targetId: { type: 'string', length: 100, nullable: true },
    ownerId: { type: 'string', length: 36, nullable: true },
    workflowId: { type: 'string', length: 36, nullable: true },
    details: { type: 'json' },
    clientAddress: { type: 'string', length: 64, nullable: true },
  },
});

export const ENTITIES = [
  SecretSchema,
  AuditEventSchema,
  WorkflowMemberSchema,
  TemplateSchema,
  BusPositionSchema,
  UserSchema,
  AccessTokenSchema,
  WorkflowSchema,
  WorkflowVersionSchema,
  ExecutionSchema,
  ExecutionEventSchema,
];
