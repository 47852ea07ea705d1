import { Client, Connection, ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../test-support/eventually.js';
import { startApi, type Api } from './api-harness.js';

const scheduled = (withSchedule: boolean) => ({
  format: 'tandem.workflow/v1',
  name: 'Report',
  description: '',
  nodes: [
    { id: 'manual', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    ...(withSchedule ? [{ id: 'every2s', type: 'trigger.schedule', position: { x: 0, y: 100 }, config: { cron: '@every 2s' } }] : []),
    { id: 'out', type: 'output', position: { x: 200, y: 0 }, config: { expression: "'report ready'" } },
  ],
  edges: [{ id: 'e1', source: 'manual', target: 'out' }, ...(withSchedule ? [{ id: 'e2', source: 'every2s', target: 'out' }] : [])],
});

interface Schedule {
  id: string;
  nodeId: string;
  paused: boolean;
  nextRunAt: string | null;
}

describe('schedule triggers', () => {
  let api: Api;
  let token: string;
  let workflowId: string;
  beforeAll(async () => {
    api = await startApi({ database: 'postgres' });
    token = (await api.user()).token;
    const created = await api.gql<{ createWorkflow: { id: string } }>(
      'mutation($d: JSON!) { createWorkflow(input: { name: "Report", definition: $d }) { id } }',
      { d: scheduled(true) },
      token,
    );
    workflowId = created.data!.createWorkflow.id;
  });
  afterAll(async () => {
    await api?.gql('mutation($id: ID!) { deleteWorkflow(id: $id) }', { id: workflowId }, token).catch(() => {});
    await api?.close();
  });

  const schedules = async () =>
    (
      await api.gql<{ workflow: { schedules: Schedule[] } }>(
        'query($id: ID!) { workflow(id: $id) { schedules { id nodeId paused nextRunAt } } }',
        { id: workflowId },
        token,
      )
    ).data!.workflow.schedules;
  const deploy = () => api.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: workflowId }, token);

  it('creates one schedule on deploy whose runs appear as executions of the workflow', async () => {
    expect((await deploy()).errors).toBeUndefined();
    const [schedule] = await schedules();
    expect(schedule).toMatchObject({ nodeId: 'every2s', paused: false });
    expect(schedule!.nextRunAt).not.toBeNull();
    const completed = await eventually(
      async () => {
        const runs = await api.gql<{ executions: { edges: Array<{ node: { id: string; status: string; result: unknown } }> } }>(
          'query($id: ID!) { executions(filter: { workflowId: $id }) { edges { node { id status result } } } }',
          { id: workflowId },
          token,
        );
        const done = runs.data!.executions.edges.filter((e) => e.node.status === 'COMPLETED');
        return done.length > 0 && done;
      },
      { timeoutMs: 20_000, intervalMs: 500, what: 'a completed scheduled run' },
    );
    expect(completed[0]?.node.result).toBe('report ready');
  });

  it('keeps exactly one schedule across redeploys, pauses it, and removes it with the trigger', async () => {
    await deploy();
    await deploy();
    expect(await schedules()).toHaveLength(1);
    const paused = await api.gql<{ setSchedulePaused: Schedule[] }>(
      'mutation($id: ID!) { setSchedulePaused(workflowId: $id, nodeId: "every2s", paused: true) { nodeId paused } }',
      { id: workflowId },
      token,
    );
    expect(paused.data!.setSchedulePaused).toEqual([{ nodeId: 'every2s', paused: true }]);
    await api.gql('mutation($id: ID!, $d: JSON!) { updateWorkflowDefinition(id: $id, definition: $d) { id } }', { id: workflowId, d: scheduled(false) }, token);
    await deploy();
    expect(await schedules()).toEqual([]);
    // Gone from Temporal too, not just from the list.
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const scheduleId = api.server.services.schedules.scheduleId(workflowId, 'every2s');
      await expect(new Client({ connection }).schedule.getHandle(scheduleId).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    } finally {
      await connection.close();
    }
  });
});
