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
}

/** Largest copy of a step's input or output carried by an event, in JSON characters. */
export const EVENT_VALUE_LIMIT = 16_384;

/** Longest error message a run, a step or an event carries (a `fail` node's message is user data). */
export const ERROR_MESSAGE_LIMIT = 4_096;
