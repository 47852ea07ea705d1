import type { Client } from '@temporalio/client';
import { QUARANTINE_REASON } from '@tandem/worker';

export interface QuarantineOptions {
  /** A run whose workflow task has been tried this many times is poisoned. */
  minAttempts?: number;
  /** Running workflows looked at, most recently started first. */
  limit?: number;
  log?: (line: string) => void;
}

/**
 * Terminates the runs on `taskQueue` whose workflow task keeps failing or keeps taking its
 * worker down. Temporal hands a task that was never completed to the next worker, so a run
 * that aborts the worker process would abort every restart. Called by the supervisor after
 * the worker process died; the API server records such a run as FAILED with this reason.
 */
export async function quarantinePoisonedRuns(client: Client, taskQueue: string, options: QuarantineOptions = {}): Promise<string[]> {
  const minAttempts = options.minAttempts ?? 3;
  const limit = options.limit ?? 1_000;
  const quarantined: string[] = [];
  let seen = 0;
  const escaped = taskQueue.replace(/["\\]/g, '');
  for await (const run of client.workflow.list({ query: `TaskQueue = "${escaped}" AND ExecutionStatus = "Running"` })) {
    if (++seen > limit) break;
    const handle = client.workflow.getHandle(run.workflowId, run.runId);
    const description = await handle.describe().catch(() => null);
    const attempt = description?.raw.pendingWorkflowTask?.attempt ?? 0;
    if (attempt < minAttempts) continue;
    const reason = `${QUARANTINE_REASON}: its workflow task failed or stopped its worker ${attempt} times in a row`;
    await handle.terminate(reason).then(
      () => {
        quarantined.push(run.workflowId);
        options.log?.(`quarantined ${run.workflowId}: workflow task attempt ${attempt}`);
      },
      (error: unknown) => options.log?.(`could not quarantine ${run.workflowId}: ${(error as Error).message}`),
    );
  }
  return quarantined;
}
