import type { Connection } from '@temporalio/client';

/** Identities of the workers that polled a task queue's workflow tasks within `withinMs`. */
export async function recentPollers(connection: Connection, namespace: string, taskQueue: string, withinMs: number): Promise<string[]> {
  const response = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: 1 /* TASK_QUEUE_KIND_NORMAL */ },
    taskQueueType: 1 /* TASK_QUEUE_TYPE_WORKFLOW */,
  });
  const now = Date.now();
  return (response.pollers ?? [])
    .filter((poller) => now - Number(poller.lastAccessTime?.seconds ?? 0) * 1000 <= withinMs)
    .map((poller) => poller.identity ?? '');
}

/**
 * An idle worker long-polls for about a minute at a time, so its last poll may be that old;
 * Temporal keeps listing a stopped one for a few minutes. Two minutes tells the two apart.
 */
const WORKER_SEEN_WITHIN_MS = 120_000;

/** Ready when some worker polls the installation's task queue: without one, runs start but never move. */
export function workerPollingCheck(connection: Connection, namespace: string, taskQueue: string): () => Promise<void> {
  return async () => {
    const pollers = await recentPollers(connection, namespace, taskQueue, WORKER_SEEN_WITHIN_MS);
    if (pollers.length === 0) throw new Error(`no worker has polled task queue "${taskQueue}" in the last ${WORKER_SEEN_WITHIN_MS / 1000} s`);
  };
}

export interface EventLag {
  /** Events received from the bus and not yet stored. */
  waiting: number;
  /** How long the oldest of them has waited, ms (0 when none). */
  oldestMs: number;
}

/** Events may wait this long to be stored before the server says it is behind. */
export const MAX_EVENT_LAG_MS = 30_000;

/** Ready while events received from the bus are stored within MAX_EVENT_LAG_MS. */
export function eventLagCheck(lag: () => EventLag): () => Promise<void> {
  return async () => {
    const { waiting, oldestMs } = lag();
    if (oldestMs > MAX_EVENT_LAG_MS) throw new Error(`${waiting} event(s) waiting to be stored, the oldest for ${Math.round(oldestMs / 1000)} s`);
  };
}
