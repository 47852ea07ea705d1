import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDatabase, databaseTarget, readManifest, restoreDatabase, type BackupResult, type DatabaseTarget } from '@tandem/ops';
import { appliedMigrations, MIGRATION_NAMES, openDatabase, sqliteFileIn, tableNames, type Database } from '@tandem/server';
import { adminQuery, DATABASES, startApi, SUM_WORKFLOW, type Api, type DatabaseKind } from '../../test-support/api-harness.js';
import { eventually } from '../../test-support/eventually.js';

// A backup taken while Tandem keeps writing restores into an empty database, and a Tandem
// started on it serves everything that existed when the backup began: accounts and API
// tokens, workflows with their live documents, versions, runs with their events, templates.

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REPO = join(import.meta.dirname, '../..');

/** A fresh, not yet created PostgreSQL database's URL, dropped by `cleanup`. */
function postgresUrl(cleanup: Array<() => Promise<void>>): string {
  const name = `tandem_backup_${randomUUID().replace(/-/g, '')}`;
  cleanup.push(() => adminQuery(`drop database if exists ${name} with (force)`));
  return ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
}

const WORKFLOW_VIEW = `query($id: ID!) { workflow(id: $id) {
  id name definition latestVersion
  versions(first: 5) { edges { node { number definition } } }
  executions(first: 5) { edges { node { id status result events(first: 20) { totalCount edges { node { sequence type nodeId } } } } } }
} }`;

/** Every row's key per table (collaboration updates aside: compaction may merge them; documents are compared whole). */
async function rowKeys(db: Database): Promise<Map<string, Set<string>>> {
  const keys = new Map<string, Set<string>>();
  for (const table of await tableNames(db)) {
    if (table === 'collab_updates') continue;
    const rows = await db.em.getConnection().execute<Array<Record<string, unknown>>>(`select * from ${table}`);
    keys.set(table, new Set(rows.map((row: Record<string, unknown>) => String(row.id ?? row.name ?? row.workflow_id + '/' + String(row.user_id)))));
  }
  return keys;
}

describe.each(DATABASES)('backup and restore on %s', (database: DatabaseKind) => {
  const cleanup: Array<() => Promise<void>> = [];
  const directory = mkdtempSync(join(tmpdir(), 'tandem-backups-'));
  let source: Api;
  let sourceTarget: DatabaseTarget;
  let apiToken: string;
  let seeded: string[];
  let before: { views: unknown[]; rows: Map<string, Set<string>>; templates: unknown };
  let backup: BackupResult;
  let writtenDuringBackup = 0;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tandem-backup-source-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const databaseUrl = database === 'postgres' ? postgresUrl(cleanup) : undefined;
    sourceTarget = databaseTarget(databaseUrl, dataDir);
    source = await startApi({ database, dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
    cleanup.unshift(() => source.close());

    const { token } = await source.user('Backup');
    const created = await source.gql<{ createApiToken: { secret: string } }>('mutation { createApiToken(name: "ci") { secret } }', {}, token);
    apiToken = created.data!.createApiToken.secret;
    const gql = <T>(query: string, variables: Record<string, unknown> = {}) => source.gql<T>(query, variables, apiToken);

    seeded = [];
    for (const n of [1, 2]) {
      const workflow = await gql<{ createWorkflow: { id: string } }>('mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }', {
        input: { name: `Backed up ${n}`, definition: SUM_WORKFLOW },
      });
      const id = workflow.data!.createWorkflow.id;
      seeded.push(id);
      await gql('mutation($id: ID!) { deployWorkflow(id: $id, message: "first") { number } }', { id });
      // The draft moves on after the deploy: the live document differs from the version.
      const edited = { ...SUM_WORKFLOW, description: `edited live ${n}` };
      expect(
        (await gql('mutation($id: ID!, $d: JSON!) { updateWorkflowDefinition(id: $id, definition: $d) { id } }', { id, d: edited })).errors,
      ).toBeUndefined();
      const run = await gql<{ startExecution: { id: string } }>('mutation($id: ID!) { startExecution(workflowId: $id, input: { a: 1, b: 2 }) { id } }', { id });
      const runId = run.data!.startExecution.id;
      await eventually(
        async () =>
          (await gql<{ execution: { status: string } }>('query($id: ID!) { execution(id: $id) { status } }', { id: runId })).data!.execution.status ===
          'COMPLETED',
        { timeoutMs: 30_000, intervalMs: 100, what: 'the seeded run completing' },
      );
    }
    const saved = await gql('mutation($id: ID!) { saveAsTemplate(workflowId: $id, input: { name: "Backup template", tags: ["backup"] }) { id } }', {
      id: seeded[0],
    });
    expect(saved.errors).toBeUndefined();

    const templatesQuery = '{ templates(first: 10, tag: "backup") { totalCount edges { node { id name definition } } } }';
    before = {
      views: await Promise.all(seeded.map(async (id) => (await gql(WORKFLOW_VIEW, { id })).data)),
      rows: await rowKeys(source.server.db),
      templates: (await gql(templatesQuery)).data,
    };

    // Writes go on while the backup runs: new workflows, edits of their live documents, runs.
    let writing = true;
    const writer = (async () => {
      while (writing) {
        const workflow = await gql<{ createWorkflow: { id: string } }>('mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }', {
          input: { name: 'During backup', definition: { ...SUM_WORKFLOW, name: 'During backup' } },
        });
        const id = workflow.data!.createWorkflow.id;
        await gql('mutation($id: ID!, $d: JSON!) { updateWorkflowDefinition(id: $id, definition: $d) { id } }', {
          id,
          d: { ...SUM_WORKFLOW, name: 'During backup', description: 'moving' },
        });
        await gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id });
        await gql('mutation($id: ID!) { startExecution(workflowId: $id, input: { a: 3, b: 4 }) { id } }', { id });
        writtenDuringBackup++;
      }
    })();
    await eventually(() => writtenDuringBackup >= 2, { timeoutMs: 30_000, what: 'writes under way' });
    const lines: string[] = [];
    backup = await backupDatabase({ source: sourceTarget, directory, log: (line) => lines.push(line) });
    const duringBackup = writtenDuringBackup;
    await eventually(() => writtenDuringBackup > duringBackup + 1, { timeoutMs: 30_000, what: 'writes going on after the backup' });
    writing = false;
    await writer;
    expect(lines.at(-1)).toContain('backup done');
  });

  afterAll(async () => {
    for (const step of cleanup) await step();
    rmSync(directory, { recursive: true, force: true });
  });

  it('writes a dump with a manifest: version, migration level, time, checksum, kind', () => {
    const manifest = readManifest(backup.file + '.manifest.json');
    expect(manifest).toMatchObject({
      format: 'tandem.backup/v1',
      database,
      migrationLevel: MIGRATION_NAMES.length,
      migrations: [...MIGRATION_NAMES],
      file: basename(backup.file),
      tandemVersion: JSON.parse(readFileSync(join(REPO, 'ops/package.json'), 'utf8')).version,
    });
    expect(manifest.bytes).toBe(readFileSync(backup.file).length);
    expect(manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('restores into an empty database, and a Tandem started on it serves every row and live document there before the backup', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tandem-restored-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const databaseUrl = database === 'postgres' ? postgresUrl(cleanup) : undefined;
    const restored = await restoreDatabase({ backup: backup.file, target: databaseTarget(databaseUrl, dataDir) });
    expect(restored.migrated).toEqual([]);

    const api = await startApi({ database, dataDir, worker: false, ...(databaseUrl ? { databaseUrl } : {}) });
    try {
      const rows = await rowKeys(api.server.db);
      for (const [table, keys] of before.rows) {
        const missing = [...keys].filter((key) => !rows.get(table)?.has(key));
        expect({ table, missing }).toEqual({ table, missing: [] });
      }
      // The API token made before the backup signs in to the restored Tandem.
      const gql = (query: string, variables: Record<string, unknown> = {}) => api.gql(query, variables, apiToken);
      for (const [index, id] of seeded.entries()) {
        const view = await gql(WORKFLOW_VIEW, { id });
        expect(view.errors).toBeUndefined();
        expect(view.data).toEqual(before.views[index]);
      }
      expect((await gql('{ templates(first: 10, tag: "backup") { totalCount edges { node { id name definition } } } }')).data).toEqual(before.templates);
      // Whatever the concurrent writer had committed is whole: each of its workflows' live documents loads.
      // (two of them were committed before the backup began).
      const during = await api.gql<{ workflows: { edges: unknown[] } }>(
        '{ workflows(first: 100, filter: { search: "During backup" }) { edges { node { id definition } } } }',
        {},
        apiToken,
      );
      expect(during.errors).toBeUndefined();
      expect(during.data!.workflows.edges.length).toBeGreaterThanOrEqual(2);
    } finally {
      await api.close();
    }
  });

  it('refuses a corrupt backup before touching the target', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'tandem-corrupt-'));
    cleanup.push(async () => rmSync(copy, { recursive: true, force: true }));
    const dump = join(copy, basename(backup.file));
    copyFileSync(backup.file, dump);
    copyFileSync(backup.file + '.manifest.json', dump + '.manifest.json');
    const bytes = readFileSync(dump);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(dump, bytes);
    const target = join(copy, 'target');
    await expect(restoreDatabase({ backup: dump, target: databaseTarget(undefined, target) })).rejects.toThrow(
      /is corrupt: its sha256 is [0-9a-f]{64}, the manifest says/,
    );
    expect(existsSync(sqliteFileIn(target))).toBe(false);
  });

  it('refuses a backup from a newer migration level, and a target that is not empty', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'tandem-newer-'));
    cleanup.push(async () => rmSync(copy, { recursive: true, force: true }));
    const dump = join(copy, basename(backup.file));
    copyFileSync(backup.file, dump);
    const manifest = readManifest(backup.file + '.manifest.json');
    writeFileSync(
      dump + '.manifest.json',
      JSON.stringify({ ...manifest, migrationLevel: manifest.migrationLevel + 1, migrations: [...manifest.migrations, '9999-from-the-future'] }),
    );
    await expect(restoreDatabase({ backup: dump, target: sourceTarget })).rejects.toThrow(/from a newer Tandem .*unknown migration\(s\) 9999-from-the-future/);
    await expect(restoreDatabase({ backup: backup.file, target: sourceTarget })).rejects.toThrow(/is not empty \(\d+ tables.*--replace/);
  });
});

describe('restoring an older backup', () => {
  it('runs the migrations the backup had not applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-older-'));
    try {
      const file = join(dir, 'old', 'tandem.db');
      const db = await openDatabase({ url: undefined, sqliteFile: file });
      const last = MIGRATION_NAMES.at(-1)!;
      // The state a build one migration older left: its last migration undone.
      await db.em.getConnection().execute('drop index executions_workflow_id_started_at_id_index');
      await db.em.getConnection().execute('create index executions_workflow_id_started_at_index on executions (workflow_id, started_at)');
      await db.em.getConnection().execute('delete from mikro_orm_migrations where name = ?', [last]);
      await db.close();
      expect(last).toBe('0007-runs-list-index');
      const backup = await backupDatabase({ source: { kind: 'sqlite', file }, directory: join(dir, 'backups') });
      expect(backup.manifest.migrationLevel).toBe(MIGRATION_NAMES.length - 1);
      const target = { kind: 'sqlite', file: join(dir, 'new', 'tandem.db') } as const;
      const restored = await restoreDatabase({ backup: backup.file, target });
      expect(restored.migrated).toEqual([last]);
      const reopened = await openDatabase({ url: undefined, sqliteFile: target.file, migrate: false });
      expect(await appliedMigrations(reopened)).toEqual([...MIGRATION_NAMES]);
      const indexRows: Array<{ name: string }> = await reopened.em.getConnection().execute("select name from sqlite_master where type = 'index'");
      const indexes = indexRows.map((row) => row.name);
      expect(indexes).toContain('executions_workflow_id_started_at_id_index');
      expect(indexes).not.toContain('executions_workflow_id_started_at_index');
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
