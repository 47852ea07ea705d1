import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionStatus } from '@tandem/schema';
import { Execution, Workflow, WorkflowMember } from '../src/db/entities.js';
import { executionPageOnSqlite, executionPageWithOrm, type ExecutionFilter, type ExecutionPageQuery } from '../src/db/execution-page.js';
import { openDatabase, type Database } from '../src/db/orm.js';
import { onSqlite } from '../src/db/sqlite-connection.js';
import { AccessService } from '../src/services/access.js';

// On SQLite the runs list is read with two prepared statements and mapped by hand: every page,
// under every filter, must be exactly the ORM's, row for row and property for property.

let dir: string;
let db: Database;
let access: AccessService;

const at = (minute: number, ms = 0) => new Date(Date.UTC(2026, 11, 6, 2, minute, 0, ms));
const STATUSES: ExecutionStatus[] = ['RUNNING', 'WAITING', 'COMPLETED', 'FAILED', 'CANCELLED'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-execution-page-'));
  db = await openDatabase({ url: undefined, sqliteFile: join(dir, 'tandem.db') });
  access = new AccessService(db);
  // Workflows, memberships and runs alone: the people and versions they point at are not the point here.
  await onSqlite(db, undefined, (connection) => connection.pragma('foreign_keys = OFF'));
  const em = db.em.fork();
  // Ada owns wf-a1 and wf-a2; Bob owns wf-b1 (shared with Ada) and wf-b2 (not shared); Cy owns wf-c1.
  const workflows = [
    ['wf-a1', 'ada'],
    ['wf-a2', 'ada'],
    ['wf-b1', 'bob'],
    ['wf-b2', 'bob'],
    ['wf-c1', 'cy'],
  ] as const;
  for (const [id, ownerId] of workflows) {
    await em.insert(Workflow, {
      id,
      ownerId,
      name: id,
      description: '',
      definition: {},
      latestVersion: 1,
      webhookSecret: `s-${id}`,
      createdAt: at(0),
      updatedAt: at(0),
    });
  }
  await em.insert(WorkflowMember, { workflowId: 'wf-b1', userId: 'ada', role: 'VIEWER', addedById: 'bob', createdAt: at(0) });
  let n = 0;
  for (const [workflowId] of workflows) {
    for (let i = 0; i < 9; i++) {
      n++;
      const status = STATUSES[n % STATUSES.length]!;
      const ended = status === 'COMPLETED' || status === 'FAILED' || status === 'CANCELLED';
      // Three runs of each workflow start in the same millisecond: the id breaks the tie.
      const startedAt = i < 3 ? at(10) : at(i, n);
      await em.insert(Execution, {
        id: `run-${String(n).padStart(2, '0')}`,
        workflowId,
        versionId: `${workflowId}-v1`,
        versionNumber: 1,
        startedById: 'ada',
        status,
        input: { n, text: 'x'.repeat(n) },
        result: status === 'COMPLETED' ? { total: n } : null,
        error: status === 'FAILED' ? { message: `run ${n} failed`, nodeId: 'a' } : null,
        startedAt,
        finishedAt: ended ? at(30 + (n % 7)) : null,
        // Moved recently: a read would otherwise ask Temporal about a stale row.
        updatedAt: new Date(),
        temporalWorkflowId: `tandem-run-${n}`,
        temporalRunId: `r-${n}`,
        parentExecutionId: null,
        parentNodeId: null,
      });
    }
  }
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Read = (query: ExecutionPageQuery) => Promise<{ rows: Execution[]; totalCount: number }>;
const byOrm: Read = (query) => executionPageWithOrm(db, (userId) => access.visibleWhere(userId), query);
const byHand: Read = (query) => executionPageOnSqlite(db, query);

/** Every page, following each page's last row as the next cursor, as `executions(first, after)` does. */
async function allPages(read: Read, userId: string, limit: number, filter: ExecutionFilter) {
  const pages: Array<{ ids: string[]; rows: Array<Record<string, unknown>>; totalCount: number }> = [];
  let after: [number, string] | null = null;
  for (;;) {
    const page = await read({ userId, limit, after, filter });
    pages.push({ ids: page.rows.map((r) => r.id), rows: page.rows.map((r) => ({ ...r })), totalCount: page.totalCount });
    if (page.rows.length <= limit) return pages;
    if (pages.length > 60) throw new Error('the pages never end');
    const last = page.rows[limit - 1]!;
    after = [last.startedAt.getTime(), last.id];
  }
}

describe('the runs list read by hand on SQLite', () => {
  const filters: Array<[string, ExecutionFilter]> = [
    ['no filter', {}],
    ['a workflow of her own', { workflowId: 'wf-a2' }],
    ['a workflow shared with her', { workflowId: 'wf-b1' }],
    ['a workflow not shared with her', { workflowId: 'wf-b2' }],
    ['a status', { status: 'FAILED' }],
    ['a start range', { startedFrom: at(3), startedBefore: at(10) }],
    ['an end range and a status', { finishedFrom: at(31), finishedBefore: at(35), status: 'COMPLETED' }],
    [
      'every filter at once',
      { workflowId: 'wf-a1', status: 'COMPLETED', startedFrom: at(0), startedBefore: at(59), finishedFrom: at(0), finishedBefore: at(59) },
    ],
  ];
  it.each(filters.flatMap(([name, filter]) => [1, 4, 50].map((limit) => [name, limit, filter] as const)))(
    'is the ORM page for %s, %i per page',
    async (_name, limit, filter) => {
      for (const userId of ['ada', 'bob', 'nobody']) {
        const expected = await allPages(byOrm, userId, limit, filter);
        expect(await allPages(byHand, userId, limit, filter)).toEqual(expected);
      }
    },
  );

  it('sees the runs of her workflows and of those shared with her, and no others', async () => {
    const [page] = await allPages(byHand, 'ada', 100, {});
    expect(page!.totalCount).toBe(27);
    expect(new Set(page!.rows.map((r) => r.workflowId))).toEqual(new Set(['wf-a1', 'wf-a2', 'wf-b1']));
    const [none] = await allPages(byHand, 'ada', 100, { workflowId: 'wf-c1' });
    expect(none).toMatchObject({ ids: [], totalCount: 0 });
  });
});
