// Tandem's runs as the benchmark drives them through the API: the load targets that start runs
// and release held ones, and counting a workflow's runs by status (how the held-run phases know
// that runs are waiting, or have completed).
import { gql } from '../api/http.js';
import type { LoadTarget } from './load-child.js';

export interface TandemApi {
  url: string;
  token: string;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** startExecution of `workflowId` with `input`, one run per request. */
export function startRunsTarget(api: TandemApi, workflowId: string, input: Record<string, unknown> = {}): LoadTarget {
  return {
    kind: 'graphql',
    url: `${api.url}/graphql`,
    token: api.token,
    query: 'mutation($w: ID!, $i: JSON) { startExecution(workflowId: $w, input: $i) { id } }',
    variables: { w: workflowId, i: input },
    field: 'startExecution',
  };
}

/** Releases held runs of flow.ts's WAITING_WORKFLOW (it waits for `go`): the n-th request signals `ids[n]`. */
export function releaseRunsTarget(api: TandemApi, ids: readonly string[]): LoadTarget {
  return {
    kind: 'graphql',
    url: `${api.url}/graphql`,
    token: api.token,
    query: SIGNAL_GO,
    variables: {},
    field: 'signalExecution',
    perRequest: ids.map((id) => ({ id })),
  };
}

export const SIGNAL_GO = 'mutation($id: ID!) { signalExecution(id: $id, name: "go", payload: { ok: true }) { id } }';

export async function countRuns(api: TandemApi, workflowId: string, status: string): Promise<number> {
  const data = await gql<{ executions: { totalCount: number } }>(
    api.url,
    api.token,
    'query($f: ExecutionFilter) { executions(first: 1, filter: $f) { totalCount } }',
    { f: { workflowId, status } },
  );
  return data.executions.totalCount;
}

/** Polls every `pollMs` until `wanted` runs have `status`, or `timeoutMs` passed; returns the last count. */
export async function waitForCount(api: TandemApi, workflowId: string, status: string, wanted: number, timeoutMs: number, pollMs = 1_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let count = 0;
  while (Date.now() < deadline) {
    count = await countRuns(api, workflowId, status);
    if (count >= wanted) return count;
    await sleep(pollMs);
  }
  return count;
}
