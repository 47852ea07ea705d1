import type { StepAttempt, StepError, StepRun } from '@tandem/schema';
import { gql } from '../lib/api';

/**
 * The one place the replay viewer asks for more than the events carry: a step's whole values
 * (`Execution.step`, up to 1 MiB each, secrets masked by the server).
 */

/** A step's values: from the server when it has the step, else from the events (cut to 16 KiB). */
export interface StepDetails {
  source: 'server' | 'events';
  input?: unknown;
  output?: unknown;
  error?: StepError;
  attempts: readonly StepAttempt[];
  /** For `http.request`: what its last attempt sent and what came back (secrets masked by the server). */
  http?: { request?: unknown; response?: unknown };
  /** True when a retry took this step from the run it retries instead of executing it. */
  reused?: boolean;
}

const STEP_QUERY = `query Step($id: ID!, $nodeId: ID!, $iteration: Int!) {
  execution(id: $id) {
    step(nodeId: $nodeId, iteration: $iteration) {
      input output error reused
      attempts { attempt at error delayMs }
      http { request { method url headers } response { status bodyExcerpt } }
    }
  }
}`;

interface StepAnswer {
  input: unknown;
  output: unknown;
  error: StepError | null;
  reused: boolean;
  attempts: Array<{ attempt: number; at: string; error: StepError; delayMs: number | null }>;
  http: { request: unknown; response: unknown } | null;
}

/** The values the events carry for one run of a node. */
export function detailsFromEvents(run: StepRun | undefined): StepDetails {
  return {
    source: 'events',
    ...(run?.input !== undefined ? { input: run.input } : {}),
    ...(run?.output !== undefined ? { output: run.output } : {}),
    ...(run?.error ? { error: run.error } : {}),
    attempts: run?.attempts ?? [],
  };
}

/** A step's whole values from `Execution.step(nodeId, iteration)`; the event values of `run` when the server has no such step. */
export async function stepDetails(executionId: string, nodeId: string, run: StepRun | undefined): Promise<StepDetails> {
  const fallback = detailsFromEvents(run);
  if (!run) return fallback;
  const data = await gql<{ execution: { step: StepAnswer | null } | null }>(STEP_QUERY, { id: executionId, nodeId, iteration: run.index });
  const step = data.execution?.step;
  if (!step) return fallback;
  // The events number attempts with the sequence the viewer jumps to; the server's attempts add nothing to that but are the stored truth.
  const attempts = step.attempts.map((a, i) => ({
    attempt: a.attempt,
    at: a.at,
    sequence: fallback.attempts[i]?.sequence ?? 0,
    error: a.error,
    ...(a.delayMs === null ? {} : { delayMs: a.delayMs }),
  }));
  return {
    source: 'server',
    ...(step.input !== null ? { input: step.input } : fallback.input !== undefined ? { input: fallback.input } : {}),
    ...(step.output !== null ? { output: step.output } : fallback.output !== undefined ? { output: fallback.output } : {}),
    ...(step.error ? { error: step.error } : fallback.error ? { error: fallback.error } : {}),
    attempts: attempts.length > 0 ? attempts : fallback.attempts,
    ...(step.http ? { http: step.http } : {}),
    reused: step.reused,
  };
}
