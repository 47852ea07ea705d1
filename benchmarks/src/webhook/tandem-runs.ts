// Counting a Tandem workflow's runs by status through the API, and waiting for a count: how the
// benchmark's held-run phases know that runs are waiting, or have completed.
import { gql } from '../api/http.js';

export interface TandemApi {
  url: string;
  token: string;
}

/** Releases a run of the held-runs workflow (flow.ts's WAITING_WORKFLOW waits for `go`). */
export const SIGNAL_GO = 'mutation($id: ID!) { signalExecution(id: $id, name: "go", payload: { ok: true }) { id } }';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
