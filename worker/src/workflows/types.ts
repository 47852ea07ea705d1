import type { Sinks } from '@temporalio/workflow';
import type { EmittedEvent, ExecutionPlan, JsonValue, LiveStatus } from '@tandem/schema';

/** What starts a run of the interpreter workflow. */
export interface InterpreterInput {
  /** Tandem's execution id; events carry it. Empty: the Temporal workflow id (runs a Schedule starts). */
  executionId: string;
  /** Which workflow version this is, for runs the API server learns of from their first event. */
  origin?: ExecutionOrigin;
  /** Plans of the workflow versions this plan's subworkflow nodes run (and theirs), by `subplanKey`. */
  subplans?: Record<string, SubPlan>;
  plan: ExecutionPlan;
  input: JsonValue;
  /** The trigger node that started the run; the first manual trigger (else the first trigger) when omitted. */
  triggerNodeId?: string;
  /** Set when this Temporal run continues a logical execution (continue-as-new inside a loop). */
  resume?: ResumeState;
  /** The user whose secrets the run's http.request steps use (the workflow's owner). */
  ownerId?: string;
  /** Random per run: the `secrets.NAME` placeholders carry it, so text from outside cannot pose as one. */
  secretsNonce?: string;
  /**
   * A retry's recorded steps, by node id: such a node is not executed, its recorded output
   * (and branch handles) are taken as they are. The API server decides which (docs/engine.md#retry).
   */
  reuse?: Record<string, ReusedStep>;
}

/** A step a retried run takes from the run it retries instead of executing it. */
export interface ReusedStep {
  output: JsonValue;
  /** The handles a branching node followed; omitted: every outgoing edge. */
  handles?: string[];
}

export interface ExecutionOrigin {
  workflowId: string;
  versionId: string;
  versionNumber: number;
  startedById: string;
  parentExecutionId?: string;
  parentNodeId?: string;
}

/** A resolved sub-workflow: the version's plan and who it is. */
export interface SubPlan {
  plan: ExecutionPlan;
  origin: ExecutionOrigin;
}

/** How a subworkflow node's target is keyed in `subplans`. */
export function subplanKey(workflowId: string, version: number | 'latest'): string {
  return `${workflowId}@${version}`;
}

/** What a loop carries across continue-as-new, so the logical execution stays one. */
export interface ResumeState {
  loopNodeId: string;
  /** The iteration to run next. */
  nextIndex: number;
  /** A forEach loop's list, evaluated once when the loop started (the body may change what it was computed from). */
  loopItems?: JsonValue[];
  nodes: Record<string, JsonValue>;
  vars: Record<string, JsonValue>;
  edgeState: Array<[string, 'active' | 'dead']>;
  completed: string[];
  nextSequence: number;
  result: JsonValue;
  inbox: Array<[string, JsonValue[]]>;
  paused: boolean;
  /** How many Temporal runs this execution has had before this one. */
  continuations: number;
}

export const INTERPRETER_WORKFLOW = 'interpreterWorkflow';

/** How a run terminated by the worker supervisor's quarantine starts its termination reason. */
export const QUARANTINE_REASON = 'Tandem quarantined this run';

/** The failure type a run fails with when a node fails; details[0] is a `StepFailureDetails`. */
export const STEP_FAILURE_TYPE = 'TandemStepFailed';

export interface StepFailureDetails {
  nodeId: string;
  nodeType: string;
  message: string;
  /** The underlying cause as reported by the failing part (activity, expression, …). */
  cause: { type: string; message: string } | null;
}

/** Sinks: how events leave workflow code without breaking determinism (not called during replay). */
export interface TandemSinks extends Sinks {
  tandemEvents: {
    emit(event: EmittedEvent): void;
  };
}

/** The request the http.request node sends through its activity (templates already rendered). */
export interface HttpRequestInput {
  nodeId: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: JsonValue;
  timeoutMs: number;
  /** Raise on 4xx/5xx (5xx, 408 and 429 retryable) instead of returning the response. */
  failOnHttpError: boolean;
  /** Present when the URL, headers or body hold `secrets.NAME` placeholders: whose secrets, and the run's nonce. */
  secrets?: SecretsContext;
}

/** Whose secrets a run's placeholders stand for, and the nonce they carry (never a value). */
export interface SecretsContext {
  ownerId: string | null;
  nonce: string;
}

export interface HttpResponseOutput {
  status: number;
  headers: Record<string, string>;
  body: JsonValue;
}

/** Activities the interpreter calls. Implemented in worker/src/activities. */
export interface InterpreterActivities {
  httpRequest(input: HttpRequestInput): Promise<HttpResponseOutput>;
}

/** Failure types the http activity raises; the non-retryable ones end the step at once. */
export const HTTP_FAILURE = {
  blockedTarget: 'HttpTargetBlocked',
  invalidRequest: 'HttpInvalidRequest',
  clientError: 'HttpClientError',
  serverError: 'HttpServerError',
  network: 'HttpNetworkError',
  timeout: 'HttpTimeout',
  tooLarge: 'HttpResponseTooLarge',
  /** A `secrets.NAME` the owner has not set. */
  secretNotFound: 'SecretNotFound',
  /** Secrets cannot be read: no store on this worker, no owner on the run, or the store failed. */
  secretsUnavailable: 'SecretsUnavailable',
} as const;

/** Signal and query names of the interpreter workflow, for clients that control runs. */
export const INTERPRETER_SIGNALS = {
  /** `{ name, payload }`: delivered to wait.signal nodes waiting for `name`. */
  custom: 'tandem.signal',
  pause: 'tandem.pause',
  resume: 'tandem.resume',
} as const;

export const INTERPRETER_QUERIES = { state: 'tandem.state' } as const;

export interface CustomSignal {
  name: string;
  payload: JsonValue;
}

/** The run's logical status as the interpreter sees it; defined with the other statuses in schema. */
export type { LiveStatus };

/** What the state query answers. */
export interface LiveState {
  status: LiveStatus;
  paused: boolean;
  runningNodes: string[];
  waitingFor: Array<{ nodeId: string; signal: string }>;
  completedNodes: string[];
  vars: Record<string, JsonValue>;
  /** Signals received and not yet taken by a wait.signal node, by name. */
  pendingSignals: Record<string, number>;
}
