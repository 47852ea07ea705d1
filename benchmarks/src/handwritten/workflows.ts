// Workflow code: the hand-written baselines, bundled on their own and run in Temporal's sandbox.
// They compute what the interpreter computes for the benchmark's graphs, with plain code.
import { proxyActivities } from '@temporalio/workflow';
import { HTTP_CALLS, TRANSFORM_STEPS } from '../graphs.js';
import type { HandwrittenActivities } from './activities.js';

/** Same as the transform chain: 9 steps, each adding 1 to the previous value. */
export async function transformChainWorkflow(input: { n: number }): Promise<number> {
  let value = input.n;
  for (let step = 1; step <= TRANSFORM_STEPS; step++) value = value + 1;
  return value;
}

export interface HttpChainInput {
  baseUrl: string;
  timeoutMs: number;
}

/** Same as the HTTP chain: 3 GETs, each URL from the previous response; the interpreter's activity settings. */
export async function httpChainWorkflow(input: HttpChainInput): Promise<number> {
  const { httpGetJson } = proxyActivities<HandwrittenActivities>({
    // As the interpreter's http.request node: the request's own timeout plus 5 s, no Temporal retries.
    startToCloseTimeout: input.timeoutMs + 5_000,
    retry: { maximumAttempts: 1 },
  });
  let response = await httpGetJson(`${input.baseUrl}/step/1`, input.timeoutMs);
  for (let call = 2; call <= HTTP_CALLS; call++) {
    const { next } = response.body as { next: number };
    response = await httpGetJson(`${input.baseUrl}/step/${next}`, input.timeoutMs);
  }
  return (response.body as { step: number }).step;
}
