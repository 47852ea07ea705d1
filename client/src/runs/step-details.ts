import type { StepAttempt, StepError, StepRun } from '@tandem/schema';
import { ApiError, gql } from '../lib/api';

/**
 * The one place the replay viewer calls the replay API's second-wave fields: a step's full
 * values (`Execution.step`) and `retryExecution`. A server without them (an older build) is
 * detected by introspection or a GraphQL validation error; the viewer then shows the event
 * values (cut to 16 KiB) and hides the retry buttons.
 */

/** A step's values: from the server when it has them in full, else from the events. */
export interface StepDetails {
  source: 'server' | 'events';
  input?: unknown;
  output?: unknown;
  error?: StepError;
  attempts: readonly StepAttempt[];
  /** For `http.request`: what was sent and what came back (secrets masked by the server). */
  http?: { request?: unknown; response?: unknown };
}

interface Capabilities {
  step: boolean;
  retry: boolean;
}

let capabilities: Promise<Capabilities> | null = null;

/** Which replay fields this server's schema has (asked once per page load). */
export function replayCapabilities(): Promise<Capabilities> {
  capabilities ??= gql<{ execution: { fields: Array<{ name: string }> } | null; mutation: { fields: Array<{ name: string }> } | null }>(
    '{ execution: __type(name: "Execution") { fields { name } } mutation: __type(name: "Mutation") { fields { name } } }',
  ).then(
    (data) => ({
      step: data.execution?.fields.some((f) => f.name === 'step') ?? false,
      retry: data.mutation?.fields.some((f) => f.name === 'retryExecution') ?? false,
    }),
    () => ({ step: false, retry: false }),
  );
  return capabilities;
}

/** A GraphQL validation error: the server's schema lacks what was asked. */
function isMissingField(error: unknown): boolean {
  return error instanceof ApiError && (error.code === 'GRAPHQL_VALIDATION_FAILED' || /Cannot query field|Unknown argument/.test(error.message));
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

/**
 * A step's full values: `Execution.step(nodeId, iteration)` when the server has it, else (or
 * when it answers nothing) the event values of `run`.
 */
export async function stepDetails(executionId: string, nodeId: string, run: StepRun | undefined): Promise<StepDetails> {
  const fallback = detailsFromEvents(run);
  if (!run || !(await replayCapabilities()).step) return fallback;
  try {
    const data = await gql<{ execution: { step: Omit<StepDetails, 'source'> | null } | null }>(
      'query Step($id: ID!, $nodeId: String!, $iteration: Int!) { execution(id: $id) { step(nodeId: $nodeId, iteration: $iteration) { input output error attempts http } } }',
      { id: executionId, nodeId, iteration: run.index },
    );
    const step = data.execution?.step;
    if (!step) return fallback;
    return { ...fallback, ...step, attempts: step.attempts ?? fallback.attempts, source: 'server' };
  } catch (error) {
    if (isMissingField(error)) {
      capabilities = Promise.resolve({ ...(await replayCapabilities()), step: false });
      return fallback;
    }
    throw error;
  }
}

/** Whether this server can retry a run from a step (the retry buttons show only then). */
export async function canRetry(): Promise<boolean> {
  return (await replayCapabilities()).retry;
}

/** Starts a new run that retries `executionId` from `fromNodeId` (on `version`, or the run's own). */
export async function retryExecution(executionId: string, fromNodeId: string, version?: number): Promise<{ id: string }> {
  try {
    const data = await gql<{ retryExecution: { id: string } }>(
      'mutation Retry($id: ID!, $fromNodeId: String!, $version: Int) { retryExecution(id: $id, fromNodeId: $fromNodeId, version: $version) { id } }',
      { id: executionId, fromNodeId, version: version ?? null },
    );
    return data.retryExecution;
  } catch (error) {
    if (isMissingField(error)) capabilities = Promise.resolve({ ...(await replayCapabilities()), retry: false });
    throw error;
  }
}
