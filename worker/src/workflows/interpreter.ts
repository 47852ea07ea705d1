import { ApplicationFailure, CancellationScope, isCancellation } from '@temporalio/workflow';
import { boundedCopy, compilePlanFields, EVENT_VALUE_LIMIT, type CompiledNodeFields, type JsonValue, type PlanEdge, type PlanNode } from '@tandem/schema';
import { EventEmitter } from './emitter.js';
import { EXECUTORS } from './nodes/index.js';
import { StepError, type Scope, type StepContext } from './step.js';
import { STEP_FAILURE_TYPE, type InterpreterInput, type StepFailureDetails } from './types.js';

type EdgeState = 'pending' | 'active' | 'dead';

/**
 * Runs one plan. Scheduling is dead-path elimination: a node starts once every incoming
 * edge is decided, runs if at least one is active, and is skipped otherwise (its outgoing
 * edges die). Ready nodes run concurrently, so parallel branches overlap.
 */
export class PlanRun {
  private readonly nodes: Map<string, PlanNode>;
  private readonly edges = new Map<string, PlanEdge>();
  private readonly edgeState = new Map<string, EdgeState>();
  private readonly fields: Map<string, CompiledNodeFields>;
  private readonly scope: Scope;
  private readonly events: EventEmitter;
  private result: JsonValue = null;
  private inFlight = 0;
  private failure: unknown = undefined;
  private settled!: () => void;
  private readonly done = new Promise<void>((resolve) => (this.settled = resolve));

  constructor(private readonly args: InterpreterInput) {
    this.nodes = new Map(args.plan.nodes.map((n) => [n.id, n]));
    for (const node of args.plan.nodes) for (const edge of node.outgoing) this.edges.set(edge.id, edge);
    this.events = new EventEmitter(args.executionId);
    this.fields = compilePlanFields(args.plan);
    this.scope = {
      input: args.input,
      nodes: {},
      vars: {},
      params: args.plan.params,
      loop: null,
      execution: { id: args.executionId },
    };
  }

  async run(): Promise<JsonValue> {
    const trigger = this.chooseTrigger();
    this.events.emit('EXECUTION_STARTED', null, { input: boundedCopy(this.args.input, EVENT_VALUE_LIMIT), triggerNodeId: trigger.id });
    try {
      this.checkSupported();
      await CancellationScope.cancellable(async () => {
        for (const other of this.args.plan.triggers) if (other !== trigger.id) this.skip(other);
        this.start(trigger.id);
        await this.done;
        if (this.failure !== undefined) {
          // Stop sibling branches (timers, activities) before failing the run.
          CancellationScope.current().cancel();
          throw this.failure;
        }
      });
    } catch (error) {
      if (isCancellation(error)) {
        this.events.emit('EXECUTION_CANCELLED', null, {});
        throw error;
      }
      const failure = toRunFailure(error);
      this.events.emit('EXECUTION_FAILED', (failure.details?.[0] as StepFailureDetails | undefined)?.nodeId ?? null, {
        error: { message: failure.message, ...(failure.details?.[0] as StepFailureDetails | undefined) } as unknown as JsonValue,
      });
      throw failure;
    }
    this.events.emit('EXECUTION_COMPLETED', null, { result: boundedCopy(this.result, EVENT_VALUE_LIMIT) });
    return this.result;
  }

  private chooseTrigger(): PlanNode {
    const { plan, triggerNodeId } = this.args;
    const id = triggerNodeId ?? plan.triggers.find((t) => this.nodes.get(t)?.type === 'trigger.manual') ?? plan.triggers[0];
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
    this.inFlight++;
    void this.runNode(this.nodes.get(id)!).then(
      () => this.finishOne(),
      (error: unknown) => {
        this.failure ??= error;
        this.finishOne();
      },
    );
  }

  private finishOne(): void {
    this.inFlight--;
    if (this.inFlight === 0 || this.failure !== undefined) this.settled();
  }

  private async runNode(node: PlanNode): Promise<void> {
    if (this.failure !== undefined) return;
    const executor = EXECUTORS.get(node.type)!;
    const inputs = this.inputsOf(node);
    const startedAt = Date.now();
    this.events.emit('STEP_STARTED', node.id, { type: node.type, input: boundedCopy(inputs, EVENT_VALUE_LIMIT) });
    const fields = this.fields.get(node.id)!;
    const context: StepContext<never> = {
      node,
      config: node.config as never,
      fields,
      scope: this.scope,
      inputs,
      evaluate: (path) => fields.expression(path).evaluate(this.scope),
      render: (path) => fields.template(path).render(this.scope),
      setVariables: (values) => Object.assign(this.scope.vars, values),
      setResult: (value) => (this.result = value),
      retrying: (attempt, error, delayMs) =>
        this.events.emit('STEP_RETRYING', node.id, { attempt, error: { message: error.message, type: error.name }, delayMs }),
    };
    let result;
    try {
      result = await executor.execute(context);
    } catch (error) {
      if (isCancellation(error)) throw error;
      const failure = stepFailure(node, error);
      const details = failure.details?.[0] as StepFailureDetails;
      this.events.emit('STEP_FAILED', node.id, { error: { message: details.message, cause: details.cause }, durationMs: Date.now() - startedAt });
      throw failure;
    }
    this.scope.nodes[node.id] = result.output;
    this.events.emit('STEP_COMPLETED', node.id, {
      output: boundedCopy(result.output, EVENT_VALUE_LIMIT),
      durationMs: Date.now() - startedAt,
      ...(result.handles ? { handles: [...result.handles] } : {}),
    });
    const follow = result.handles ? new Set(result.handles) : null;
    this.decideOutgoing(node, (edge) => follow === null || (edge.handle !== null && follow.has(edge.handle)));
  }

  /** Marks a node skipped and kills its outgoing edges, which may skip or start what follows. */
  private skip(id: string): void {
    const node = this.nodes.get(id)!;
    this.events.emit('STEP_SKIPPED', id, {});
    this.decideOutgoing(node, () => false);
  }

  private decideOutgoing(node: PlanNode, isActive: (edge: PlanEdge) => boolean): void {
    const targets: string[] = [];
    for (const edge of node.outgoing) {
      if (edge.loopBack) continue;
      this.edgeState.set(edge.id, isActive(edge) ? 'active' : 'dead');
      if (!targets.includes(edge.target)) targets.push(edge.target);
    }
    for (const target of targets) {
      const next = this.nodes.get(target)!;
      const states = next.incoming.map((id) => this.edgeState.get(id) ?? 'pending');
      if (states.includes('pending')) continue;
      if (states.includes('active')) this.start(target);
      else this.skip(target);
    }
  }

  private inputsOf(node: PlanNode): Record<string, JsonValue> {
    const inputs: Record<string, JsonValue> = {};
    for (const id of node.incoming) {
      const edge = this.edges.get(id)!;
      if (this.edgeState.get(id) === 'active') inputs[edge.source] = this.scope.nodes[edge.source] ?? null;
    }
    if (node.trigger) inputs['input'] = this.scope.input;
    return inputs;
  }
}

/** A node's failure as the run's failure: names the node, keeps the cause. */
function stepFailure(node: PlanNode, error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure && error.type === STEP_FAILURE_TYPE) return error;
  const causeType = error instanceof StepError ? error.causeType : error instanceof Error ? error.name : 'Error';
  const causeMessage = error instanceof StepError ? error.causeMessage : error instanceof Error ? error.message : String(error);
  const message = error instanceof Error ? error.message : String(error);
  const details: StepFailureDetails = {
    nodeId: node.id,
    nodeType: node.type,
    message,
    cause: { type: causeType, message: causeMessage },
  };
  return ApplicationFailure.create({
    type: STEP_FAILURE_TYPE,
    message: `node "${node.id}" (${node.type}) failed: ${message}`,
    details: [details],
    nonRetryable: true,
  });
}

function toRunFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  return ApplicationFailure.create({ type: 'TandemInterpreterError', message: error instanceof Error ? error.message : String(error), nonRetryable: true });
}

