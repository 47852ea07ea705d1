import { randomBytes, randomUUID } from 'node:crypto';
import type { FilterQuery } from '@mikro-orm/core';
import { checkDraft, diffWorkflows, validateWorkflow, type JsonValue, type Problem, type WorkflowDefinition, type WorkflowDiff } from '@tandem/schema';
import { isPostgres, knexOf, type Database } from '../db/orm.js';
import { onSqlite } from '../db/sqlite-connection.js';
import { preparedOn } from '../db/sqlite-statements.js';
import { workflowPage } from '../db/workflow-page.js';
import { User, Workflow, WorkflowVersion, type WorkflowRole } from '../db/entities.js';
import { badInput, conflict, invalidWorkflow, notFound } from '../errors.js';
import { decodeCursor, encodeCursor, pageSize, type Page } from '../pagination.js';
import { checkPreviewRuns, preparePreview, previewRuns, type DeployPreview } from './deploy-preview.js';
import type { ScheduleService } from './schedules.js';
import type { AccessService } from './access.js';
import { BoundedMap } from '../bounded-map.js';

/** Where drafts live: the collaboration document of each workflow. */
export interface DraftStore {
  readDraft(workflowId: string): Promise<WorkflowDefinition>;
  replaceDraft(workflowId: string, definition: WorkflowDefinition): Promise<void>;
  snapshot(workflowId: string): Promise<{ definition: WorkflowDefinition; snapshot: Uint8Array }>;
  workflowDeleted(workflowId: string): Promise<void>;
}

export interface WorkflowInput {
  name: string;
  description?: string | null;
  definition: unknown;
}

/** One side of a comparison: a deployed version's number, or null for the live draft. */
export type Revision = number | null;

/** How the runs of one version went: `successRate` is completed / finished, null before any finished. */
export interface VersionRunStats {
  runCount: number;
  finishedRunCount: number;
  successRate: number | null;
}

export interface WorkflowFilter {
  search?: string | null;
}

/**
 * Workflows, their drafts and their immutable numbered versions. The draft is the workflow's
 * collaboration document; the row's definition column is a cache of it for bulk readers.
 */
/** Deployed versions remembered at once (rows never change once written; a run start reads one). */
const VERSIONS_REMEMBERED = 1_000;

/** What a webhook delivery reads of its workflow (the version it runs is read apart). */
const WEBHOOK_FIELDS = ['id', 'ownerId', 'latestVersion', 'webhookSecret'] as const;
type WebhookFields = (typeof WEBHOOK_FIELDS)[number];
const WEBHOOK_FIELDS_SQL = 'select `id`, `owner_id`, `latest_version`, `webhook_secret` from `workflows` where `id` = ?';
interface WebhookRow {
  id: string;
  owner_id: string;
  latest_version: number;
  webhook_secret: string;
}

export class WorkflowService {
  /** Versions by workflow and number, most recently read last (without their Yjs snapshot). */
  private readonly versionCache = new BoundedMap<string, WorkflowVersion>(VERSIONS_REMEMBERED);

  constructor(
    private readonly db: Database,
    readonly access: AccessService,
    private readonly drafts: DraftStore,
    /** Keeps Temporal Schedules in line with deployed versions' schedule triggers. */
    private readonly schedules?: ScheduleService,
  ) {}

  async create(user: User, input: WorkflowInput): Promise<Workflow> {
    const name = checkName(input.name);
    const description = checkDescription(input.description ?? '');
    const definition = this.validated({ ...asObject(input.definition), name, description });
    const em = this.db.em.fork();
    const workflow = em.create(Workflow, {
      id: randomUUID(),
      ownerId: user.id,
      name,
      description,
      definition: definition as unknown as JsonValue,
      latestVersion: 0,
      webhookSecret: newWebhookSecret(),
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    await em.flush();
    return workflow;
  }

  async import(user: User, document: unknown, name?: string | null): Promise<Workflow> {
    const definition = this.validated(document);
    return this.create(user, { name: name ?? definition.name, description: definition.description, definition });
  }

  /** The workflow when `user` holds at least `role` on it (NOT_FOUND without any role, FORBIDDEN with too small a one). */
  async get(user: User, id: string, role: WorkflowRole = 'VIEWER'): Promise<Workflow> {
    return (await this.access.require(user, id, role)).workflow;
  }

  /** What starting a run needs of the workflow: who owns it and its deployed version, not its draft. */
  async getToStart(user: User, id: string): Promise<Pick<Workflow, 'id' | 'ownerId' | 'latestVersion'>> {
    return (await this.access.require(user, id, 'EDITOR', ['latestVersion'])).workflow;
  }

  /** The live draft of a workflow (what co-editors see now). */
  async draft(workflow: Workflow): Promise<WorkflowDefinition> {
    return this.drafts.readDraft(workflow.id);
  }

  async list(user: User, first: number | null | undefined, after: string | null | undefined, filter: WorkflowFilter = {}): Promise<Page<Workflow>> {
    const limit = pageSize(first);
    const cursor = decodeCursor(after, 2) as [number, string] | null;
    const search = filter.search?.trim();
    const { rows, totalCount } = await workflowPage(this.db, (userId) => this.access.visibleWhere(userId), {
      userId: user.id,
      limit,
      after: cursor,
      ...(search ? { search } : {}),
    });
    return {
      items: rows.slice(0, limit),
      hasNextPage: rows.length > limit,
      totalCount,
      cursorOf: (w) => encodeCursor([w.updatedAt.getTime(), w.id]),
    };
  }

  /**
   * Applies the difference between the draft and `definitionInput` to the live document, as
   * one change: co-editors see it, and their concurrent edits elsewhere survive. An incomplete
   * draft is stored (its problems are the workflow's `problems`); only a malformed one is refused.
   */
  async updateDefinition(user: User, id: string, definitionInput: unknown): Promise<Workflow> {
    const draft = checkDraft(definitionInput);
    if (!draft.ok) throw invalidWorkflow(draft.problems, 'the draft is not a well-formed tandem.workflow/v1 document');
    const { workflow } = await this.access.require(user, id, 'EDITOR');
    await this.drafts.replaceDraft(workflow.id, draft.definition);
    return this.refreshRow(workflow.id, draft.definition);
  }

  /** What a deploy of the draft would refuse now (empty when it can be deployed). */
  async draftProblems(workflow: Workflow): Promise<Problem[]> {
    const result = validateWorkflow(await this.drafts.readDraft(workflow.id));
    return result.ok ? [] : result.problems;
  }

  /** Makes the draft a deployed version's document again, as one change co-editors see live. */
  async restore(user: User, id: string, number: number): Promise<Workflow> {
    const { workflow } = await this.access.require(user, id, 'EDITOR');
    const definition = (await this.versionOf(workflow, number)).definition as unknown as WorkflowDefinition;
    await this.drafts.replaceDraft(workflow.id, definition);
    return this.refreshRow(workflow.id, definition);
  }

  /** The structured diff between two revisions (versions or the draft) of a workflow any member may read. */
  async diff(user: User, id: string, from: Revision, to: Revision): Promise<{ diff: WorkflowDiff; from: WorkflowDefinition; to: WorkflowDefinition }> {
    const workflow = await this.get(user, id);
    const [before, after] = await Promise.all([this.revision(workflow, from), this.revision(workflow, to)]);
    return { diff: diffWorkflows(before, after), from: before, to: after };
  }

  /** The document of a version, or the live draft for null. */
  async revision(workflow: Workflow, number: Revision): Promise<WorkflowDefinition> {
    if (number === null) return this.drafts.readDraft(workflow.id);
    return (await this.versionOf(workflow, number)).definition as unknown as WorkflowDefinition;
  }

  /**
   * Checks the draft against the live version's recent finished runs: what will be checked, and the
   * checks themselves, each run's as soon as it is known. Editors only, as it costs the server work.
   */
  async previewDeploy(user: User, id: string, runs: number | null | undefined): Promise<DeployPreview> {
    const count = checkPreviewRuns(runs);
    const { workflow } = await this.access.require(user, id, 'EDITOR');
    const live = await this.latest(workflow);
    if (!live) throw badInput(`workflow "${workflow.id}" has no deployed version yet, so there are no runs to check against`);
    const prepared = await preparePreview(this.db, live, await this.drafts.readDraft(workflow.id), count);
    return { liveVersion: prepared.liveVersion, changedNodes: prepared.changedNodes, total: prepared.runs.length, runs: previewRuns(this.db, prepared) };
  }

  async rename(user: User, id: string, name: string, description?: string | null): Promise<Workflow> {
    const { workflow } = await this.access.require(user, id, 'EDITOR');
    const draft = await this.drafts.readDraft(workflow.id);
    const renamed = {
      ...draft,
      name: checkName(name),
      ...(description !== undefined && description !== null ? { description: checkDescription(description) } : {}),
    };
    await this.drafts.replaceDraft(workflow.id, renamed);
    return this.refreshRow(workflow.id, renamed);
  }

  /** Writes the row's copy of the draft now (the document's own refresh is debounced). */
  private async refreshRow(id: string, definition: WorkflowDefinition): Promise<Workflow> {
    const workflow = await writeWorkflowRow(this.db, id, definition);
    if (!workflow) throw notFound('workflow', id);
    return workflow;
  }

  /** A new webhook secret; deliveries signed with the old one are refused from now on. */
  async rotateWebhookSecret(user: User, id: string): Promise<Workflow> {
    const em = this.db.em.fork();
    const workflow = await em.findOneOrFail(Workflow, { id: (await this.access.require(user, id, 'OWNER')).workflow.id });
    workflow.webhookSecret = newWebhookSecret();
    await em.flush();
    return workflow;
  }

  /** For webhook deliveries, which authenticate with the workflow's secret instead of a user. */
  async getForWebhook(id: string): Promise<{ workflow: Pick<Workflow, WebhookFields>; version: WorkflowVersion } | null> {
    // Not the draft: every delivery would parse the whole definition for nothing.
    const workflow = await this.webhookFields(checkId(id));
    if (!workflow || workflow.latestVersion === 0) return null;
    const version = await this.storedVersion(workflow.id, workflow.latestVersion);
    return version ? { workflow, version } : null;
  }

  /** Read on every delivery (a rotated secret counts at once): on SQLite one statement prepared once per connection, without the ORM. */
  private async webhookFields(id: string): Promise<Pick<Workflow, WebhookFields> | null> {
    if (isPostgres(this.db)) return this.db.em.fork().findOne(Workflow, { id }, { fields: WEBHOOK_FIELDS });
    const row = await onSqlite(this.db, undefined, (connection) => preparedOn(connection, WEBHOOK_FIELDS_SQL).get(id) as WebhookRow | undefined);
    return row ? { id: row.id, ownerId: row.owner_id, latestVersion: Number(row.latest_version), webhookSecret: row.webhook_secret } : null;
  }

  async delete(user: User, id: string): Promise<boolean> {
    const { workflow } = await this.access.require(user, id, 'OWNER');
    if (this.schedules) await this.schedules.removeAll(workflow.id, await this.latest(workflow));
    const deleted = await this.db.em.fork().nativeDelete(Workflow, { id: workflow.id });
    if (deleted === 0) throw notFound('workflow', id);
    await this.drafts.workflowDeleted(workflow.id);
    return true;
  }

  /** Validates the live draft and stores it, with its Yjs snapshot, as the next immutable version. */
  async deploy(user: User, id: string, message: string | null | undefined): Promise<WorkflowVersion> {
    const { workflow } = await this.access.require(user, id, 'EDITOR');
    const draft = await this.drafts.snapshot(workflow.id);
    const definition = this.validated(draft.definition, 'the workflow cannot be deployed');
    return this.storeVersion(user, workflow, definition, message ?? '', draft.snapshot);
  }

  /**
   * Deploys an earlier version's document again, as the next version, with a message naming it
   * (schedules follow as on any deploy; webhooks always use the latest version). The draft is
   * left as it is.
   */
  async rollback(user: User, id: string, number: number, message: string | null | undefined): Promise<WorkflowVersion> {
    const { workflow } = await this.access.require(user, id, 'EDITOR');
    const target = await this.versionOf(workflow, number, true);
    if (target.number === workflow.latestVersion) throw badInput(`version ${number} is already the live version; nothing to roll back`, { field: 'version' });
    // Checked again: validation may have grown stricter since that version was deployed.
    const definition = this.validated(target.definition, `version ${number} cannot be deployed again`);
    const note = message?.trim() ? `Roll back to version ${number}: ${message.trim()}` : `Roll back to version ${number}`;
    return this.storeVersion(user, workflow, definition, note, target.docSnapshot ?? null);
  }

  /** Stores the next numbered version and brings the schedules in line with it. */
  private async storeVersion(
    user: User,
    workflow: Workflow,
    definition: WorkflowDefinition,
    message: string,
    snapshot: Uint8Array | null,
  ): Promise<WorkflowVersion> {
    const em = this.db.em.fork();
    const number = workflow.latestVersion + 1;
    // Optimistic: a concurrent deploy of the same number loses and is told so.
    const claimed = await em.nativeUpdate(Workflow, { id: workflow.id, latestVersion: workflow.latestVersion }, { latestVersion: number });
    if (claimed === 0) throw conflict('another deploy of this workflow happened at the same time; try again');
    const version = em.create(WorkflowVersion, {
      id: randomUUID(),
      workflowId: workflow.id,
      number,
      definition: definition as unknown as JsonValue,
      message: message.slice(0, 2_000),
      authorId: user.id,
      createdAt: new Date(),
      docSnapshot: snapshot ? Buffer.from(snapshot) : null,
    });
    await em.persistAndFlush(version);
    if (this.schedules) {
      const previous = number > 1 ? await em.findOne(WorkflowVersion, { workflowId: workflow.id, number: number - 1 }) : null;
      await this.schedules.sync(workflow, version, previous);
    }
    return version;
  }

  /** The latest deployed version, or null before the first deploy. */
  async latest(workflow: Workflow): Promise<WorkflowVersion | null> {
    if (workflow.latestVersion === 0) return null;
    return this.db.em.fork().findOne(WorkflowVersion, { workflowId: workflow.id, number: workflow.latestVersion });
  }

  async version(user: User, workflowId: string, number: number | null | undefined): Promise<WorkflowVersion> {
    return this.deployedVersion(await this.get(user, workflowId), number);
  }

  /** A deployed version of a workflow already read (and access checked); the latest when `number` is absent. */
  async deployedVersion(workflow: Pick<Workflow, 'id' | 'latestVersion'>, number: number | null | undefined): Promise<WorkflowVersion> {
    const wanted = number ?? workflow.latestVersion;
    if (wanted === 0) throw badInput(`workflow "${workflow.id}" has no deployed version yet; deploy it first`);
    return this.versionOf(workflow, wanted);
  }

  private async versionOf(workflow: Pick<Workflow, 'id'>, number: number, withSnapshot = false): Promise<WorkflowVersion> {
    const version = withSnapshot
      ? await this.db.em.fork().findOne(WorkflowVersion, { workflowId: workflow.id, number }, { populate: ['docSnapshot'] })
      : await this.storedVersion(workflow.id, number);
    if (!version) throw notFound('version', `${workflow.id}@${number}`);
    return version;
  }

  /** A version as stored; read once, as a version never changes (it goes only with its workflow, whose row is read first). */
  private async storedVersion(workflowId: string, number: number): Promise<WorkflowVersion | null> {
    const key = `${workflowId}@${number}`;
    const known = this.versionCache.recent(key);
    if (known) return known;
    const version = await this.db.em.fork().findOne(WorkflowVersion, { workflowId, number });
    if (!version) return null;
    this.versionCache.set(key, version);
    return version;
  }

  /** How the runs of each version of a workflow went, by version number (one query; versions without runs are absent). */
  async runStats(workflowId: string): Promise<Map<number, VersionRunStats>> {
    const knex = knexOf(this.db);
    const rows = (await knex('executions')
      .select('version_number')
      .count({ runs: '*' })
      .count({ finished: 'finished_at' })
      .sum({ completed: knex.raw('case when status = ? then 1 else 0 end', ['COMPLETED']) })
      .where('workflow_id', workflowId)
      .groupBy('version_number')) as Array<{ version_number: number; runs: number | string; finished: number | string; completed: number | string | null }>;
    const stats = new Map<number, VersionRunStats>();
    for (const row of rows) {
      const finished = Number(row.finished);
      stats.set(Number(row.version_number), {
        runCount: Number(row.runs),
        finishedRunCount: finished,
        successRate: finished > 0 ? Number(row.completed ?? 0) / finished : null,
      });
    }
    return stats;
  }

  async versions(workflow: Workflow, first: number | null | undefined, after: string | null | undefined): Promise<Page<WorkflowVersion>> {
    const limit = pageSize(first);
    const cursor = decodeCursor(after, 1);
    const em = this.db.em.fork();
    const where: FilterQuery<WorkflowVersion> = { workflowId: workflow.id };
    const rows = await em.find(WorkflowVersion, cursor ? { ...where, number: { $lt: Number(cursor[0]) } } : where, {
      orderBy: { number: 'desc' },
      limit: limit + 1,
    });
    return { items: rows.slice(0, limit), hasNextPage: rows.length > limit, totalCount: workflow.latestVersion, cursorOf: (v) => encodeCursor([v.number]) };
  }

  async export(user: User, id: string, version: number | null | undefined): Promise<JsonValue> {
    if (version === null || version === undefined) return (await this.draft(await this.get(user, id))) as unknown as JsonValue;
    return (await this.version(user, id, version)).definition;
  }

  async usersById(ids: readonly string[]): Promise<Map<string, User>> {
    const users = await this.db.em.fork().find(User, { id: { $in: [...new Set(ids)] } });
    return new Map(users.map((u) => [u.id, u]));
  }

  private validated(document: unknown, what?: string): WorkflowDefinition {
    const result = validateWorkflow(document);
    if (!result.ok) throw invalidWorkflow(result.problems, what);
    return result.definition;
  }
}

/**
 * The one writer of a workflow row's copy of its draft: the name and description (for lists
 * and search) and the definition (a cache for readers that take rows in bulk). Both the API's
 * edits and the collaboration document's debounced refresh go through here. A draft may be
 * invalid while people work on it, so the row keeps its name when the draft's is blank, and
 * both texts are cut to what the columns hold. Null when the workflow no longer exists.
 */
export async function writeWorkflowRow(db: Database, id: string, definition: WorkflowDefinition): Promise<Workflow | null> {
  const em = db.em.fork();
  const workflow = await em.findOne(Workflow, { id });
  if (!workflow) return null;
  const name = typeof definition.name === 'string' ? definition.name.trim().slice(0, MAX_NAME) : '';
  if (name) workflow.name = name;
  workflow.description = typeof definition.description === 'string' ? definition.description.slice(0, MAX_DESCRIPTION) : '';
  workflow.definition = definition as unknown as JsonValue;
  workflow.updatedAt = new Date();
  await em.flush();
  return workflow;
}

const MAX_NAME = 200;
const MAX_DESCRIPTION = 10_000;

function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

function checkName(name: string): string {
  const trimmed = (name ?? '').trim();
  if (trimmed.length === 0 || trimmed.length > MAX_NAME) throw badInput('name must have 1 to 200 characters', { field: 'name' });
  return trimmed;
}

function checkDescription(description: string): string {
  if (description.length > MAX_DESCRIPTION) throw badInput('description must have at most 10,000 characters', { field: 'description' });
  return description;
}

function checkId(id: string): string {
  return id.length > 100 ? '' : id;
}

function asObject(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badInput('definition must be a tandem.workflow/v1 JSON object');
  }
  return value as Record<string, unknown>;
}
