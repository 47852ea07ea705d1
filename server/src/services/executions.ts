import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { compileWorkflow, FINAL_STATUSES, runErrorOf, type ExecutionPlan, type JsonValue } from '@tandem/schema';
import {
  INTERPRETER_QUERIES,
  INTERPRETER_SIGNALS,
  INTERPRETER_WORKFLOW,
  interpreterWorkflowId,
  QUARANTINE_REASON,
  type CustomSignal,
  type InterpreterInput,
  type LiveState,
  type ReusedStep,
} from '@tandem/worker';
import { isPostgres, type Database } from '../db/orm.js';
import { executionReadFor, runRowWritesFor, type ExecutionRead, type RowFields, type RunRowWrites } from '../db/execution-row.js';
import { executionPage, type ExecutionFilter } from '../db/execution-page.js';
import type { User } from '../db/entities.js';
import { Execution, WorkflowVersion, type Workflow, type WorkflowRole } from '../db/entities.js';
import { apiError, badInput, conflict, invalidWorkflow, notFound } from '../errors.js';
import { roleIncludes } from './access.js';
import { decodeCursor, encodeCursor, pageSize, type Page } from '../pagination.js';
import type { WorkflowService } from './workflows.js';
import { resolveSubplans } from './subplans.js';
import type { EventIngest } from './event-ingest.js';
import { BoundedMap } from '../bounded-map.js';

/** What a new run is: its version, whose it is, its input, and for a retry what it retries and reuses. */
export interface LaunchOptions {
  version: WorkflowVersion;
  /** The workflow's owner: whose sub-workflows and secrets the run uses. */
  ownerId: string;
  startedById: string;
  input: JsonValue;
  triggerNodeId?: string;
  id?: string;
  /** A retry: the run it retries and the node it runs from (null: a run again from the start). */
  retryOf?: { id: string; fromNodeId: string | null };
  /** A retry's recorded steps the interpreter takes instead of executing them. */
  reuse?: Record<string, ReusedStep>;
}

/** A row not updated for this long while its run should be moving is checked against Temporal when read. */
const STALE_AFTER_MS = 30_000;

/** Starting runs on Temporal and keeping their rows in step with it. */
export class ExecutionService {
  /** Compiled plans of deployed versions (immutable, so they never go stale), most recent last. */
  private readonly plans = new BoundedMap<string, ExecutionPlan>(200);
  private readonly rowWrites: RunRowWrites;
  private readonly readRow: ExecutionRead;

  constructor(
    private readonly db: Database,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly workflows: WorkflowService,
    /** Told of each run this server starts, so the run's first events need not read its row. */
    private readonly ingest?: Pick<EventIngest, 'expectRun' | 'forgetRun'>,
  ) {
    this.rowWrites = runRowWritesFor(db);
    this.readRow = executionReadFor(db);
  }

  async start(user: User, workflowId: string, input: JsonValue | undefined, versionNumber: number | null | undefined): Promise<Execution> {
    const workflow = await this.workflows.getToStart(user, workflowId);
    const version = await this.workflows.deployedVersion(workflow, versionNumber);
    return (await this.launch({ version, ownerId: workflow.ownerId, startedById: user.id, input: input ?? {} })).execution;
  }

  /**
   * Starts a run from a trigger (a webhook delivery). With an idempotency key, the execution id
   * is derived from it, so a retried delivery finds the run the first one started.
   */
  async startTriggered(
    workflow: Pick<Workflow, 'id' | 'ownerId'>,
    version: WorkflowVersion,
    triggerNodeId: string,
    input: JsonValue,
    idempotencyKey: string | null,
  ): Promise<{ execution: Execution; created: boolean }> {
    const id = idempotencyKey === null ? undefined : idFromKey(`${workflow.id}:${triggerNodeId}:${idempotencyKey}`);
    return this.launch({ version, ownerId: workflow.ownerId, startedById: workflow.ownerId, input, triggerNodeId, ...(id ? { id } : {}) });
  }

  async launch(options: LaunchOptions): Promise<{ execution: Execution; created: boolean }> {
    const { version, input } = options;
    const plan = this.planOf(version);
    const id = options.id ?? randomUUID();
    // SQLite's start writes are prepared statements that need no entity manager (forking one cost
    // as much as the insert); PostgreSQL's go through the ORM.
    const em = options.id || isPostgres(this.db) ? this.db.em.fork() : undefined;
    // Sub-workflows are resolved before anything is stored, so a missing one leaves no stray row.
    const owner = options.ownerId;
    const subplans = await resolveSubplans(this.db, owner, version.workflowId, plan);
    if (em && options.id) {
      const existing = await em.findOne(Execution, { id });
      if (existing) return { execution: existing, created: false };
    }
    const temporalWorkflowId = interpreterWorkflowId(id);
    // The row exists before the run starts, so the run's first event always has a row to belong to.
    // Written with single statements (no unit of work, no transaction around one statement): a
    // run start is the API's hottest write after the events.
    // A plain instance (the ORM's create cost as much as the insert): nothing here is flushed.
    const execution = Object.assign(new Execution(), {
      id,
      workflowId: version.workflowId,
      versionId: version.id,
      versionNumber: version.number,
      startedById: options.startedById,
      status: 'RUNNING',
      input,
      startedAt: new Date(),
      updatedAt: new Date(),
      temporalWorkflowId,
      temporalRunId: '',
      retryOfId: options.retryOf?.id ?? null,
      retryFromNodeId: options.retryOf?.fromNodeId ?? null,
    });
    try {
      await this.rowWrites.insert(em, execution);
    } catch (error) {
      // The same idempotency key delivered twice at once: the other delivery created it.
      if (options.id && error instanceof UniqueConstraintViolationException) {
        return { execution: await this.db.em.fork().findOneOrFail(Execution, { id }), created: false };
      }
      throw error;
    }
    this.ingest?.expectRun(execution);
    const args: InterpreterInput = {
      executionId: id,
      plan,
      input,
      ...(options.triggerNodeId ? { triggerNodeId: options.triggerNodeId } : {}),
      ...(Object.keys(subplans).length > 0 ? { subplans } : {}),
      // Whose secrets the run's http.request steps use, and the nonce its placeholders carry.
      ownerId: owner,
      secretsNonce: randomBytes(16).toString('base64url'),
      ...(options.reuse && Object.keys(options.reuse).length > 0 ? { reuse: options.reuse } : {}),
    };
    try {
      const handle = await this.temporal.workflow.start(INTERPRETER_WORKFLOW, { taskQueue: this.taskQueue, workflowId: temporalWorkflowId, args: [args] });
      await this.writeRow(em, execution, { temporalRunId: handle.firstExecutionRunId });
    } catch (error) {
      this.ingest?.forgetRun(id);
      await this.writeRow(em, execution, {
        status: 'FAILED',
        error: { message: `the run could not be started: ${(error as Error).message}` },
        finishedAt: new Date(),
      });
      throw error;
    }
    return { execution, created: true };
  }

  /** Sets fields of a run's row with one update, and on the entity the caller holds. */
  private async writeRow(
    em: EntityManager | undefined,
    execution: Execution,
    fields: Pick<RowFields, 'temporalRunId' | 'status' | 'error' | 'finishedAt'>,
  ): Promise<void> {
    const changed = { ...fields, updatedAt: new Date() };
    await this.rowWrites.set(em, execution.id, changed);
    Object.assign(execution, changed);
  }

  /** The compiled plan of a deployed version (cached). */
  planOf(version: WorkflowVersion): ExecutionPlan {
    const cached = this.plans.get(version.id);
    if (cached) return cached;
    const compiled = compileWorkflow(version.definition);
    if (!compiled.ok) throw invalidWorkflow(compiled.problems, `version ${version.number} cannot run`);
    this.plans.set(version.id, compiled.plan);
    return compiled.plan;
  }

  /** A run of a workflow `user` may read; `needed` EDITOR for acting on it (editors and the owner run and control). */
  async get(user: User, id: string, needed: WorkflowRole = 'VIEWER'): Promise<Execution> {
    const execution = await this.readRow(id.length > 100 ? '' : id);
    const role = execution ? await this.workflows.access.roleOf(user.id, execution.workflowId) : null;
    if (!execution || !role) throw notFound('execution', id);
    if (!roleIncludes(role, needed)) {
      throw apiError('FORBIDDEN', `viewers can watch execution "${id}" but not control it; ask the owner for the EDITOR role`, { requiredRole: needed, role });
    }
    return this.freshen(execution);
  }

  async list(user: User, first: number | null | undefined, after: string | null | undefined, filter: ExecutionFilter = {}): Promise<Page<Execution>> {
    const limit = pageSize(first);
    const cursor = decodeCursor(after, 2) as [number, string] | null;
    const { rows, totalCount } = await executionPage(this.db, (userId) => this.workflows.access.visibleWhere(userId), {
      userId: user.id,
      limit,
      after: cursor,
      filter,
    });
    return {
      items: await Promise.all(rows.slice(0, limit).map((e) => this.freshen(e))),
      hasNextPage: rows.length > limit,
      totalCount,
      cursorOf: (e) => encodeCursor([e.startedAt.getTime(), e.id]),
    };
  }

  async cancel(user: User, id: string): Promise<Execution> {
    const execution = await this.get(user, id, 'EDITOR');
    if (FINAL_STATUSES.has(execution.status)) throw conflict(`execution "${id}" has already ended (${execution.status})`);
    await this.temporal.workflow.getHandle(execution.temporalWorkflowId).cancel();
    return execution;
  }

  /** Sends a named signal with a payload; wait.signal nodes waiting for that name take it. */
  async signal(user: User, id: string, name: string, payload: JsonValue | undefined): Promise<Execution> {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/.test(name)) throw badInput('name must be a signal name: letters, digits, "_", "." and "-"');
    const execution = await this.running(user, id);
    const signal: CustomSignal = { name, payload: checkInput(payload ?? null, 'payload') };
    await this.temporal.workflow.getHandle(execution.temporalWorkflowId).signal(INTERPRETER_SIGNALS.custom, signal);
    return execution;
  }

  /** While paused no new step starts; steps in flight finish. Survives worker restarts (it is workflow state). */
  async pause(user: User, id: string): Promise<Execution> {
    const execution = await this.running(user, id);
    await this.temporal.workflow.getHandle(execution.temporalWorkflowId).signal(INTERPRETER_SIGNALS.pause);
    return execution;
  }

  async resume(user: User, id: string): Promise<Execution> {
    const execution = await this.running(user, id);
    await this.temporal.workflow.getHandle(execution.temporalWorkflowId).signal(INTERPRETER_SIGNALS.resume);
    return execution;
  }

  /** The interpreter's live state (a Temporal query), or null once the run has ended. */
  async liveState(execution: Execution): Promise<LiveState | null> {
    if (FINAL_STATUSES.has(execution.status)) return null;
    try {
      return await this.temporal.workflow.getHandle(execution.temporalWorkflowId).query<LiveState>(INTERPRETER_QUERIES.state);
    } catch {
      return null; // ended meanwhile, or no worker to answer right now
    }
  }

  private async running(user: User, id: string): Promise<Execution> {
    const execution = await this.get(user, id, 'EDITOR');
    if (FINAL_STATUSES.has(execution.status)) throw conflict(`execution "${id}" has already ended (${execution.status})`);
    return execution;
  }

  /** Sub-workflow runs started by this execution, oldest first. */
  async children(execution: Execution): Promise<Execution[]> {
    return this.db.em.fork().find(Execution, { parentExecutionId: execution.id }, { orderBy: { startedAt: 'asc', id: 'asc' }, limit: 100 });
  }

  async latestFor(workflowId: string): Promise<Execution | null> {
    const rows = await this.db.em.fork().find(Execution, { workflowId }, { orderBy: { startedAt: 'desc', id: 'desc' }, limit: 1 });
    return rows[0] ?? null;
  }

  /** Brings every unfinished row in line with Temporal (on server start: runs may have ended meanwhile). */
  async reconcileUnfinished(): Promise<number> {
    const rows = await this.db.em.fork().find(Execution, { status: { $nin: [...FINAL_STATUSES] } }, { limit: 1_000 });
    let changed = 0;
    for (const row of rows) if ((await this.reconcile(row)).status !== row.status) changed++;
    return changed;
  }

  /** Reads the run's state from Temporal and stores what changed. */
  async reconcile(execution: Execution): Promise<Execution> {
    const em = this.db.em.fork();
    const row = await em.findOne(Execution, { id: execution.id });
    if (!row || FINAL_STATUSES.has(row.status)) return row ?? execution;
    const handle = this.temporal.workflow.getHandle(row.temporalWorkflowId);
    let description;
    try {
      description = await handle.describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        row.status = 'FAILED';
        row.error = { message: 'the run is not known to Temporal (its history may have expired)' };
        row.finishedAt ??= new Date();
        await em.flush();
        return row;
      }
      return row;
    }
    const status = description.status.name;
    if (status === 'RUNNING') {
      row.updatedAt = new Date();
    } else if (status === 'COMPLETED') {
      row.status = 'COMPLETED';
      row.result = (await handle.result().catch(() => null)) as JsonValue;
    } else if (status === 'FAILED') {
      row.status = 'FAILED';
      const failure = await handle.result().then(
        () => null,
        (error: Error & { cause?: Error & { details?: unknown[] } }) => error.cause ?? error,
      );
      // The same error the run's EXECUTION_FAILED event carries, had it arrived.
      row.error = failure ? runErrorOf(failure) : null;
    } else if (status === 'TERMINATED') {
      // A run the worker supervisor quarantined failed, for the reason it gave; others were stopped by hand.
      const reason = await terminationReason(handle);
      if (reason?.startsWith(QUARANTINE_REASON)) {
        row.status = 'FAILED';
        row.error = { message: reason };
      } else row.status = 'CANCELLED';
    } else if (status === 'CANCELLED') {
      row.status = 'CANCELLED';
    } else if (status === 'TIMED_OUT') {
      row.status = 'TIMED_OUT';
    }
    if (FINAL_STATUSES.has(row.status)) row.finishedAt ??= description.closeTime ?? new Date();
    await em.flush();
    return row;
  }

  private async freshen(execution: Execution): Promise<Execution> {
    if (FINAL_STATUSES.has(execution.status) || Date.now() - execution.updatedAt.getTime() < STALE_AFTER_MS) return execution;
    return this.reconcile(execution);
  }

  async versionOf(execution: Execution): Promise<WorkflowVersion | null> {
    return this.db.em.fork().findOne(WorkflowVersion, { id: execution.versionId });
  }
}

async function terminationReason(handle: WorkflowHandle): Promise<string | null> {
  const history = await handle.fetchHistory().catch(() => null);
  return history?.events?.at(-1)?.workflowExecutionTerminatedEventAttributes?.reason ?? null;
}

/** A run's input or a signal's payload: JSON of at most 1,000,000 characters. `what` names it in the error. */
export function checkInput(input: unknown, what = 'input'): JsonValue {
  if (input === undefined) return {};
  const size = JSON.stringify(input)?.length ?? 0;
  if (size > 1_000_000) throw badInput(`${what} is larger than 1,000,000 characters of JSON`, { field: what });
  return input as JsonValue;
}

/** A UUID-shaped id derived from a key (SHA-256), so the same key always names the same execution. */
function idFromKey(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
