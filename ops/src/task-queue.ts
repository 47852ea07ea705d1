import type { Connection } from '@temporalio/client';
import { recentPollers } from '@tandem/server/worker-support';
import { installationOfIdentity } from '@tandem/worker';

/** A task queue that another installation's workers poll: starting here would run its workflows and lose their events. */
export class QueueSharedError extends Error {
  override readonly name = 'QueueSharedError';
}

/** Pollers seen longer ago than this are gone (Temporal lists them for a few minutes after they stop). */
const RECENT_POLL_MS = 60_000;

/** Refuses a task queue that a worker of another Tandem installation polled recently. */
export async function assertQueueNotShared(connection: Connection, namespace: string, taskQueue: string, installationId: string): Promise<void> {
  const others = await otherInstallationsOn(connection, namespace, taskQueue, installationId);
  if (others.length === 0) return;
  throw new QueueSharedError(
    `task queue "${taskQueue}" is served by the workers of another Tandem installation (${others.join(', ')}) on this Temporal server: ` +
      "its worker would run this installation's runs and the other way round. Give each installation its own queue " +
      '(leave TEMPORAL_TASK_QUEUE unset to use the one this installation chose, or set a different one).',
  );
}

/** Identities of workers of other installations that polled `taskQueue` recently. */
export async function otherInstallationsOn(connection: Connection, namespace: string, taskQueue: string, installationId: string): Promise<string[]> {
  const identities = new Set<string>();
  for (const identity of await recentPollers(connection, namespace, taskQueue, RECENT_POLL_MS)) {
    const other = installationOfIdentity(identity);
    if (other !== null && other !== installationId) identities.add(identity);
  }
  return [...identities];
}
