import { historyToJSON, type History } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type InjectedSinks, type WorkflowBundleOption } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { interpreterBundle } from './bundle.js';
import { WORKFLOW_FAILURE_ERROR_TYPES } from './worker.js';
import type { TandemSinks } from './workflows/types.js';

/** One Temporal run's history to replay: a run of a continue-as-new chain is one history. */
export interface HistoryToReplay {
  workflowId: string;
  runId: string;
  history: History;
}

/**
 * What replaying one history against the interpreter code said: `ok`, `nondeterminism` (the
 * code would make other decisions than the history records: a run in flight would fail on
 * this build) or `failed` (the replay itself went wrong, e.g. the code throws while replaying).
 */
export interface ReplayVerdict {
  workflowId: string;
  runId: string;
  verdict: 'ok' | 'nondeterminism' | 'failed';
  /** The replayer's error message, when not ok. */
  message?: string;
}

/**
 * History events in Temporal's JSON form (what `temporal workflow show --output json` prints and
 * the replayer's `historyFromJSON` reads), for handing a history out a page at a time.
 */
export function historyEventsToJSON(events: History['events']): unknown[] {
  return (JSON.parse(historyToJSON({ events })) as { events?: unknown[] }).events ?? [];
}

/** Replay emits no events: the sink is there so the workflow code finds it, and is not called during replay. */
const noSinks: InjectedSinks<TandemSinks> = {
  tandemEvents: { emit: { fn: () => {}, callDuringReplay: false } },
};

/**
 * Replays histories of interpreter runs one by one with Temporal's replayer, against the
 * bundle a worker would run now (`interpreterBundle()`) unless `workflowBundle` names another,
 * with the worker's own workflow options. Yields a verdict per history, in order.
 */
export async function* replayInterpreterHistories(
  histories: Iterable<HistoryToReplay> | AsyncIterable<HistoryToReplay>,
  options: { workflowBundle?: WorkflowBundleOption } = {},
): AsyncGenerator<ReplayVerdict> {
  const workflowBundle = options.workflowBundle ?? (await interpreterBundle());
  // The replayer runs one history at a time and yields its result before taking the next,
  // so the history being replayed is the last one handed over.
  let current: HistoryToReplay | undefined;
  async function* track() {
    for await (const item of histories) {
      current = item;
      yield { workflowId: item.workflowId, history: item.history };
    }
  }
  for await (const result of Worker.runReplayHistories(
    { workflowBundle, sinks: noSinks, workflowFailureErrorTypes: WORKFLOW_FAILURE_ERROR_TYPES, replayName: 'tandem-replay' },
    track(),
  )) {
    const runId = current?.runId ?? result.runId;
    if (!result.error) yield { workflowId: result.workflowId, runId, verdict: 'ok' };
    else
      yield {
        workflowId: result.workflowId,
        runId,
        verdict: result.error instanceof DeterminismViolationError ? 'nondeterminism' : 'failed',
        message: result.error.message,
      };
  }
}
