import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  ChildWorkflowFailure,
  patched,
  executeChild,
  sleep,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import {
  boundedCopy,
  compilePlanFields,
  DEFAULT_EXPRESSION_LIMITS,
  ERROR_MESSAGE_LIMIT,
  EVENT_VALUE_LIMIT,
  isTruncatedValue,
  STEP_VALUE_LIMIT,
  truncateText,
  type CompiledNodeFields,
  type HttpExchange,
  type JsonValue,
  type StepValues,
  type PlanEdge,
  type PlanNode,
  type WorkMeter,
} from '@tandem/schema';
import { isSecretNonce, manualTrigger, runErrorOf, secretNamesOfPlan, secretPlaceholders } from '@tandem/schema';
import { decideOutgoing, stepInputs, type DecidedEdge } from './edges.js';
import { EventEmitter } from './emitter.js';
import { EXECUTORS } from './nodes/index.js';
import { RunControl } from './run-control.js';
import {
  evaluateInIteration,
  StepError,
  type ComputeContext,
  type LoopIteration,
  type NodeExecutor,
  type Scope,
  type StepContext,
  type StepResult,
} from './step.js';
import {
  INTERPRETER_WORKFLOW,
  subplanKey,
  STEP_FAILURE_TYPE,
  type InterpreterInput,
  type ResumeState,
  type ReusedStep,
  type SecretsContext,
  type StepFailureDetails,
} from './types.js';

/** Expression work units after which the next step starts in a new workflow task (about four full evaluations). */
const WORK_PER_WORKFLOW_TASK = 4 * DEFAULT_EXPRESSION_LIMITS.maxWork;

/**
 * Runs started since this patch run the steps of node types that only compute (`NodeExecutor.compute`)
 * in place, one after another in the order they became ready, without a promise per step. That
 * changes the order in which parallel branches reach their next activity or timer, so runs started
 * before it keep the old scheduling (Temporal's `patched`: the marker is in their history or not).
 */
const COMPUTED_STEPS_PATCH = 'computed-steps';

/**
 * Runs started since this patch compute their steps in place as well, and create their cancellation
 * scope only once a step goes asynchronous (an activity, a timer, a wait): a run whose steps all
 * compute finishes without one. Temporal's sandbox records a stack trace for each promise a workflow
 * creates, and a scope costs several. Steps readied before the scope exists start inside it, in the
 * order they became ready; a run that fails before any of them started has nothing to cancel and
 * starts none of them, where the earlier scheduling started them and cancelled them at once.
 */
const SCOPE_ON_DEMAND_PATCH = 'scope-on-demand';

/** A node whose incoming edges are decided, waiting for its turn (runs with computed steps). */
interface ReadyNode {
  node: PlanNode;
  region: Region;
}

/** Nodes scheduled together: the whole graph, or one iteration of a loop body. */
interface Region {
  inFlight: number;
  settle: () => void;
  readonly done: Promise<void>;
}

/**
 * A region whose `done` promise exists from the start (`eager`, as every region of runs before
 * SCOPE_ON_DEMAND_PATCH: their promises' timing must not change), or only once someone waits.
 */
function newRegion(eager = true): Region {
  let settled = false;
  let resolve: (() => void) | undefined;
  let done: Promise<void> | undefined;
  const wait = () => (done ??= settled ? Promise.resolve() : new Promise<void>((r) => (resolve = r)));
  if (eager) void wait();
  return {
    inFlight: 0,
    settle: () => {
      settled = true;
      resolve?.();
    },
    get done() {
      return wait();
    },
  };
}

/**
 * Runs one plan. Scheduling is dead-path elimination: a node starts once every incoming
 * edge is decided, runs if at least one is active, and is skipped otherwise (its outgoing
 * edges die). Ready nodes run concurrently, so parallel branches overlap. Signals, pause and
 * the live state are the run control's (`RunControl`, run-control.ts).
 */
export class PlanRun {
  private readonly nodes: Map<string, PlanNode>;
  private readonly edges = new Map<string, PlanEdge>();
  private readonly edgeState = new Map<string, DecidedEdge>();
  private readonly fields: Map<string, CompiledNodeFields>;
  private readonly scope: Scope;
  private readonly events: EventEmitter;
  private readonly control: RunControl;
  private readonly executionId: string;
  private readonly secrets: SecretsContext;
  private result: JsonValue = null;
  private failure: unknown = undefined;
  private readonly top: Region;
  /** The region of each active loop body, by loop node id. */
  private readonly regions = new Map<string, Region>();
  /** The innermost loop whose body holds each node (absent: the top level). */
  private readonly loopOf = new Map<string, string>();
  /** Expression work since the interpreter last gave the workflow task back (see yieldAfterHeavyWork). */
  private readonly work: WorkMeter = { work: 0 };
  /** The timer that ends this workflow task once its work budget is spent (see metered). */
  private nextTask: Promise<void> | undefined;
  /** Whether this run computes steps in place (see COMPUTED_STEPS_PATCH). */
  private readonly computesInPlace: boolean;
  /** Whether this run creates its cancellation scope only when a step goes asynchronous (see SCOPE_ON_DEMAND_PATCH). */
  private readonly scopeOnDemand: boolean;
  /** Until the scope exists (scope-on-demand runs): the asynchronous steps readied so far, in order. */
  private deferred: ReadyNode[] | null = null;
  /** Nodes ready to run, first ready first, and whether they are being run now. */
  private readonly ready: ReadyNode[] = [];
  private runningReady = false;

  constructor(private readonly args: InterpreterInput) {
    this.nodes = new Map(args.plan.nodes.map((n) => [n.id, n]));
    for (const node of args.plan.nodes) for (const edge of node.outgoing) this.edges.set(edge.id, edge);
    this.executionId = args.executionId || workflowInfo().workflowId;
    this.events = new EventEmitter(this.executionId, args.resume?.nextSequence ?? 1);
    this.control = new RunControl(this.events, { isLoop: (id) => Boolean(this.nodes.get(id)!.loop), vars: () => this.scope.vars });
    this.fields = compilePlanFields(args.plan);
    // Runs not started by the API (no nonce) use their first run id: stable across continue-as-new, no randomness drawn.
    this.secrets = { ownerId: args.ownerId ?? null, nonce: isSecretNonce(args.secretsNonce) ? args.secretsNonce : workflowInfo().firstExecutionRunId };
    // Innermost loop first: a smaller body is nested in a larger one.
    const loops = args.plan.nodes.filter((n) => n.loop).sort((a, b) => b.loop!.body.length - a.loop!.body.length);
    for (const loopNode of loops) for (const id of loopNode.loop!.body) this.loopOf.set(id, loopNode.id);
    this.scope = {
      input: args.input,
      nodes: {},
      vars: {},
      params: args.plan.params,
      loop: null,
      execution: { id: args.executionId || workflowInfo().workflowId },
      secrets: secretPlaceholders(secretNamesOfPlan(args.plan), this.secrets.nonce),
    };
    // Before the first await, so no signal sent at start is missed.
    this.control.listen();
    this.scopeOnDemand = patched(SCOPE_ON_DEMAND_PATCH);
    this.computesInPlace = this.scopeOnDemand || patched(COMPUTED_STEPS_PATCH);
    this.top = newRegion(!this.scopeOnDemand);
  }

  /** Runs the plan to its end: the run's result, or its failure. */
  run(): Promise<JsonValue> {
    if (this.scopeOnDemand) return this.runScopeOnDemand();
    // Runs started before SCOPE_ON_DEMAND_PATCH: the same promises, settling in the same order, as
    // when the workflow function was itself async and returned this run's promise.
    return (async () => this.runInScope())();
  }

  /** Runs before SCOPE_ON_DEMAND_PATCH: everything inside one cancellation scope. */
  private async runInScope(): Promise<JsonValue> {
    const resume = this.args.resume;
    const trigger = resume ? null : this.chooseTrigger();
    if (trigger) this.announceStart(trigger);
    try {
      this.checkSupported();
      await CancellationScope.cancellable(async () => {
        this.begin(resume, trigger);
        await this.settled();
      });
    } catch (error) {
      throw this.ending(error);
    }
    return this.completed();
  }

  /**
   * Computes what it can first, in place; the scope and everything asynchronous come after, if
   * anything is (SCOPE_ON_DEMAND_PATCH). A run whose steps all compute creates one promise, its
   * result: every promise workflow code creates costs a stack trace in Temporal's sandbox.
   */
  private runScopeOnDemand(): Promise<JsonValue> {
    const resume = this.args.resume;
    let trigger: PlanNode | null;
    try {
      trigger = resume ? null : this.chooseTrigger();
    } catch (error) {
      return Promise.reject(error as Error);
    }
    if (trigger) this.announceStart(trigger);
    const deferred: ReadyNode[] = (this.deferred = []);
    try {
      this.checkSupported();
      this.begin(resume, trigger);
      // Nothing asynchronous has started yet: a failure so far has nothing to stop.
      if (this.failure !== undefined) throw this.failure;
    } catch (error) {
      return Promise.reject(this.ending(error) as Error);
    } finally {
      this.deferred = null;
    }
    if (deferred.length === 0) return Promise.resolve(this.completed());
    return this.finishInScope(deferred);
  }

  /** The rest of a scope-on-demand run: the steps readied before the scope existed start inside it, in order. */
  private async finishInScope(deferred: ReadyNode[]): Promise<JsonValue> {
    try {
      await CancellationScope.cancellable(async () => {
        for (const { node, region } of deferred) this.runAsync(node, region);
        await this.settled();
      });
    } catch (error) {
      throw this.ending(error);
    }
    return this.completed();
  }

  private announceStart(trigger: PlanNode): void {
    this.events.emit('EXECUTION_STARTED', null, {
      input: boundedCopy(this.args.input, EVENT_VALUE_LIMIT),
      triggerNodeId: trigger.id,
      ...(this.args.origin ? { origin: this.args.origin as unknown as JsonValue } : {}),
    });
  }

  /** The run's end event for what ended it; what to throw (a continue-as-new passes through). */
  private ending(error: unknown): unknown {
    if (error instanceof ContinueAsNew) return error;
    if (isCancellation(error)) {
      this.events.emit('EXECUTION_CANCELLED', null, {});
      return error;
    }
    const failure = toRunFailure(error);
    const runError = runErrorOf(failure);
    // The run's message names the node; the step's own message stays in `cause`.
    this.events.emit('EXECUTION_FAILED', runError.nodeId ?? null, { error: runError });
    return failure;
  }

  private completed(): JsonValue {
    this.events.emit('EXECUTION_COMPLETED', null, { result: boundedCopy(this.result, EVENT_VALUE_LIMIT) });
    return this.result;
  }

  /** Starts the graph at its trigger, or where a continued run left off. */
  private begin(resume: ResumeState | undefined, trigger: PlanNode | null): void {
    if (resume) {
      this.restore(resume);
      this.start(resume.loopNodeId);
    } else {
      for (const other of this.args.plan.triggers) if (other !== trigger!.id) this.skip(other);
      this.start(trigger!.id);
    }
  }

  /** Waits for the top level to drain; a step's failure stops the branches still running, then fails the run. */
  private async settled(): Promise<void> {
    await this.top.done;
    if (this.failure !== undefined) {
      if (this.failure instanceof ContinueAsNew) throw this.failure;
      // Stop sibling branches (timers, activities) before failing the run.
      CancellationScope.current().cancel();
      throw this.failure;
    }
  }

  private restore(resume: ResumeState): void {
    Object.assign(this.scope.nodes, resume.nodes);
    Object.assign(this.scope.vars, resume.vars);
    for (const [id, state] of resume.edgeState) this.edgeState.set(id, state);
    this.result = resume.result;
    this.control.restore(resume);
  }

  /**
   * Continues as a new Temporal run at a loop's iteration boundary, when the loop is the only
   * thing running at the top level (other branches in flight cannot be carried over); otherwise
   * only yields to Temporal so a long loop does not hold one workflow task for too long.
   */
  private async continueAsNewAt(loopNode: PlanNode, nextIndex: number, items: JsonValue[] | null): Promise<boolean> {
    const alone = !this.loopOf.has(loopNode.id) && this.top.inFlight === 1 && this.regions.size === 0 && !this.control.anyWaiting;
    if (!alone) {
      await sleep(1);
      return false;
    }
    const { completed, inbox, paused } = this.control.carried();
    const state: ResumeState = {
      loopNodeId: loopNode.id,
      nextIndex,
      ...(items ? { loopItems: items } : {}),
      nodes: this.scope.nodes,
      vars: this.scope.vars,
      edgeState: [...this.edgeState].filter((entry): entry is [string, 'active' | 'dead'] => entry[1] !== 'unknown'),
      completed,
      nextSequence: this.events.nextSequence + 1,
      result: this.result,
      inbox,
      paused,
      continuations: (this.args.resume?.continuations ?? 0) + 1,
    };
    this.events.emit('CONTINUED_AS_NEW', loopNode.id, { iteration: nextIndex, continuation: state.continuations });
    // Reused steps have run by now: the next Temporal run does not need their outputs again.
    const { reuse: _reuse, ...carried } = this.args;
    return continueAsNew<(input: InterpreterInput) => Promise<JsonValue>>({ ...carried, resume: state });
  }

  /** A child run of the interpreter with the sub-workflow's plan; its events form their own execution, linked to this one. */
  private async runSubworkflow(node: PlanNode, workflowId: string, version: number | 'latest', input: JsonValue): Promise<JsonValue> {
    const sub = this.args.subplans?.[subplanKey(workflowId, version)];
    if (!sub) throw new StepError(`workflow "${workflowId}" (version ${version}) was not resolved when this run started`, 'SubworkflowMissing');
    const child: InterpreterInput = {
      executionId: '',
      plan: sub.plan,
      input,
      origin: { ...sub.origin, parentExecutionId: this.executionId, parentNodeId: node.id },
      ...(this.args.subplans ? { subplans: this.args.subplans } : {}),
      ...(this.args.ownerId ? { ownerId: this.args.ownerId } : {}),
      secretsNonce: this.secrets.nonce,
    };
    try {
      return await executeChild<(input: InterpreterInput) => Promise<JsonValue>>(INTERPRETER_WORKFLOW, {
        workflowId: `tandem-${uuid4()}`,
        args: [child],
      });
    } catch (error) {
      // This run being cancelled reaches the child too; a child cancelled on its own is this step's failure.
      if (isCancellation(error) && CancellationScope.current().consideredCancelled) throw error;
      const cause = error instanceof ChildWorkflowFailure && error.cause ? error.cause : (error as Error);
      throw new StepError(`sub-workflow failed: ${cause.message}`, 'SubworkflowFailed', cause.message);
    }
  }

  /** Runs a loop's body once: its nodes and edges start afresh, `loop` is set, and the body's region drains. */
  private async runLoopBody(loopNode: PlanNode, iteration: LoopIteration): Promise<void> {
    const body = loopNode.loop!.body;
    for (const id of body) {
      delete this.scope.nodes[id];
      for (const edge of this.nodes.get(id)!.outgoing) this.edgeState.delete(edge.id);
    }
    const region = newRegion();
    this.regions.set(loopNode.id, region);
    const outer = this.scope.loop;
    this.scope.loop = iteration;
    try {
      this.decideOutgoing(
        loopNode,
        (edge) => edge.handle === 'body',
        (edge) => edge.handle === 'body',
      );
      if (region.inFlight > 0) await region.done;
    } finally {
      this.scope.loop = outer;
      this.regions.delete(loopNode.id);
    }
    if (this.failure !== undefined) throw this.failure;
  }

  private chooseTrigger(): PlanNode {
    const { plan, triggerNodeId } = this.args;
    const id = triggerNodeId ?? plan.triggers.find((t) => this.nodes.get(t)?.type === manualTrigger.type) ?? plan.triggers[0];
    const node = id === undefined ? undefined : this.nodes.get(id);
    if (!node || !node.trigger) {
      throw ApplicationFailure.nonRetryable(
        triggerNodeId ? `"${triggerNodeId}" is not a trigger of this workflow` : 'the workflow has no trigger',
        'TandemInvalidPlan',
      );
    }
    return node;
  }

  private checkSupported(): void {
    for (const node of this.args.plan.nodes) {
      if (!EXECUTORS.has(node.type)) {
        throw stepFailure(node, new StepError(`node type "${node.type}" is not supported by this worker version`, 'UnsupportedNodeType'));
      }
    }
  }

  private start(id: string): void {
    const loopId = this.loopOf.get(id);
    const region = (loopId === undefined ? undefined : this.regions.get(loopId)) ?? this.top;
    region.inFlight++;
    const node = this.nodes.get(id)!;
    if (!this.computesInPlace) return this.runAsync(node, region);
    this.ready.push({ node, region });
    if (this.runningReady) return; // the loop below takes it in turn
    this.runningReady = true;
    try {
      for (let next = this.ready.shift(); next; next = this.ready.shift()) this.runReady(next);
    } finally {
      this.runningReady = false;
    }
  }

  /** Computes a ready node in place when it can; anything else (I/O, waiting, a paused run, spent work) runs as before. */
  private runReady({ node, region }: ReadyNode): void {
    const executor = EXECUTORS.get(node.type)!;
    if (!executor.compute || this.control.isPaused || !this.hasRoomFor(node)) {
      if (this.deferred) this.deferred.push({ node, region });
      else this.runAsync(node, region);
      return;
    }
    try {
      if (this.failure === undefined) this.computeNode(node, executor);
    } catch (error) {
      this.failure ??= error;
    }
    this.finishOne(region);
  }

  private runAsync(node: PlanNode, region: Region): void {
    void this.runNode(node).then(
      () => this.finishOne(region),
      (error: unknown) => {
        this.failure ??= error;
        this.finishOne(region);
      },
    );
  }

  /** Whether this workflow task's work budget covers every expression of the node (see metered). */
  private hasRoomFor(node: PlanNode): boolean {
    return this.work.work + this.fields.get(node.id)!.expressionCount * DEFAULT_EXPRESSION_LIMITS.maxWork <= WORK_PER_WORKFLOW_TASK;
  }

  private finishOne(region: Region): void {
    region.inFlight--;
    if (region.inFlight === 0) region.settle();
    if (this.failure !== undefined) {
      // Wake every waiting loop and the top level: the run is ending.
      for (const other of this.regions.values()) other.settle();
      this.top.settle();
    }
  }

  private async runNode(node: PlanNode): Promise<void> {
    if (this.failure !== undefined) return;
    await this.control.untilResumed();
    const executor = EXECUTORS.get(node.type)!;
    const begun = this.beginStep(node, executor);
    if (!begun) return;
    const { inputs, startedAt } = begun;
    let http: HttpExchange | undefined;
    const fields = this.fields.get(node.id)!;
    const context: StepContext<never> = {
      node,
      config: node.config as never,
      fields,
      scope: this.scope,
      secrets: this.secrets,
      inputs,
      evaluate: (path) => this.metered(() => fields.expression(path).evaluate(this.scope, this.work)),
      render: (path) => this.metered(() => fields.template(path).render(this.scope, this.work)),
      setVariables: (values) => Object.assign(this.scope.vars, values),
      setResult: (value) => (this.result = value),
      sleep: (ms) => sleep(ms),
      recordHttp: (exchange) => (http = exchange),
      retrying: (attempt, error, delayMs) =>
        this.events.emit('STEP_RETRYING', node.id, {
          attempt,
          error: { message: truncateText(error.message, ERROR_MESSAGE_LIMIT), type: error.name },
          delayMs,
        }),
      waitForSignal: (name, timeoutMs) => this.control.waitForSignal(node.id, name, timeoutMs),
      runLoopBody: (iteration) => this.runLoopBody(node, iteration),
      evaluateInLoop: (path, iteration) => this.metered(() => evaluateInIteration(fields, path, this.scope, this.work, iteration)),
      continueAsNew: (nextIndex, items) => this.continueAsNewAt(node, nextIndex, items),
      continueAsNewSuggested: () => workflowInfo().continueAsNewSuggested,
      runSubworkflow: (workflowId, version, input) => this.runSubworkflow(node, workflowId, version, input),
      ...(this.args.resume?.loopNodeId === node.id && !this.control.hasCompleted(node.id)
        ? { resumeIndex: this.args.resume.nextIndex, ...(this.args.resume.loopItems ? { resumeItems: this.args.resume.loopItems } : {}) }
        : { resumeIndex: 0 }),
    };
    let result;
    try {
      result = await executor.execute(context);
    } catch (error) {
      throw this.stepFailed(node, error, startedAt, http);
    }
    this.completeStep(node, result, startedAt, http, false);
  }

  /** `runNode` for a node that only computes, in place: no promise, nothing awaited. */
  private computeNode(node: PlanNode, executor: NodeExecutor<never>): void {
    const begun = this.beginStep(node, executor);
    if (!begun) return;
    const fields = this.fields.get(node.id)!;
    const context: ComputeContext<never> = {
      node,
      config: node.config as never,
      scope: this.scope,
      inputs: begun.inputs,
      evaluate: (path) => fields.expression(path).evaluateSync(this.scope, this.work),
      setVariables: (values) => Object.assign(this.scope.vars, values),
      setResult: (value) => (this.result = value),
    };
    let result;
    try {
      result = executor.compute!(context);
    } catch (error) {
      throw this.stepFailed(node, error, begun.startedAt, undefined);
    }
    this.completeStep(node, result, begun.startedAt, undefined, false);
  }

  /** A step's start: STEP_STARTED is out. A step reused from the run a retry retries is complete at once (null). */
  private beginStep(node: PlanNode, executor: NodeExecutor<never>): { inputs: Record<string, JsonValue>; startedAt: number } | null {
    const inputs = this.inputsOf(node);
    const startedAt = Date.now();
    const reused = this.args.reuse?.[node.id];
    this.control.stepStarted(node.id);
    const input = eventValue('input', inputs);
    this.events.emit(
      'STEP_STARTED',
      node.id,
      { type: node.type, input: input.copy, ...(reused ? { reused: true } : {}), ...this.control.statusChange() },
      input.values,
    );
    if (!reused) return { inputs, startedAt };
    this.reuseStep(executor, reused);
    this.completeStep(node, { output: reused.output, ...(reused.handles ? { handles: reused.handles } : {}) }, startedAt, undefined, true);
    return null;
  }

  /** A step that failed: STEP_FAILED is out; what to throw (cancellation and continue-as-new pass through). */
  private stepFailed(node: PlanNode, error: unknown, startedAt: number, http: HttpExchange | undefined): unknown {
    this.control.stepFailed(node.id);
    if (isCancellation(error) || error instanceof ContinueAsNew || error === this.failure) return error;
    const failure = stepFailure(node, error);
    const details = failure.details?.[0] as StepFailureDetails;
    this.events.emit(
      'STEP_FAILED',
      node.id,
      {
        error: { message: details.message, cause: details.cause },
        durationMs: Date.now() - startedAt,
        ...this.control.statusChange(),
      },
      http ? { http } : undefined,
    );
    return failure;
  }

  /** A step's end: its output is in scope, STEP_COMPLETED is out, and what follows it is decided. */
  private completeStep(node: PlanNode, result: StepResult, startedAt: number, http: HttpExchange | undefined, reused: boolean): void {
    this.control.stepCompleted(node.id);
    this.scope.nodes[node.id] = result.output;
    const output = eventValue('output', result.output);
    this.events.emit(
      'STEP_COMPLETED',
      node.id,
      {
        output: output.copy,
        durationMs: Date.now() - startedAt,
        ...(result.handles ? { handles: [...result.handles] } : {}),
        ...(reused ? { reused: true } : {}),
        ...this.control.statusChange(),
      },
      output.values || http ? { ...output.values, ...(http ? { http } : {}) } : undefined,
    );
    const follow = result.handles ? new Set(result.handles) : null;
    this.decideOutgoing(node, (edge) => follow === null || (edge.handle !== null && follow.has(edge.handle)));
  }

  /** What a reused step would have done to the run besides its output, as its node type says (`NodeExecutor.reuse`). */
  private reuseStep(executor: NodeExecutor<never>, step: ReusedStep): void {
    executor.reuse?.(step.output, {
      setVariables: (values) => Object.assign(this.scope.vars, values),
      setResult: (value) => (this.result = value),
    });
  }

  /**
   * Runs expression work once this workflow task has room for it. When the steps run in one
   * task have done a lot of it, later evaluations wait for the next task (a 1 ms timer), so
   * heavy parallel steps are spread over several tasks: one task running past the sandbox's
   * deadlock timeout aborts the worker process. The last check and the (synchronous) evaluation
   * happen in one go, with no await between them. Work is counted in deterministic units, so a
   * replay waits at the same points.
   */
  private async metered<T>(evaluate: () => Promise<T>): Promise<T> {
    while (this.work.work >= WORK_PER_WORKFLOW_TASK) {
      this.nextTask ??= sleep(1).then(() => {
        this.work.work = 0;
        this.nextTask = undefined;
      });
      await this.nextTask;
    }
    return evaluate();
  }

  /** Marks a node skipped and kills its outgoing edges, which may skip or start what follows. */
  private skip(id: string): void {
    const node = this.nodes.get(id)!;
    this.events.emit('STEP_SKIPPED', id, {});
    this.decideOutgoing(node, () => false);
  }

  /**
   * Decides the outgoing edges `include` selects (by default all but a loop's body edges, which
   * only runLoopBody decides) and starts or skips the targets that are now fully decided.
   */
  private decideOutgoing(
    node: PlanNode,
    isActive: (edge: PlanEdge) => boolean,
    include: (edge: PlanEdge) => boolean = (edge) => !(node.loop && edge.handle === 'body'),
  ): void {
    const decided = decideOutgoing(node, this.nodes, this.edgeState, (edge) => (isActive(edge) ? 'active' : 'dead'), include);
    for (const { target, state } of decided) {
      if (state === 'active') this.start(target.id);
      else this.skip(target.id);
    }
  }

  private inputsOf(node: PlanNode): Record<string, JsonValue> {
    return stepInputs(node, this.edges, this.edgeState, this.scope.nodes, this.scope.input);
  }
}

/** A step value for an event: its bounded copy, and the value for storage when that copy had to be cut (see `StepValues`). */
function eventValue(key: 'input' | 'output', value: JsonValue | Record<string, JsonValue>): { copy: JsonValue | undefined; values?: StepValues } {
  const copy = boundedCopy(value, EVENT_VALUE_LIMIT) as JsonValue | undefined;
  if (!isTruncatedValue(copy)) return { copy };
  return { copy, values: { [key]: boundedCopy(value, STEP_VALUE_LIMIT, EVENT_VALUE_LIMIT) as JsonValue } };
}

/** A node's failure as the run's failure: names the node, keeps the cause, bounded in size. */
function stepFailure(node: PlanNode, error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure && error.type === STEP_FAILURE_TYPE) return error;
  const causeType = error instanceof StepError ? error.causeType : error instanceof Error ? error.name : 'Error';
  const causeMessage = error instanceof StepError ? error.causeMessage : error instanceof Error ? error.message : String(error);
  const message = truncateText(error instanceof Error ? error.message : String(error), ERROR_MESSAGE_LIMIT);
  const details: StepFailureDetails = {
    nodeId: node.id,
    nodeType: node.type,
    message,
    cause: { type: truncateText(causeType, 200), message: truncateText(causeMessage, ERROR_MESSAGE_LIMIT) },
  };
  return withoutStack(
    ApplicationFailure.create({
      type: STEP_FAILURE_TYPE,
      message: `node "${node.id}" (${node.type}) failed: ${message}`,
      details: [details],
      nonRetryable: true,
    }),
  );
}

function toRunFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const message = truncateText(error instanceof Error ? error.message : String(error), ERROR_MESSAGE_LIMIT);
  return withoutStack(ApplicationFailure.create({ type: 'TandemInterpreterError', message, nonRetryable: true }));
}

/**
 * Drops the stack of a failure whose message is user data. The SDK's failure converter scans
 * the stack with regular expressions that backtrack quadratically over long runs of spaces
 * (`\s+at …`); a message such as `$pad('x', 100000)` kept the workflow task busy past the
 * sandbox's deadlock timeout, which aborts the worker process. The interpreter's own frames
 * tell a user nothing; the message and details say what failed.
 */
function withoutStack(failure: ApplicationFailure): ApplicationFailure {
  failure.stack = `${failure.name}: ${failure.type ?? ''}`;
  return failure;
}
