import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServerConfig, RetentionJob } from '@tandem/server';
import { eventually } from '../../test-support/eventually.js';
import { DATABASES, startApi, SUM_WORKFLOW, type Api, type DatabaseKind } from './api-harness.js';

// TANDEM_RETENTION_DAYS: finished runs and their events go once they are older than the
// period; runs still going stay, whatever their age. The clock is moved, not waited for.

const DAY_MS = 86_400_000;
const WAITING_WORKFLOW = {
  format: 'tandem.workflow/v1',
  name: 'Waits',
  nodes: [
    { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    { id: 'approve', type: 'wait.signal', position: { x: 200, y: 0 }, config: { signal: 'approve' } },
  ],
  edges: [{ id: 'e', source: 'start', target: 'approve' }],
};
const RUN = 'query($id: ID!) { execution(id: $id) { status events(first: 50) { totalCount } } }';

describe.each(DATABASES)('data retention on %s', (database: DatabaseKind) => {
  let api: Api;
  let token: string;
  let finished: string[];
  let waiting: string;

  async function run(definition: unknown, status: string): Promise<string> {
    const created = await api.gql<{ createWorkflow: { id: string } }>(
      'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
      { input: { name: 'Kept?', definition } },
      token,
    );
    const workflowId = created.data!.createWorkflow.id;
    await api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: workflowId }, token);
    const started = await api.gql<{ startExecution: { id: string } }>(
      'mutation($id: ID!) { startExecution(workflowId: $id, input: { a: 1, b: 2 }) { id } }',
      { id: workflowId },
      token,
    );
    const id = started.data!.startExecution.id;
    await eventually(async () => (await api.gql<{ execution: { status: string } }>(RUN, { id }, token)).data!.execution.status === status, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: `run ${id} ${status}`,
    });
    return id;
  }

  const job = (days: number, now: Date, holder = 'server-a') => new RetentionJob(api.server.db, { days, batchSize: 2, pauseMs: 0, holder, now: () => now });

  beforeAll(async () => {
    api = await startApi({ database });
    token = (await api.user()).token;
    finished = [await run(SUM_WORKFLOW, 'COMPLETED'), await run(SUM_WORKFLOW, 'COMPLETED')];
    waiting = await run(WAITING_WORKFLOW, 'WAITING');
  });
  afterAll(async () => {
    await api?.close();
  });

  it('keeps finished runs younger than the period', async () => {
    expect(await job(30, new Date(Date.now() + 29 * DAY_MS)).sweep()).toEqual({ deletedRuns: 0, deletedEvents: 0, batches: 0 });
    for (const id of finished) expect((await api.gql(RUN, { id }, token)).errors).toBeUndefined();
  });

  it('deletes finished runs and their events past the period in small batches; a run still going stays', async () => {
    const events = (await api.gql<{ execution: { events: { totalCount: number } } }>(RUN, { id: finished[0] }, token)).data!.execution.events.totalCount;
    expect(events).toBeGreaterThan(2);
    const report = await job(30, new Date(Date.now() + 31 * DAY_MS)).sweep();
    expect(report).toMatchObject({ deletedRuns: 2 });
    expect(report!.deletedEvents).toBeGreaterThanOrEqual(2 * events);
    // Two rows a statement at most: several batches.
    expect(report!.batches).toBeGreaterThanOrEqual(events + 1);
    for (const id of finished) expect((await api.gql(RUN, { id }, token)).errors![0]!.extensions!.code).toBe('NOT_FOUND');
    const kept = await api.gql<{ execution: { status: string; events: { totalCount: number } } }>(RUN, { id: waiting }, token);
    expect(kept.data!.execution.status).toBe('WAITING');
    expect(kept.data!.execution.events.totalCount).toBeGreaterThan(0);
  });

  it('sweeps on one server at a time: another waits for the lease to be released or to run out', async () => {
    const now = new Date();
    const a = job(30, now, 'server-a');
    const b = job(30, now, 'server-b');
    expect(await a.acquireLease()).toBe(true);
    expect(await b.acquireLease()).toBe(false);
    expect(await b.sweep()).toBeNull();
    // A server that stopped mid-sweep without releasing: its lease runs out after 5 minutes.
    expect(await job(30, new Date(now.getTime() + 6 * 60_000), 'server-b').acquireLease()).toBe(true);
    expect(await a.acquireLease()).toBe(false);
  });
});

describe('TANDEM_RETENTION_DAYS', () => {
  it('is off by default and refuses a value that is not a positive number', () => {
    expect(readServerConfig({}).retentionDays).toBeUndefined();
    expect(readServerConfig({ TANDEM_RETENTION_DAYS: '30' }).retentionDays).toBe(30);
    expect(() => readServerConfig({ TANDEM_RETENTION_DAYS: 'thirty' })).toThrow('TANDEM_RETENTION_DAYS must be a number above 0, not "thirty"');
    expect(() => readServerConfig({ TANDEM_RETENTION_BATCH_SIZE: '0' })).toThrow('TANDEM_RETENTION_BATCH_SIZE must be a whole number above 0');
  });
});
