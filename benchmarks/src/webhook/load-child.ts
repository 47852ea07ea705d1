// The load generator of `npm run bench:webhook`, in a child Node process (started by
// runChild) so that its CPU is not counted as either server's. `clients` closed loops, each
// on its own keep-alive connection, sending one request at a time: for a number of seconds
// (warm-up, then measured) or until `total` requests were sent. Prints its figures as JSON.
import { Agent, request } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { childInput, childResult } from '../api/child.js';
import { summarize, type Summary } from '../stats.js';
import { checkAnswer, REQUEST_BODY } from './flow.js';

/** Answers slower than this are counted apart (issue 17: "nothing slower than 5 s"). */
export const SLOW_MS = 5_000;

export type LoadTarget =
  /** POST the flow's body; the answer must be the flow's result. */
  | { kind: 'webhook'; url: string; headers: Record<string, string> }
  /** GraphQL mutations: `operation` with `variables`; the answer must have `data.<field>` and no errors. */
  | {
      kind: 'graphql';
      url: string;
      token: string;
      query: string;
      variables: Record<string, unknown>;
      field: string;
      perRequest?: Array<Record<string, unknown>>;
    }
  /** `client.workflow.start` straight on Temporal. */
  | { kind: 'temporal-start'; address: string; taskQueue: string; workflowType: string; args: unknown[] }
  /** `handle.signal` straight on Temporal, one per workflow id. */
  | { kind: 'temporal-signal'; address: string; signal: string; payload: unknown; workflowIds: string[] };

export interface LoadSpec {
  target: LoadTarget;
  clients: number;
  /** Timed mode: warm-up and measured seconds. */
  warmupSeconds?: number;
  seconds?: number;
  /** Counted mode: this many requests in all, every one measured. */
  total?: number;
}

export interface LoadResult {
  /** Requests started in the measured window (counted mode: all) that succeeded. */
  ok: number;
  failed: number;
  /** Answers (failed or not) that took longer than SLOW_MS. */
  slow: number;
  /** Every request answered, warm-up included (for CPU per run). */
  completedAll: number;
  seconds: number;
  throughput: number;
  latency: Summary;
  errors: string[];
  /** Counted mode, by request: a graphql answer's `data.<field>.id`, a Temporal start's or signal's workflow id; empty where the request failed. */
  ids: string[];
  /** Every measured latency (ms, 0.1 ms steps), so that rounds can be merged. */
  samples: number[];
}

const spec = childInput<LoadSpec>();
const target = spec.target;
const agent = new Agent({ keepAlive: true, maxSockets: spec.clients });

function post(url: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One request: resolves with the id it produced (graphql) or null; throws with what was wrong. */
async function makeSender(): Promise<(index: number) => Promise<string | null>> {
  if (target.kind === 'webhook') {
    const body = Buffer.from(JSON.stringify(REQUEST_BODY));
    const headers = { 'content-type': 'application/json', ...target.headers };
    return async () => {
      const answer = await post(target.url, headers, body);
      const wrong = checkAnswer(answer.status, answer.text);
      if (wrong) throw new Error(wrong);
      return null;
    };
  }
  if (target.kind === 'graphql') {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${target.token}` };
    const fixed = Buffer.from(JSON.stringify({ query: target.query, variables: target.variables }));
    return async (index) => {
      const variables = target.perRequest?.[index];
      const body = variables ? Buffer.from(JSON.stringify({ query: target.query, variables: { ...target.variables, ...variables } })) : fixed;
      const answer = await post(target.url, headers, body);
      const parsed = JSON.parse(answer.text) as { data?: Record<string, { id?: string } | null>; errors?: Array<{ message: string }> };
      if (answer.status !== 200 || parsed.errors?.length || !parsed.data?.[target.field]) {
        throw new Error(`HTTP ${answer.status}: ${parsed.errors?.map((e) => e.message).join('; ') ?? answer.text.slice(0, 200)}`);
      }
      return parsed.data[target.field]!.id ?? null;
    };
  }
  const client = new Client({ connection: await Connection.connect({ address: target.address }) });
  if (target.kind === 'temporal-start') {
    return async () => {
      const handle = await client.workflow.start(target.workflowType, {
        taskQueue: target.taskQueue,
        workflowId: `bare-${crypto.randomUUID()}`,
        args: target.args,
      });
      return handle.workflowId;
    };
  }
  return async (index) => {
    const workflowId = target.workflowIds[index]!;
    await client.workflow.getHandle(workflowId).signal(target.signal, target.payload);
    return workflowId;
  };
}

const send = await makeSender();
const latencies: number[] = [];
const errors: string[] = [];
const ids: string[] = [];
let failed = 0;
let slow = 0;
let completedAll = 0;

async function once(index: number, measured: boolean): Promise<void> {
  const startedAt = performance.now();
  try {
    const id = await send(index);
    const took = performance.now() - startedAt;
    completedAll++;
    if (took > SLOW_MS && measured) slow++;
    if (measured) latencies.push(took);
    if (id !== null && spec.total !== undefined) ids[index] = id;
  } catch (error) {
    completedAll++;
    if (!measured) return;
    if (performance.now() - startedAt > SLOW_MS) slow++;
    failed++;
    if (errors.length < 5) errors.push((error as Error).message);
  }
}

let seconds: number;
if (spec.total !== undefined) {
  const total = spec.total;
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: spec.clients }, async () => {
      while (next < total) await once(next++, true);
    }),
  );
  seconds = (performance.now() - startedAt) / 1_000;
} else {
  const measureFrom = performance.now() + (spec.warmupSeconds ?? 0) * 1_000;
  const end = measureFrom + (spec.seconds ?? 10) * 1_000;
  seconds = spec.seconds ?? 10;
  let index = 0;
  await Promise.all(
    Array.from({ length: spec.clients }, async () => {
      for (let now = performance.now(); now < end; now = performance.now()) await once(index++, now >= measureFrom);
    }),
  );
}
agent.destroy();
const result: LoadResult = {
  ok: latencies.length,
  failed,
  slow,
  completedAll,
  seconds,
  throughput: latencies.length / seconds,
  latency: summarize(latencies),
  errors,
  ids,
  samples: latencies.map((ms) => Math.round(ms * 10) / 10),
};
childResult(result);
