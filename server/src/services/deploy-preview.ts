import {
  compileWorkflow,
  diffJson,
  diffWorkflows,
  isTruncatedValue,
  type ExecutionPlan,
  type ExecutionStatus,
  type JsonChange,
  type JsonValue,
  type WorkflowDefinition,
} from '@tandem/schema';
import { jsonEqual } from '@tandem/schema/collab';
import { dryRunPlan, recordedRunOf, type DryRunNote, type DryRunOutcome } from '@tandem/worker';
import type { Database } from '../db/orm.js';
import { Execution, ExecutionEvent, type WorkflowVersion } from '../db/entities.js';
import { badInput, invalidWorkflow } from '../errors.js';

/** How many recent runs a preview checks: `runs` defaults to 20 and may be 1 to 50. */
export const PREVIEW_RUNS = { default: 20, max: 50 } as const;
/** Bounds on one preview, so a preview never holds an API server for long. */
export const PREVIEW_LIMITS = {
  /** Steps one run's dry run may take (each loop iteration's steps count). */
  maxStepsPerRun: 10_000,
  /** Recorded events read per run; a longer run is not checked. */
  maxEventsPerRun: 20_000,
  /** Time for the whole preview; runs not reached by then are not checked. */
  timeBudgetMs: 20_000,
} as const;

/** The recorded runs a preview checks: those that reached a result (cancelled and timed-out runs have none to compare). */
const CHECKED_STATUSES: ExecutionStatus[] = ['COMPLETED', 'FAILED'];

/**
 * SAME: the new version gives what the run gave. DIFFERENT: another result (see `resultDiff`).
 * WOULD_FAIL: the new version fails (see `failure`). UNKNOWN: the result lies behind an effect the
 * dry run does not perform ("would call …"). NOT_CHECKED: see `reason`.
 */
export type RunVerdict = 'SAME' | 'DIFFERENT' | 'WOULD_FAIL' | 'UNKNOWN' | 'NOT_CHECKED';

/** What the new version would have done with one recorded run. */
export interface RunPreview {
  executionId: string;
  startedAt: Date;
  recordedStatus: ExecutionStatus;
  verdict: RunVerdict;
  recordedResult: JsonValue;
  /** The new version's result, when the dry run completed. */
  previewResult: JsonValue;
  /** Where the results differ (recorded → new), for DIFFERENT. */
  resultDiff: JsonChange[];
  /** The node and error the new version would fail with (WOULD_FAIL), or failed with like the recorded run (SAME). */
  failure: { nodeId: string | null; message: string } | null;
  notes: DryRunNote[];
  unknownNodes: string[];
  reason: string | null;
}

/** A preview ready to run: the draft's plan, what changed since the live version, and the runs to check, newest first. */
export interface PreparedPreview {
  liveVersion: number;
  plan: ExecutionPlan;
  changedNodes: string[];
  runs: Execution[];
}

/** A preview under way: what it checks, and each run's preview as it is known. */
export interface DeployPreview {
  liveVersion: number;
  changedNodes: string[];
  /** How many runs `runs` yields. */
  total: number;
  runs: AsyncGenerator<RunPreview>;
}

/** Checks `runs` (the caller's argument) and returns it, or BAD_USER_INPUT naming the bounds. */
export function checkPreviewRuns(runs: number | null | undefined): number {
  const wanted = runs ?? PREVIEW_RUNS.default;
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > PREVIEW_RUNS.max) {
    throw badInput(`runs must be a whole number from 1 to ${PREVIEW_RUNS.max}, got ${wanted}`, { field: 'runs' });
  }
  return wanted;
}

/**
 * Reads what a preview needs: the draft must be deployable (else BAD_USER_INPUT with its problems,
 * as deployWorkflow would say); nodes count as changed when added or when their type or config differ.
 */
export async function preparePreview(db: Database, live: WorkflowVersion, draft: WorkflowDefinition, runs: number): Promise<PreparedPreview> {
  const compiled = compileWorkflow(draft);
  if (!compiled.ok) throw invalidWorkflow(compiled.problems, 'the draft cannot be deployed, so it cannot be checked');
  const diff = diffWorkflows(live.definition as unknown as WorkflowDefinition, draft);
  const changedNodes = diff.nodes.filter((n) => n.change === 'added' || n.mark === 'changed').map((n) => n.nodeId);
  const recent = await db.em
    .fork()
    .find(
      Execution,
      { workflowId: live.workflowId, versionNumber: live.number, status: { $in: CHECKED_STATUSES } },
      { orderBy: { finishedAt: 'desc', id: 'desc' }, limit: runs },
    );
  return { liveVersion: live.number, plan: compiled.plan, changedNodes, runs: recent };
}

/** Dry-runs the plan on each prepared run in turn, yielding each run's preview as soon as it is known. */
export async function* previewRuns(db: Database, prepared: PreparedPreview): AsyncGenerator<RunPreview> {
  const deadline = Date.now() + PREVIEW_LIMITS.timeBudgetMs;
  const changed = new Set(prepared.changedNodes);
  for (const execution of prepared.runs) {
    const base = { executionId: execution.id, startedAt: execution.startedAt, recordedStatus: execution.status, recordedResult: execution.result ?? null };
    const notChecked = (reason: string): RunPreview => ({ ...base, ...EMPTY, verdict: 'NOT_CHECKED', reason });
    if (Date.now() > deadline) {
      yield notChecked('the preview’s time budget ran out before this run');
      continue;
    }
    if (isTruncatedValue(execution.result)) {
      yield notChecked('its recorded result is too large to compare');
      continue;
    }
    const events = await db.em
      .fork()
      .find(
        ExecutionEvent,
        { executionId: execution.id, type: { $in: ['EXECUTION_STARTED', 'STEP_COMPLETED', 'STEP_FAILED'] } },
        { orderBy: { sequence: 'asc' }, limit: PREVIEW_LIMITS.maxEventsPerRun + 1 },
      );
    if (events.length > PREVIEW_LIMITS.maxEventsPerRun) {
      yield notChecked(`it has more than ${PREVIEW_LIMITS.maxEventsPerRun} recorded steps`);
      continue;
    }
    const outcome = await dryRunPlan({
      plan: prepared.plan,
      recorded: recordedRunOf(execution.input, events),
      changed,
      maxSteps: PREVIEW_LIMITS.maxStepsPerRun,
      deadline,
    });
    yield { ...base, ...judge(execution, outcome) };
  }
}

type Findings = Omit<RunPreview, 'executionId' | 'startedAt' | 'recordedStatus' | 'recordedResult'>;
const EMPTY: Omit<Findings, 'verdict'> = { previewResult: null, resultDiff: [], failure: null, notes: [], unknownNodes: [], reason: null };

/** The verdict on one run: its recorded end beside the dry run's. */
function judge(execution: Execution, outcome: DryRunOutcome): Findings {
  const seen = { ...EMPTY, notes: outcome.notes, unknownNodes: outcome.unknownNodes };
  switch (outcome.status) {
    case 'STOPPED':
      return { ...seen, verdict: 'NOT_CHECKED', reason: `the dry run stopped: ${outcome.stoppedBecause}` };
    case 'UNKNOWN':
      return { ...seen, verdict: 'UNKNOWN', reason: 'the result depends on a step the dry run does not perform' };
    case 'FAILED': {
      const recorded = execution.error;
      const { nodeId, message } = outcome.failure!;
      // The run's message is `node "<id>" (<type>) failed: <the step's message>`.
      const same = execution.status === 'FAILED' && recorded?.nodeId === nodeId && (recorded.message ?? '').endsWith(message);
      return { ...seen, verdict: same ? 'SAME' : 'WOULD_FAIL', failure: outcome.failure };
    }
    case 'COMPLETED': {
      const recorded = execution.result ?? null;
      if (execution.status === 'COMPLETED' && jsonEqual(recorded, outcome.result)) return { ...seen, verdict: 'SAME', previewResult: outcome.result };
      return { ...seen, verdict: 'DIFFERENT', previewResult: outcome.result, resultDiff: diffJson(recorded, outcome.result) };
    }
  }
}
