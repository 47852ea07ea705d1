import { randomUUID } from 'node:crypto';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RedisEventBus } from '@tandem/worker';
import { SUM_WORKFLOW, startApi, type Api } from './api-harness.js';

// Eight timers in a row: the run's events arrive over a few seconds, so a server can stop mid-run.
const SLOW_WORKFLOW = {
  ...SUM_WORKFLOW,
  nodes: [
    ...SUM_WORKFLOW.nodes.filter((n) => n.id !== 'out'),
    ...Array.from({ length: 8 }, (_, i) => ({ id: `wait${i}`, type: 'delay', position: { x: 300 + i * 100, y: 0 }, config: { durationMs: 300 } })),
    { id: 'out', type: 'output', position: { x: 1200, y: 0 }, config: { expression: 'nodes.add.total' } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'add' },
    { id: 'e2', source: 'add', target: 'wait0' },
    ...Array.from({ length: 7 }, (_, i) => ({ id: `w${i}`, source: `wait${i}`, target: `wait${i + 1}` })),
    { id: 'e3', source: 'wait7', target: 'out' },
  ],
};

const EVENTS = 'subscription($id: ID!, $after: String) { executionEvents(executionId: $id, after: $after) { id sequence type } }';
interface Event {
  id: string;
  sequence: number;
  type: string;
}

/** One subscription until it ends: with the events it got, and how the socket closed when it did not complete. */
function follow(client: WsClient, executionId: string, after: string | null, onEvent: (event: Event) => void): Promise<{ closeCode?: number }> {
  return new Promise((resolve, reject) => {
    client.subscribe<{ executionEvents: Event }>(
      { query: EVENTS, variables: { id: executionId, after } },
      {
        next: (value) => value.data && onEvent(value.data.executionEvents),
        // A close event when the socket went away; GraphQL errors otherwise.
        error: (error) =>
          (error as { code?: unknown }).code ? resolve({ closeCode: (error as { code: number }).code }) : reject(new Error(JSON.stringify(error))),
        complete: () => resolve({}),
      },
    );
  });
}

describe('a rolling restart of one of two API servers', () => {
  let a: Api;
  let b: Api;
  const clients: WsClient[] = [];
  const wsClient = (api: Api, token: string) => {
    const client = createClient({
      url: `${api.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const stream = `tandem:test:${randomUUID()}`;
    a = await startApi({ database: 'postgres', bus: new RedisEventBus({ url, stream }) });
    b = await startApi({
      database: 'postgres',
      databaseUrl: a.server.db.config.get('clientUrl') as string,
      bus: new RedisEventBus({ url, stream }),
      worker: false,
      taskQueue: a.taskQueue,
    });
  });

  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await b?.close();
    await a?.close();
  });

  it('loses no event: the subscriber resumes on the other server after its last event, without gaps or duplicates', async () => {
    const ada = await a.user();
    const created = await a.gql<{ createWorkflow: { id: string } }>(
      'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
      { input: { name: 'Slow', definition: SLOW_WORKFLOW } },
      ada.token,
    );
    const workflowId = created.data!.createWorkflow.id;
    await a.gql('mutation($id: ID!) { deployWorkflow(id: $id) { number } }', { id: workflowId }, ada.token);
    const started = await a.gql<{ startExecution: { id: string } }>(
      'mutation($id: ID!) { startExecution(workflowId: $id, input: { a: 2, b: 3 }) { id } }',
      { id: workflowId },
      ada.token,
    );
    const executionId = started.data!.startExecution.id;

    const received: Event[] = [];
    let stopping: Promise<void> | undefined;
    const first = await follow(wsClient(a, ada.token), executionId, null, (event) => {
      received.push(event);
      // Server A gets SIGTERM while the run is in the middle of its steps.
      if (received.length === 4) stopping = a.server.close();
    });
    await stopping;
    // Going away (1001): the client may reconnect, to whichever server answers.
    expect(first.closeCode).toBe(1001);
    expect(received.at(-1)!.type).not.toBe('EXECUTION_COMPLETED');
    await expect(fetch(`${a.url}/healthz`)).rejects.toThrow();

    const second = await follow(wsClient(b, ada.token), executionId, received.at(-1)!.id, (event) => received.push(event));
    expect(second).toEqual({});
    const sequences = received.map((e) => e.sequence);
    expect(sequences).toEqual(sequences.map((_, i) => i + 1));
    expect(received.at(-1)!.type).toBe('EXECUTION_COMPLETED');
    expect(received.filter((e) => e.type === 'STEP_COMPLETED').map((e) => e.sequence).length).toBe(SLOW_WORKFLOW.nodes.length);
  });
});
