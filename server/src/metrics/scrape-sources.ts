import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Connection } from '@temporalio/client';
import { Execution } from '../db/entities.js';
import { knexOf, type Database } from '../db/orm.js';

/** A poller seen this recently still counts as polling. */
const RECENT_POLL_MS = 60_000;

/** Counts open websockets by endpoint, from the HTTP server's upgrades (sockets refused at once close at once). */
export function countWebsockets(server: Server): () => Record<string, number> {
  const open: Record<string, number> = { graphql: 0, collab: 0 };
  server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const endpoint = path === '/graphql' ? 'graphql' : path.startsWith('/collab/') ? 'collab' : undefined;
    if (!endpoint) return;
    open[endpoint]! += 1;
    socket.once('close', () => (open[endpoint]! -= 1));
  });
  return () => ({ ...open });
}

/** The task queue's backlog and pollers (DescribeTaskQueue with stats), read at most every few seconds. */
export function describeTaskQueue(connection: Connection, namespace: string, taskQueue: string) {
  let cached: { at: number; value: Promise<{ backlog: number; pollers: Record<string, number> }> } | undefined;
  const read = async () => {
    const pollers: Record<string, number> = {};
    let backlog = 0;
    for (const [type, code] of [
      ['workflow', 1],
      ['activity', 2],
    ] as const) {
      const response = await connection.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue, kind: 1 },
        taskQueueType: code,
        reportStats: true,
      });
      const now = Date.now();
      pollers[type] = (response.pollers ?? []).filter((p) => now - Number(p.lastAccessTime?.seconds ?? 0) * 1000 < RECENT_POLL_MS).length;
      backlog += Number(response.stats?.approximateBacklogCount ?? 0);
    }
    return { backlog, pollers };
  };
  return () => {
    if (!cached || Date.now() - cached.at > 5_000) cached = { at: Date.now(), value: read() };
    return cached.value;
  };
}

/** Runs not ended by status, and how long the longest-waiting one has waited (its row is last touched when it began waiting). */
export function runsInProgress(db: Database) {
  return async () => {
    const knex = knexOf(db);
    const rows = (await knex('executions').whereIn('status', ['RUNNING', 'WAITING', 'PAUSED']).groupBy('status').select('status').count({ n: '*' })) as Array<{
      status: string;
      n: number | string;
    }>;
    const oldest = await db.em.fork().findOne(Execution, { status: 'WAITING' }, { fields: ['updatedAt'], orderBy: { updatedAt: 'asc' } });
    return {
      byStatus: Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])),
      oldestWaitingSeconds: oldest ? Math.max(0, (Date.now() - oldest.updatedAt.getTime()) / 1000) : 0,
    };
  };
}
