import type { CompiledNodeFields, ConfigPath, HttpExchange, JsonObject, JsonValue, PlanNode, WorkMeter } from '@tandem/schema';
import type { SecretsContext } from './types.js';

/** The data expressions see: `{ input, nodes, vars, params, loop, execution }`. */
export interface Scope {
  input: JsonValue;
  nodes: Record<string, JsonValue>;
  vars: Record<string, JsonValue>;
  params: Record<string, JsonValue>;
  loop: { item: JsonValue; index: number } | null;
  execution: { id: string };
  /** `secrets.NAME`: placeholders only the http.request activity turns into values. */
  secrets: Record<string, string>;
}

/** What a node executor gets: its node, its compiled fields, and the run around it. */
export interface StepContext<Config = JsonObject> {
  node: PlanNode;
  config: Config;
  fields: CompiledNodeFields;
  scope: Scope;
  /** Evaluates the expression at a config path over the current scope. */
  evaluate(path: ConfigPath): Promise<JsonValue>;
  /** Renders the template at a config path over the current scope. */
  render(path: ConfigPath): Promise<string>;
  /** Whose secrets this run's placeholders stand for, for the activities that use them. */
  secrets: SecretsContext;
  /** Outputs of the nodes whose edges activated this one, by node id. */
  inputs: Record<string, JsonValue>;
  setVariables(values: Record<string, JsonValue>): void;
  setResult(value: JsonValue): void;
  /** A durable timer in a run (a dry run does not wait). */
  sleep(ms: number): Promise<void>;
  /** Keeps an http.request step's latest exchange, stored with the step's end (`Execution.step`). */
  recordHttp(exchange: HttpExchange): void;
  /** Emits STEP_RETRYING; executors that retry call it before waiting. */
  retrying(attempt: number, error: Error, delayMs: number): void;
  /**
   * Waits for the named signal (one received earlier counts, in arrival order); the run is
   * WAITING meanwhile. Resolves with its payload, or `timedOut` after `timeoutMs`.
   */
  waitForSignal(name: string, timeoutMs?: number): Promise<{ timedOut: false; payload: JsonValue } | { timedOut: true }>;
  /** For a loop node: runs its body once with `loop.item`/`loop.index` set; resolves when the body has finished. */
  runLoopBody(iteration: LoopIteration): Promise<void>;
  /** Evaluates an expression with `loop` set to the given iteration. */
  evaluateInLoop(path: ConfigPath, iteration: LoopIteration): Promise<JsonValue>;
  /**
   * At a loop's iteration boundary: continues the execution as a new Temporal run from
   * `nextIndex` when nothing else is running (never returns then); otherwise yields to
   * Temporal and returns false.
   */
  continueAsNew(nextIndex: number, items: JsonValue[] | null): Promise<boolean>;
  /** Whether Temporal suggests continuing as new now (its history is growing large). */
  continueAsNewSuggested(): boolean;
  /** Runs a deployed workflow version (resolved when the run started) as a child run; resolves with its result. */
  runSubworkflow(workflowId: string, version: number | 'latest', input: JsonValue): Promise<JsonValue>;
  /** The iteration a loop resumes from after continue-as-new (0 otherwise). */
  resumeIndex: number;
  /** A forEach loop's list as it was when the loop started, carried across continue-as-new. */
  resumeItems?: JsonValue[];
}

export interface LoopIteration {
  item: JsonValue;
  index: number;
}

export interface StepResult {
  output: JsonValue;
  /** The handles to follow for a branching node; omitted means every outgoing edge. */
  handles?: readonly string[];
}

/** What a node that only computes gets (`NodeExecutor.compute`): its evaluations return values, not promises. */
export type ComputeContext<Config = JsonObject> = Pick<StepContext<Config>, 'node' | 'config' | 'scope' | 'inputs' | 'setVariables' | 'setResult'> & {
  /** Evaluates the expression at a config path over the current scope. */
  evaluate(path: ConfigPath): JsonValue;
};

/** The effects on the run a reused step replays (see `NodeExecutor.reuse`). */
export type ReuseEffects = Pick<StepContext, 'setVariables' | 'setResult'>;

/** How one node type runs inside the interpreter workflow. */
export interface NodeExecutor<Config = JsonObject> {
  execute(context: StepContext<Config>): Promise<StepResult>;
  /**
   * The same step for a node that only computes from the run's scope, without a promise: Temporal's
   * sandbox tracks every promise a workflow makes (a stack trace each), which cost more than
   * the computing. Runs started since the `computed-steps` patch (interpreter.ts) call this and
   * never `execute`; runs started before keep `execute`, so their histories replay unchanged.
   * Both must give the same result.
   */
  compute?(context: ComputeContext<Config>): StepResult;
  /**
   * A step a retry reuses from the run it retries is not executed: its recorded output stands.
   * A node type whose `execute` also changes the run besides its output (variables, the result)
   * does the same here from that output; without it, reusing is the output alone.
   */
  reuse?(output: JsonValue, effects: ReuseEffects): void;
}

/**
 * Evaluates the expression at `path` with `loop` set to `iteration` (a loop's own
 * per-iteration expressions, e.g. a while condition), then restores the outer `loop`.
 * Shared by the interpreter and the dry run.
 */
export async function evaluateInIteration(
  fields: CompiledNodeFields,
  path: ConfigPath,
  scope: Scope,
  work: WorkMeter,
  iteration: LoopIteration,
): Promise<JsonValue> {
  const outer = scope.loop;
  scope.loop = iteration;
  try {
    return await fields.expression(path).evaluate(scope, work);
  } finally {
    scope.loop = outer;
  }
}

/** A failure that belongs to a node, with the cause kept. */
export class StepError extends Error {
  override readonly name = 'StepError';
  constructor(
    message: string,
    readonly causeType: string = 'Error',
    readonly causeMessage: string = message,
  ) {
    super(message);
  }
}
