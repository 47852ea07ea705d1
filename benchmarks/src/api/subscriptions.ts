// Start → first event, the client side: send startExecution over HTTP, subscribe to
// executionEvents over graphql-ws as soon as the answer is back, wait for the first event,
// then follow the stream to its end. Measured from a child process (first-event-child.ts),
// like k6 for the reads; the seeding uses the same code in process.
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { gql } from './http.js';
import { EXECUTION_EVENTS, START_EXECUTION } from './queries.js';

/** A wall clock with sub-millisecond resolution, comparable between processes of one machine. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

export interface RunTimings {
  executionId: string;
  /** `wallNow()` when startExecution was sent. */
  sentAt: number;
  /** startExecution sent → its answer received, ms. */
  startAnswered: number;
  /** startExecution sent → first executionEvents message received, ms. */
  firstEvent: number;
  /** startExecution sent → the first event's `at` (the workflow's clock when it ran), ms. */
  firstEventEmitted: number;
  /** startExecution sent → terminal event received (the stream completes after it), ms. */
  completed: number;
  /** Type of the first event, EXECUTION_STARTED unless something is off. */
  firstType: string;
}

export interface SubscriptionTarget {
  url: string;
  token: string;
  workflowId: string;
  ws: WsClient;
}

/** One websocket connection, opened and acknowledged before anything is measured. */
export async function connectWs(url: string, token: string): Promise<WsClient> {
  const client = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
  });
  await new Promise<void>((resolve, reject) => {
    const off = client.on('connected', () => {
      off();
      resolve();
    });
    client.on('closed', (event) => reject(new Error(`the websocket closed before it was acknowledged: ${JSON.stringify(event)}`)));
    client.on('error', (error) => reject(error instanceof Error ? error : new Error(String(error))));
  });
  return client;
}

interface EventMessage {
  executionEvents: { id: string; sequence: number; type: string; at: string; data: Record<string, unknown> };
}

/** Starts a Sum run with `{ a: n, b: 1 }` and follows its events to the end; checks the result is n + 1. */
export async function startAndFollow(target: SubscriptionTarget, n: number, timeoutMs = 30_000): Promise<RunTimings> {
  const sentAt = wallNow();
  const started = await gql<{ startExecution: { id: string } }>(target.url, target.token, START_EXECUTION, {
    workflowId: target.workflowId,
    input: { a: n, b: 1 },
  });
  const executionId = started.startExecution.id;
  const startAnswered = wallNow() - sentAt;
  return new Promise<RunTimings>((resolve, reject) => {
    let firstEvent: number | undefined;
    let firstEventEmitted = Number.NaN;
    let firstType = '';
    let last: EventMessage['executionEvents'] | undefined;
    const timer = setTimeout(() => {
      stop();
      reject(
        new Error(
          `execution ${executionId}: no terminal event within ${timeoutMs} ms (last: ${last?.type ?? 'none'}; a failing workflow task shows as a worker warning above)`,
        ),
      );
    }, timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      stop();
      reject(error);
    };
    const stop = target.ws.subscribe<EventMessage>(
      { query: EXECUTION_EVENTS, variables: { executionId } },
      {
        next: (message) => {
          if (message.errors?.length) return fail(new Error(`execution ${executionId}: ${message.errors.map((e) => e.message).join('; ')}`));
          const event = message.data?.executionEvents;
          if (!event) return;
          if (firstEvent === undefined) {
            firstEvent = wallNow() - sentAt;
            firstEventEmitted = Date.parse(event.at) - sentAt;
            firstType = event.sequence === 1 ? event.type : `${event.type} (sequence ${event.sequence})`;
          }
          last = event;
        },
        error: (error) => fail(error instanceof Error ? error : new Error(`execution ${executionId}: subscription error ${JSON.stringify(error)}`)),
        complete: () => {
          clearTimeout(timer);
          const completed = wallNow() - sentAt;
          if (firstEvent === undefined || last?.type !== 'EXECUTION_COMPLETED') {
            return reject(new Error(`execution ${executionId}: the stream ended with ${last?.type ?? 'no event'}`));
          }
          if (last.data.result !== n + 1) return reject(new Error(`execution ${executionId}: result ${JSON.stringify(last.data.result)}, expected ${n + 1}`));
          resolve({ executionId, sentAt, startAnswered, firstEvent, firstEventEmitted, completed, firstType });
        },
      },
    );
  });
}

/** `runs` runs, `concurrency` in flight (a new one starts when one ends), after `warmup` unmeasured ones. */
export async function runFirstEventLoad(
  target: SubscriptionTarget,
  runs: number,
  concurrency: number,
  warmup: number,
  firstN: number,
): Promise<{ timings: RunTimings[]; wallSeconds: number }> {
  let n = firstN;
  for (let i = 0; i < warmup; i += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, warmup - i) }, () => startAndFollow(target, n++)));
  }
  const timings: RunTimings[] = [];
  let started = 0;
  const lane = async () => {
    while (started < runs) {
      started++;
      timings.push(await startAndFollow(target, n++));
    }
  };
  const startedAt = wallNow();
  await Promise.all(Array.from({ length: Math.min(concurrency, runs) }, lane));
  return { timings, wallSeconds: (wallNow() - startedAt) / 1_000 };
}
