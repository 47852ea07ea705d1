import type { Client } from '@temporalio/client';
import {
  causeChain,
  FINAL_STATUSES,
  isTruncatedValue,
  maskSecretPlaceholders,
  planRetry,
  RunStateFold,
  type HttpExchange,
  type JsonValue,
  type RecordedStep,
  type RunState,
  type StepAttempt,
  type StepError,
  type StepRun,
} from '@tandem/schema';
import { historyEventsToJSON } from '@tandem/worker';
import type { Database } from '../db/orm.js';
import { Execution, ExecutionEvent, type User, type WorkflowVersion } from '../db/entities.js';
import { apiError, badInput, conflict } from '../errors.js';
import type { ExecutionService } from './executions.js';
import type { WorkflowService } from './workflows.js';

/** One run of one node, whole (`Execution.step`). */
export interface ExecutionStepView {
  nodeId: string;
  iteration: number;
  nodeType: string | null;
  status: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  input: JsonValue | null;
  output: JsonValue | null;
  error: JsonValue | null;
  causes: JsonValue[];
  attempts: Array<{ attempt: number; at: Date; error: JsonValue; delayMs: number | null }>;
  http: HttpExchange | null;
  reused: boolean;
}

/** One Temporal run of an execution's continue-as-new chain (`Execution.temporalRuns`). */
export interface TemporalRunView {
  workflowId: string;
  runId: string;
  status: string;
  startedAt: Date;
  closedAt: Date | null;
  events: number;
}

/** The events the step view folds: one node's. */
const STEP_EVENT_TYPES = ['STEP_STARTED', 'STEP_WAITING', 'STEP_RETRYING', 'STEP_COMPLETED', 'STEP_FAILED', 'STEP_SKIPPED', 'CONTINUED_AS_NEW'];

/** Reused outputs a retry carries at most, with its input, in JSON characters: Temporal refuses a start larger than about 2 MB. */
const RETRY_PAYLOAD_LIMIT = 1_500_000;

/** History events per page read from Temporal while streaming a history. */
const HISTORY_PAGE = 500;

/**
 * Debugging runs: a step's whole values, the Temporal side of a run (its runs and their
 * histories), and retrying a run from a step, reusing what it recorded.
 */
export class ReplayService {
  constructor(
    private readonly db: Database,
    private readonly temporal: Client,
    private readonly executions: ExecutionService,
    private readonly workflows: WorkflowService,
  ) {}

  /** The `iteration`-th run (from 0) of a node, with what its events had to cut; null when the node has no such run. */
  async step(execution: Execution, nodeId: string, iteration: number): Promise<ExecutionStepView | null> {
    if (!Number.isInteger(iteration) || iteration < 0) throw badInput('iteration must be an integer, 0 or more', { field: 'iteration' });
    const em = this.db.em.fork();
    const events = await em.find(ExecutionEvent, { executionId: execution.id, nodeId, type: { $in: STEP_EVENT_TYPES } }, { orderBy: { sequence: 'asc' } });
    const fold = new RunStateFold();
    for (const event of events) fold.apply(replayEventOf(event));
    const node = fold.snapshot().steps.get(nodeId);
    const run = node?.runs[iteration];
    if (!run || run.status === 'skipped') return null;
    const sequences = [run.startSequence, ...(run.endSequence === undefined ? [] : [run.endSequence])];
    const stored = await em.find(ExecutionEvent, { executionId: execution.id, sequence: { $in: sequences } }, { fields: ['sequence', 'stepValues'] });
    const started = stored.find((e) => e.sequence === run.startSequence)?.stepValues;
    const ended = stored.find((e) => e.sequence === run.endSequence)?.stepValues;
    const start = events.find((e) => e.sequence === run.startSequence);
    const error = run.error && run.status === 'failed' ? run.error : null;
    return {
      nodeId,
      iteration,
      nodeType: node?.type ?? null,
      status: run.status.toUpperCase(),
      startedAt: run.startedAt ? new Date(run.startedAt) : null,
      finishedAt: run.finishedAt ? new Date(run.finishedAt) : null,
      durationMs: run.durationMs ?? null,
      input: maskSecretPlaceholders((started?.input ?? run.input ?? null) as JsonValue),
      output: maskSecretPlaceholders((ended?.output ?? run.output ?? null) as JsonValue),
      error: error as JsonValue,
      causes: causeChain(error).map((cause) => withoutCause(cause)),
      attempts: run.attempts.map(attemptView),
      http: ended?.http ? (maskSecretPlaceholders(ended.http as unknown as JsonValue) as unknown as HttpExchange) : null,
      reused: isReused(start?.data),
    };
  }

  /** A new run of `id` from `fromNodeId` (default: the node that failed), reusing the steps it recorded before (see planRetry). */
  async retry(user: User, id: string, fromNodeId: string | null | undefined, versionNumber: number | null | undefined): Promise<Execution> {
    const { original, workflow, version, state, plan, triggerNodeId } = await this.retryTarget(user, id, versionNumber);
    const from = fromNodeId ?? failedNodeOf(original, state);
    if (!from) {
      throw badInput(
        `execution "${id}" did not fail (it is ${original.status}): name fromNodeId to retry from, or use rerunExecution to run it again with the same input`,
        {
          field: 'fromNodeId',
        },
      );
    }
    if (!plan.nodes.some((n) => n.id === from)) throw badInput(`node "${from}" does not exist in version ${version.number}`, { field: 'fromNodeId' });
    const originalVersion = (await this.executions.versionOf(original))!;
    const { reuse } = planRetry({
      original: this.executions.planOf(originalVersion),
      target: plan,
      state,
      fromNodeId: from,
      wholeOutputs: await this.wholeOutputs(original, state),
    });
    const size = JSON.stringify(reuse).length + JSON.stringify(original.input).length;
    if (size > RETRY_PAYLOAD_LIMIT) {
      throw badInput(
        `the steps to reuse and the input hold ${size} characters of JSON, more than a run can start with (${RETRY_PAYLOAD_LIMIT}); retry from an earlier node`,
        {
          field: 'fromNodeId',
        },
      );
    }
    return this.relaunch(user, original, workflow.ownerId, version, triggerNodeId, { id: original.id, fromNodeId: from }, reuse);
  }

  /** A new run of `id`'s workflow with its input and trigger, on its version or a newer one; nothing is reused. */
  async rerun(user: User, id: string, versionNumber: number | null | undefined): Promise<Execution> {
    const { original, workflow, version, triggerNodeId } = await this.retryTarget(user, id, versionNumber);
    return this.relaunch(user, original, workflow.ownerId, version, triggerNodeId, { id: original.id, fromNodeId: null }, {});
  }

  private async relaunch(
    user: User,
    original: Execution,
    ownerId: string,
    version: WorkflowVersion,
    triggerNodeId: string | null,
    retryOf: { id: string; fromNodeId: string | null },
    reuse: Record<string, RecordedStep>,
  ): Promise<Execution> {
    const { execution } = await this.executions.launch({
      version,
      ownerId,
      startedById: user.id,
      input: original.input,
      ...(triggerNodeId ? { triggerNodeId } : {}),
      retryOf,
      reuse,
    });
    return execution;
  }

  /** The run to retry (an editor's, ended unless only run again), the version to run and the run's recorded state. */
  private async retryTarget(user: User, id: string, versionNumber: number | null | undefined) {
    const original = await this.executions.get(user, id, 'EDITOR');
    const workflow = await this.workflows.get(user, original.workflowId, 'EDITOR');
    if (!FINAL_STATUSES.has(original.status)) throw conflict(`execution "${id}" is still ${original.status}; cancel it or wait for it to end first`);
    const version = await this.workflows.deployedVersion(workflow, versionNumber ?? original.versionNumber);
    if (version.number < original.versionNumber) {
      throw badInput(`version ${version.number} is older than version ${original.versionNumber}, which execution "${id}" ran; retry on it or a newer one`, {
        field: 'version',
      });
    }
    const plan = this.executions.planOf(version);
    const events = await this.db.em.fork().find(ExecutionEvent, { executionId: original.id }, { orderBy: { sequence: 'asc' } });
    const state = new RunStateFold().applyAll(events.map(replayEventOf)).snapshot();
    const started = events.find((e) => e.type === 'EXECUTION_STARTED')?.data as { triggerNodeId?: unknown } | undefined;
    const triggerNodeId = typeof started?.triggerNodeId === 'string' ? started.triggerNodeId : null;
    if (triggerNodeId && !plan.nodes.some((n) => n.id === triggerNodeId && n.trigger)) {
      throw badInput(`the run's trigger "${triggerNodeId}" is not a trigger of version ${version.number}`, { field: 'version' });
    }
    return { original, workflow, version, state, plan, triggerNodeId };
  }

  /** Whole outputs of the steps whose event copies were cut, from the values stored with their STEP_COMPLETED. */
  private async wholeOutputs(execution: Execution, state: RunState): Promise<Map<string, JsonValue>> {
    const ends = new Map<number, string>();
    for (const [id, step] of state.steps) {
      const run = step.runs[step.runs.length - 1];
      if (step.status === 'succeeded' && isTruncatedValue(step.output) && run?.endSequence !== undefined) ends.set(run.endSequence, id);
    }
    const whole = new Map<string, JsonValue>();
    if (ends.size === 0) return whole;
    const rows = await this.db.em
      .fork()
      .find(ExecutionEvent, { executionId: execution.id, sequence: { $in: [...ends.keys()] } }, { fields: ['sequence', 'stepValues'] });
    for (const row of rows) if (row.stepValues?.output !== undefined) whole.set(ends.get(row.sequence)!, row.stepValues.output);
    return whole;
  }

  /** The run this one retries. */
  async retryOf(execution: Execution): Promise<Execution | null> {
    return execution.retryOfId ? this.db.em.fork().findOne(Execution, { id: execution.retryOfId }) : null;
  }

  /** Runs that retry this one, oldest first (at most 100). */
  async retries(execution: Execution): Promise<Execution[]> {
    return this.db.em.fork().find(Execution, { retryOfId: execution.id }, { orderBy: { startedAt: 'asc', id: 'asc' }, limit: 100 });
  }

  /** The Temporal runs of an execution, oldest first: one, or one per continue-as-new. */
  async temporalRuns(execution: Execution): Promise<TemporalRunView[]> {
    const runs: TemporalRunView[] = [];
    const query = `WorkflowId = '${execution.temporalWorkflowId.replace(/'/g, '')}'`;
    for await (const info of this.temporal.workflow.list({ query, pageSize: 100 })) {
      runs.push({
        workflowId: info.workflowId,
        runId: info.runId,
        status: info.status.name,
        startedAt: info.startTime,
        closedAt: info.closeTime ?? null,
        events: info.historyLength,
      });
      if (runs.length >= 1_000) break;
    }
    return runs.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  }

  /**
   * The owner's access to a run's Temporal history: the execution and the run asked for (the
   * current one by default). Histories hold whole inputs and outputs, so only the workflow's
   * owner may download them.
   */
  async historyTarget(user: User, id: string, runId: string | undefined): Promise<{ workflowId: string; runId: string }> {
    const execution = await this.executions.get(user, id);
    const workflow = await this.workflows.get(user, execution.workflowId);
    if (workflow.ownerId !== user.id) throw apiError('FORBIDDEN', `only the owner of the workflow may download the Temporal history of execution "${id}"`);
    if (runId !== undefined && !/^[0-9a-f-]{36}$/.test(runId)) throw badInput('runId must be a Temporal run id (a UUID)', { field: 'runId' });
    return { workflowId: execution.temporalWorkflowId, runId: runId ?? execution.temporalRunId };
  }

  /** A Temporal run's history events in Temporal's JSON form, a page at a time. */
  async *historyPages(target: { workflowId: string; runId: string }): AsyncGenerator<unknown[]> {
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.temporal.workflowService.getWorkflowExecutionHistory({
        namespace: this.temporal.options.namespace,
        execution: { workflowId: target.workflowId, ...(target.runId ? { runId: target.runId } : {}) },
        maximumPageSize: HISTORY_PAGE,
        ...(nextPageToken ? { nextPageToken } : {}),
      });
      yield historyEventsToJSON(page.history?.events ?? []);
      nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
    } while (nextPageToken);
  }
}

function replayEventOf(event: ExecutionEvent): { sequence: number; type: string; nodeId: string | null; at: string; data: Record<string, unknown> } {
  return {
    sequence: event.sequence,
    type: event.type,
    nodeId: event.nodeId ?? null,
    at: event.at.toISOString(),
    data: (event.data ?? {}) as Record<string, unknown>,
  };
}

/** The node a failed run failed at: the one its error names, else its last failed step. */
function failedNodeOf(execution: Execution, state: RunState): string | null {
  if (execution.status !== 'FAILED') return null;
  if (execution.error?.nodeId) return execution.error.nodeId;
  let last: { id: string; run: StepRun } | null = null;
  for (const [id, step] of state.steps) {
    const run = step.runs[step.runs.length - 1];
    if (run?.status === 'failed' && (!last || (run.endSequence ?? 0) > (last.run.endSequence ?? 0))) last = { id, run };
  }
  return last?.id ?? null;
}

function withoutCause(error: StepError): JsonValue {
  const { cause: _cause, ...rest } = error;
  return rest as JsonValue;
}

function attemptView(attempt: StepAttempt): ExecutionStepView['attempts'][number] {
  return { attempt: attempt.attempt, at: new Date(attempt.at), error: attempt.error as JsonValue, delayMs: attempt.delayMs ?? null };
}

function isReused(data: JsonValue | undefined): boolean {
  return typeof data === 'object' && data !== null && !Array.isArray(data) && data.reused === true;
}
