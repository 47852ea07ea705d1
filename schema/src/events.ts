import type { JsonValue } from './json.js';

/** Every kind of event an execution emits, in the GraphQL contract's names. */
export const EXECUTION_EVENT_TYPES = [
  'EXECUTION_STARTED',
  'STEP_STARTED',
  'STEP_COMPLETED',
  'STEP_FAILED',
  'STEP_RETRYING',
  'STEP_SKIPPED',
  'STEP_WAITING',
  'SIGNAL_RECEIVED',
  'EXECUTION_PAUSED',
  'EXECUTION_RESUMED',
  'CONTINUED_AS_NEW',
  'EXECUTION_COMPLETED',
  'EXECUTION_FAILED',
  'EXECUTION_CANCELLED',
] as const;

export type ExecutionEventType = (typeof EXECUTION_EVENT_TYPES)[number];

/**
 * An event as the interpreter emits it. `sequence` is assigned by the workflow and is
 * deterministic, so a redelivered event has the same (executionId, sequence) and is stored once.
 */
export interface EmittedEvent {
  executionId: string;
  sequence: number;
  type: ExecutionEventType;
  nodeId: string | null;
  /** ISO time from the workflow clock. */
  at: string;
  temporalWorkflowId: string;
  temporalRunId: string;
  data: { [key: string]: JsonValue | undefined };
  /**
   * A step's whole values, for storage beside the event (never streamed): only what `data` had
   * to cut (an input or output over `EVENT_VALUE_LIMIT`, each kept up to `STEP_VALUE_LIMIT`) and
   * an http.request step's exchange. Absent on most events, so they cost nothing more to store.
   */
  values?: StepValues;
}

/** The parts of a step that `EmittedEvent.data` carries cut, or not at all. */
export interface StepValues {
  /** On STEP_STARTED: the whole input, when the event's was cut. */
  input?: JsonValue;
  /** On STEP_COMPLETED: the whole output, when the event's was cut. */
  output?: JsonValue;
  /** On STEP_COMPLETED / STEP_FAILED of an http.request step: what was sent and what came back. */
  http?: HttpExchange;
}

/**
 * An http.request step's last attempt. Secrets are never in it: headers hold the run's
 * `secrets.NAME` placeholders (shown masked), and the activity hides secret values in responses.
 */
export interface HttpExchange {
  request: { method: string; url: string; headers: Record<string, string> };
  /** Absent when no answer came (network error, timeout, refused target). */
  response?: { status: number; bodyExcerpt: string };
}

/** Largest step input or output stored whole (`StepValues`), in JSON characters; larger ones are cut with a marker. */
export const STEP_VALUE_LIMIT = 1_048_576;

/** Longest JSON text of one emitted event a bus carries: a whole step value, the event's own bounded copies, and room for the rest. */
export const EVENT_JSON_LIMIT = 2 * STEP_VALUE_LIMIT;

/** Characters of a response body an `HttpExchange` keeps. */
export const HTTP_BODY_EXCERPT_LIMIT = 2_048;

/** Largest copy of a step's input or output carried by an event, in JSON characters. */
export const EVENT_VALUE_LIMIT = 16_384;

/** Longest error message a run, a step or an event carries (a `fail` node's message is user data). */
export const ERROR_MESSAGE_LIMIT = 4_096;
