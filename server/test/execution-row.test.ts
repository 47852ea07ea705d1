import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Execution } from '../src/db/entities.js';
import { executionOfSqliteRow, executionReadFor, rowMoveFor, type SqliteExecutionRow } from '../src/db/execution-row.js';
import { openDatabase, type Database } from '../src/db/orm.js';
import { onSqlite } from '../src/db/sqlite-connection.js';

// The run a moved row holds is mapped by hand on SQLite (the ORM's mapping cost more than the
// update): it must be exactly what the ORM would have made of the row.

let dir: string;
let db: Database;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-execution-row-'));
  db = await openDatabase({ url: undefined, sqliteFile: join(dir, 'tandem.db') });
  // Rows of runs alone: the workflows, versions, people and runs they point at are not the point here.
  await onSqlite(db, undefined, (connection) => connection.pragma('foreign_keys = OFF'));
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const rawRow = (id: string) =>
  onSqlite(db, undefined, (connection) => connection.prepare('select * from `executions` where `id` = ?').get(id) as SqliteExecutionRow);

const everyField = {
  id: 'run-every-field',
  workflowId: 'w1',
  versionId: 'v1',
  versionNumber: 3,
  startedById: 'u1',
  status: 'FAILED' as const,
  input: { a: [1, 'two', null], nested: { ok: true } },
  result: [1, { b: 'c' }],
  error: { message: 'node "x" (transform) failed: boom', nodeId: 'x' },
  startedAt: new Date('2026-12-05T10:00:00.123Z'),
  finishedAt: new Date('2026-12-05T10:00:01.456Z'),
  updatedAt: new Date('2026-12-05T10:00:01.789Z'),
  temporalWorkflowId: 'tandem-run-every-field',
  temporalRunId: 'r1',
  parentExecutionId: 'parent-run',
  parentNodeId: 'child',
  retryOfId: 'earlier-run',
  retryFromNodeId: 'x',
};

describe('a run row mapped by hand on SQLite', () => {
  it.each([
    ['every field set', everyField],
    [
      'the nullable fields null',
      {
        ...everyField,
        id: 'run-nulls',
        status: 'RUNNING' as const,
        input: 'just text',
        result: null,
        error: null,
        finishedAt: null,
        parentExecutionId: null,
        parentNodeId: null,
        retryOfId: null,
        retryFromNodeId: null,
      },
    ],
  ])('is what the ORM maps from the same row: %s', async (_name, fields) => {
    await db.em.fork().insert(Execution, fields);
    const row = await rawRow(fields.id);
    const byHand = executionOfSqliteRow(row);
    const byOrm = db.em.fork().map(Execution, row as unknown as Record<string, unknown>);
    expect(byHand).toBeInstanceOf(Execution);
    expect({ ...byHand }).toEqual({ ...byOrm });
    // Every property the entity declares is mapped (a column added to the schema must be added here).
    const properties = Object.keys(db.getMetadata().get(Execution.name).properties).sort();
    expect(Object.keys(byHand).sort()).toEqual(properties);
    expect({ ...byHand }).toEqual({ ...(await db.em.fork().findOneOrFail(Execution, { id: fields.id })) });
    // The read by id behind `execution(id)` maps the same way.
    const read = await executionReadFor(db)(fields.id);
    expect(read).toBeInstanceOf(Execution);
    expect({ ...read }).toEqual({ ...byOrm });
  });

  it('reads nothing for an id no run has', async () => {
    expect(await executionReadFor(db)('no-such-run')).toBeNull();
  });

  it('is what a move returns: the row as the update left it', async () => {
    await db.em.fork().insert(Execution, { ...everyField, id: 'run-moved', status: 'RUNNING', result: null, error: null, finishedAt: null });
    const finishedAt = new Date('2026-12-05T11:00:00.000Z');
    const moved = await db.em
      .fork()
      .transactional((em) => rowMoveFor(db)(em, 'run-moved', 'RUNNING', { status: 'COMPLETED', result: { total: 5 }, finishedAt, updatedAt: finishedAt }));
    expect(moved).toMatchObject({ id: 'run-moved', status: 'COMPLETED', result: { total: 5 }, finishedAt, input: everyField.input });
    expect({ ...moved }).toEqual({ ...(await db.em.fork().findOneOrFail(Execution, { id: 'run-moved' })) });
    // From a status the row is no longer in: nothing matches.
    const stale = await db.em.fork().transactional((em) => rowMoveFor(db)(em, 'run-moved', 'RUNNING', { status: 'FAILED', updatedAt: new Date() }));
    expect(stale).toBeNull();
  });
});
