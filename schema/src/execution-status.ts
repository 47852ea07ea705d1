import type { ExecutionEventType } from './events.js';

/**
 * What a run's status is and how its events move it: the one copy the server (the execution
 * row, the GraphQL enum), the worker and the client share.
 */

/** Every status a run can have, in the order of the GraphQL enum `ExecutionStatus`. */
export const EXECUTION_STATUSES = ['RUNNING', 'PAUSED', 'WAITING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** The statuses of a run still going: its logical state as the interpreter reports it (Temporal only knows "running"). */
export const LIVE_STATUSES = ['RUNNING', 'WAITING', 'PAUSED'] as const satisfies readonly ExecutionStatus[];
export type LiveStatus = (typeof LIVE_STATUSES)[number];

/** A run in one of these has ended; its status never changes again. */
export const FINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set<ExecutionStatus>(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT']);

/** The status each terminal event ends a run with. */
const STATUS_OF_TERMINAL_EVENT = {
  EXECUTION_COMPLETED: 'COMPLETED',
  EXECUTION_FAILED: 'FAILED',
  EXECUTION_CANCELLED: 'CANCELLED',
} as const satisfies Partial<Record<ExecutionEventType, ExecutionStatus>>;

export type TerminalEventType = keyof typeof STATUS_OF_TERMINAL_EVENT;

/** The last event of a run: nothing follows it, and a stream of the run's events ends with it. */
export const TERMINAL_EVENT_TYPES: ReadonlySet<ExecutionEventType> = new Set(Object.keys(STATUS_OF_TERMINAL_EVENT) as TerminalEventType[]);

const LIVE: ReadonlySet<unknown> = new Set(LIVE_STATUSES);

export function isFinalStatus(status: string | null | undefined): boolean {
  return FINAL_STATUSES.has(status as ExecutionStatus);
}

/** Takes any string, as event types arrive from storage and over the wire. */
export function isTerminalEventType(type: string): type is TerminalEventType {
  return TERMINAL_EVENT_TYPES.has(type as ExecutionEventType);
}

/** The part of an event that says what it does to the run's status. */
export interface StatusEvent {
  type: string;
  data?: { readonly [key: string]: unknown } | null;
}

/**
 * The status an event moves a run to, or undefined when it says nothing about it: a terminal
 * event ends the run; any other event may carry the new live status in `data.status` (the
 * interpreter adds it to the event that changed it).
 */
export function statusAnnouncedBy(event: StatusEvent): ExecutionStatus | undefined {
  if (isTerminalEventType(event.type)) return STATUS_OF_TERMINAL_EVENT[event.type];
  const status = event.data?.status;
  return LIVE.has(status) ? (status as LiveStatus) : undefined;
}

/** A run's status after one more of its events: a final status stays; otherwise the event's, if it announces one. */
export function statusAfter<S extends ExecutionStatus | null>(current: S, event: StatusEvent): ExecutionStatus | S {
  if (isFinalStatus(current)) return current;
  return statusAnnouncedBy(event) ?? current;
}

/**
 * A failed run's `error`, the same whichever way the server learnt of the failure (the run's
 * `EXECUTION_FAILED` event, or Temporal when reconciling): `message` is the run's message
 * (for a node's failure it names the node: `node "<id>" (<type>) failed: …`); the node's own
 * error is `cause`. Failures outside any node, and the server's own, carry only a message.
 */
export type RunError = {
  message: string;
  /** For a node's failure (all three present, `cause` null when the node gave none). */
  nodeId?: string;
  nodeType?: string;
  cause?: { type: string; message: string } | null;
};

/** What a run fails with: Temporal's failure, whose `details[0]` names the failed node for a node's failure. */
export interface RunFailure {
  message: string;
  details?: readonly unknown[] | null;
}

/** The run's error from the failure it failed with; the one function both the worker's event and the server's reconcile use. */
export function runErrorOf(failure: RunFailure): RunError {
  const step = failure.details?.[0] as { nodeId?: unknown; nodeType?: unknown; cause?: { type: string; message: string } | null } | undefined;
  if (typeof step?.nodeId !== 'string' || typeof step.nodeType !== 'string') return { message: failure.message };
  return { message: failure.message, nodeId: step.nodeId, nodeType: step.nodeType, cause: step.cause ?? null };
}
