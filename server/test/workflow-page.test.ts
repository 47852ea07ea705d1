import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workflow, WorkflowMember } from '../src/db/entities.js';
import { openDatabase, type Database } from '../src/db/orm.js';
import { onSqlite } from '../src/db/sqlite-connection.js';
import { workflowOfSqliteRow, workflowPageOnSqlite, workflowPageWithOrm, type SqliteWorkflowRow, type WorkflowPageQuery } from '../src/db/workflow-page.js';
import { AccessService } from '../src/services/access.js';

// On SQLite the workflows list is read with two prepared statements and mapped by hand: every
// page must be exactly the ORM's, row for row and property for property.

let dir: string;
let db: Database;
let access: AccessService;

const at = (minute: number) => new Date(Date.UTC(2026, 11, 6, 1, minute, 0, 123));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-workflow-page-'));
  db = await openDatabase({ url: undefined, sqliteFile: join(dir, 'tandem.db') });
  access = new AccessService(db);
  // Workflows and memberships alone: the people they point at are not the point here.
  await onSqlite(db, undefined, (connection) => connection.pragma('foreign_keys = OFF'));

  const em = db.em.fork();
  let n = 0;
  const workflow = (ownerId: string, minute: number) => {
    n++;
    return {
      id: `wf-${String(n).padStart(2, '0')}`,
      ownerId,
      name: `Workflow ${n} of ${ownerId}`,
      description: n % 2 ? '' : `described ${n}`,
      definition: { format: 'tandem.workflow/v1', name: `W${n}`, nodes: [{ id: 'a', config: { n } }], edges: [] },
      latestVersion: n % 3,
      webhookSecret: `secret-${n}`,
      createdAt: at(0),
      updatedAt: at(minute),
    };
  };
  // Ada owns 12 (four of them changed in the same millisecond: the id breaks the tie), Bob owns
  // 8 and shares 5 with Ada, Cy owns 3 and shares none.
  const rows = [
    ...Array.from({ length: 12 }, (_, i) => workflow('ada', i < 4 ? 30 : i)),
    ...Array.from({ length: 8 }, (_, i) => workflow('bob', 2 * i + 1)),
    ...Array.from({ length: 3 }, (_, i) => workflow('cy', i)),
  ];
  for (const row of rows) await em.insert(Workflow, row);
  for (const [i, row] of rows
    .filter((w) => w.ownerId === 'bob')
    .slice(0, 5)
    .entries()) {
    await em.insert(WorkflowMember, { workflowId: row.id, userId: 'ada', role: i % 2 ? 'EDITOR' : 'VIEWER', addedById: 'bob', createdAt: at(0) });
  }
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every page, following each page's last row as the next cursor, as `workflows(first, after)` does. */
async function allPages(read: (query: WorkflowPageQuery) => Promise<{ rows: Workflow[]; totalCount: number }>, userId: string, limit: number) {
  const pages: Array<{ rows: Workflow[]; totalCount: number }> = [];
  let after: [number, string] | null = null;
  for (;;) {
    const page = await read({ userId, limit, after });
    pages.push(page);
    if (page.rows.length <= limit || limit === 0) return pages;
    if (pages.length > 30) throw new Error(`the pages never end: ${pages.map((p) => p.rows[0]?.id).join(', ')}`);
    const last = page.rows[limit - 1]!;
    after = [last.updatedAt.getTime(), last.id];
  }
}

describe('the workflows list read by hand on SQLite', () => {
  it.each([
    ['ada', 1],
    ['ada', 5],
    ['ada', 20],
    ['ada', 100],
    ['bob', 3],
    ['cy', 2],
    ['nobody', 20],
  ])('is the ORM page for %s, %i per page', async (userId, limit) => {
    const byHand = await allPages((query) => workflowPageOnSqlite(db, query), userId, limit);
    const byOrm = await allPages((query) => workflowPageWithOrm(db, (id) => access.visibleWhere(id), query), userId, limit);
    expect(byHand.map((page) => page.rows.map((w) => w.id))).toEqual(byOrm.map((page) => page.rows.map((w) => w.id)));
    expect(byHand.map((page) => page.totalCount)).toEqual(byOrm.map((page) => page.totalCount));
    for (const [i, page] of byHand.entries()) {
      for (const [j, row] of page.rows.entries()) {
        expect(row).toBeInstanceOf(Workflow);
        expect({ ...row }).toEqual({ ...byOrm[i]!.rows[j]! });
      }
    }
  });

  it('sees what Ada owns and what is shared with her, newest change first', async () => {
    const [page] = await allPages((query) => workflowPageOnSqlite(db, query), 'ada', 100);
    expect(page!.totalCount).toBe(17);
    expect(page!.rows.filter((w) => w.ownerId === 'bob')).toHaveLength(5);
    expect(page!.rows.some((w) => w.ownerId === 'cy')).toBe(false);
    const order = page!.rows.map((w) => [w.updatedAt.getTime(), w.id] as const);
    expect(order).toEqual([...order].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : -1)));
  });

  it('maps every property of the entity', async () => {
    const [row] = await db.em.fork().getConnection().execute<SqliteWorkflowRow[]>('select * from `workflows` where `id` = ?', ['wf-02']);
    const byHand = workflowOfSqliteRow(row!);
    const properties = Object.keys(db.getMetadata().get(Workflow.name).properties).sort();
    expect(Object.keys(byHand).sort()).toEqual(properties);
    expect({ ...byHand }).toEqual({ ...db.em.fork().map(Workflow, row as unknown as Record<string, unknown>) });
  });

  it('reads a definition as stored, and keeps one set in its place', async () => {
    const [row] = await db.em.fork().getConnection().execute<SqliteWorkflowRow[]>('select * from `workflows` where `id` = ?', ['wf-03']);
    const workflow = workflowOfSqliteRow(row!);
    const stored = { format: 'tandem.workflow/v1', name: 'W3', nodes: [{ id: 'a', config: { n: 3 } }], edges: [] };
    expect(workflow.definition).toEqual(stored);
    expect(workflow.definition).toBe(workflow.definition); // parsed once
    expect(JSON.parse(JSON.stringify(workflow))).toMatchObject({ id: 'wf-03', definition: stored });
    const replaced = { ...stored, name: 'Renamed' };
    const unread = workflowOfSqliteRow(row!);
    unread.definition = replaced;
    expect(unread.definition).toBe(replaced);
  });
});
