import {
  compilePlanFields,
  httpRequest as httpRequestType,
  manualTrigger,
  secretNamesOfPlan,
  secretPlaceholderPattern,
  secretPlaceholders,
  type CompiledNodeFields,
  type ConfigOf,
  type ExecutionPlan,
  type JsonValue,
  type PlanEdge,
  type PlanNode,
  type WorkMeter,
} from '@tandem/schema';
import { decideOutgoing, stepInputs, type DecidedEdge } from '../workflows/edges.js';
import { EXECUTORS } from '../workflows/nodes/index.js';
import { httpRequestOf } from '../workflows/nodes/http-request.js';
import { evaluateInIteration, StepError, type LoopIteration, type NodeExecutor, type Scope, type StepContext, type StepResult } from '../workflows/step.js';
import type { RecordedRun, RecordedStep } from './recorded.js';

/** Something the dry run did not do, or took from the recorded run instead of doing it. */
export interface DryRunNote {
  nodeId: string;
  /** WOULD_*: the step has an effect the dry run does not perform, so what follows it is unknown; RECORDED: its recorded outcome was used. */
  kind: 'WOULD_CALL' | 'WOULD_WAIT' | 'WOULD_RUN' | 'RECORDED';
  message: string;
}

export interface DryRunOptions {
  plan: ExecutionPlan;
  recorded: RecordedRun;
  /** Nodes whose type or config differ from the version the run was recorded with, or that it did not have. */
  changed: ReadonlySet<string>;
  /** Steps after which the dry run stops (a loop's body counts once per iteration). */
  maxSteps: number;
  /** Date.now() after which the dry run stops. */
  deadline: number;
}

/**
 * COMPLETED / FAILED: what the run would do. UNKNOWN: an `output` or `fail` node lies behind an
 * effect the dry run does not perform. STOPPED: the step or time budget ran out first.
 */
export type DryRunStatus = 'COMPLETED' | 'FAILED' | 'UNKNOWN' | 'STOPPED';

export interface DryRunOutcome {
  status: DryRunStatus;
  /** The run's result (its output nodes' values) when COMPLETED. */
  result: JsonValue;
  /** When FAILED: the node (null when the run could not start) and its error. */
  failure: { nodeId: string | null; message: string } | null;
  /** When STOPPED: which budget ran out. */
  stoppedBecause: string | null;
  notes: DryRunNote[];
  /** Nodes whose outcome depends on an effect the dry run did not perform. */
  unknownNodes: string[];
  steps: number;
}

/** Thrown by a step whose outcome needs an effect the dry run does not perform. */
class Unknowable extends Error {
  constructor(readonly note: DryRunNote | null) {
    super(note?.message ?? 'unknown');
  }
}

class Stopped extends Error {}

class StepFailed extends Error {
  constructor(
    readonly nodeId: string | null,
    message: string,
  ) {
    super(message);
  }
}

/** Steps between two turns of the event loop, so a long dry run does not hold the process. */
const STEPS_PER_TURN = 200;
/** The nonce of the dry run's `secrets.NAME` placeholders; shown back as `{{secrets.NAME}}`. */
const DRY_RUN_NONCE = 'tandem-dry-run';

/** Runs a plan on a recorded run's input without any external effect; see `DryRun`. */
export function dryRunPlan(options: DryRunOptions): Promise<DryRunOutcome> {
  return new DryRun(options).run();
}

/**
 * A run of a plan in which nothing leaves the process: every node runs on the worker's own
 * executors (`EXECUTORS`: expressions, transforms, conditions, switches, loops, variables), through a
 * step context whose effects come from the recorded run. An unchanged `http.request` returns its
 * recorded response, a changed one is reported as "would call"; an unchanged `wait.signal` takes
 * its recorded outcome, a changed one "would wait"; timers do not wait. A step that cannot be
 * known makes everything downstream of it unknown. Scheduling follows the interpreter (`PlanRun`):
 * a node starts once its incoming edges are decided, runs if one is active, is skipped if all are
 * dead; here one node at a time, which gives the same outputs for graphs whose branches do not
 * race on variables.
 */
class DryRun {
  private readonly nodes: Map<string, PlanNode>;
  private readonly edges = new Map<string, PlanEdge>();
  private readonly edgeState = new Map<string, DecidedEdge>();
  private readonly fields: Map<string, CompiledNodeFields>;
  private readonly scope: Scope;
  private readonly executors: ReadonlyMap<string, NodeExecutor<never>>;
  private readonly top: string[] = [];
  /** The queue of each loop body being run, by loop node id. */
  private readonly bodies = new Map<string, string[]>();
  private readonly loopOf = new Map<string, string>();
  /** How many recorded steps of each node the dry run has used. */
  private readonly used = new Map<string, number>();
  private readonly notes: DryRunNote[] = [];
  private readonly unknown = new Set<string>();
  private readonly work: WorkMeter = { work: 0 };
  private result: JsonValue = null;
  private steps = 0;

  constructor(private readonly options: DryRunOptions) {
    const { plan } = options;
    this.nodes = new Map(plan.nodes.map((n) => [n.id, n]));
    for (const node of plan.nodes) for (const edge of node.outgoing) this.edges.set(edge.id, edge);
    this.fields = compilePlanFields(plan);
    const loops = plan.nodes.filter((n) => n.loop).sort((a, b) => b.loop!.body.length - a.loop!.body.length);
    for (const loopNode of loops) for (const id of loopNode.loop!.body) this.loopOf.set(id, loopNode.id);
    this.scope = {
      input: options.recorded.input,
      nodes: {},
      vars: {},
      params: plan.params,
      loop: null,
      execution: { id: 'dry-run' },
      secrets: secretPlaceholders(secretNamesOfPlan(plan), DRY_RUN_NONCE),
    };
    const http: NodeExecutor<ConfigOf<typeof httpRequestType>> = {
      execute: async (context) => {
        const request = await httpRequestOf(context);
        const url = request.url.replace(secretPlaceholderPattern(DRY_RUN_NONCE), '{{secrets.$1}}');
        return this.recorded(context.node, 'WOULD_CALL', `would call ${request.method} ${url}`, `used the recorded response of ${request.method} ${url}`);
      },
    };
    this.executors = new Map([...EXECUTORS, [httpRequestType.type, http as NodeExecutor<never>]]);
  }

  async run(): Promise<DryRunOutcome> {
    try {
      const trigger = this.chooseTrigger();
      for (const other of this.options.plan.triggers) if (other !== trigger.id) this.skip(other);
      this.start(trigger.id);
      await this.drain(this.top);
    } catch (error) {
      if (error instanceof Stopped) return this.outcome('STOPPED', { stoppedBecause: error.message });
      if (error instanceof StepFailed) return this.outcome('FAILED', { failure: { nodeId: error.nodeId, message: error.message } });
      throw error;
    }
    const decisive = [...this.unknown].some((id) => {
      const type = this.nodes.get(id)!.type;
      return type === 'output' || type === 'fail';
    });
    return this.outcome(decisive ? 'UNKNOWN' : 'COMPLETED', {});
  }

  private outcome(status: DryRunStatus, extra: Partial<DryRunOutcome>): DryRunOutcome {
    return {
      status,
      result: status === 'COMPLETED' ? this.result : null,
      failure: null,
      stoppedBecause: null,
      notes: this.notes,
      unknownNodes: [...this.unknown],
      steps: this.steps,
      ...extra,
    };
  }

  private chooseTrigger(): PlanNode {
    const { plan, recorded } = this.options;
    const id = recorded.triggerNodeId ?? plan.triggers.find((t) => this.nodes.get(t)?.type === manualTrigger.type) ?? plan.triggers[0];
    const node = id === undefined ? undefined : this.nodes.get(id);
    if (!node?.trigger) throw new StepFailed(null, id ? `the run started at trigger "${id}", which this version does not have` : 'the workflow has no trigger');
    return node;
  }

  private start(id: string): void {
    const loopId = this.loopOf.get(id);
    ((loopId === undefined ? undefined : this.bodies.get(loopId)) ?? this.top).push(id);
  }

  private async drain(queue: string[]): Promise<void> {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) await this.runNode(this.nodes.get(id)!);
  }

  private async runNode(node: PlanNode): Promise<void> {
    this.steps++;
    if (this.steps > this.options.maxSteps) throw new Stopped(`more than ${this.options.maxSteps} steps`);
    if (Date.now() > this.options.deadline) throw new Stopped('the time budget ran out');
    if (this.steps % STEPS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    const executor = this.executors.get(node.type);
    if (!executor) throw new StepFailed(node.id, `node type "${node.type}" is not supported by this worker version`);
    let result: StepResult;
    try {
      result = await executor.execute(this.contextOf(node));
    } catch (error) {
      if (error instanceof Unknowable) {
        if (error.note) this.notes.push(error.note);
        this.markUnknown(node);
        return;
      }
      if (error instanceof Stopped || error instanceof StepFailed) throw error;
      throw new StepFailed(node.id, error instanceof Error ? error.message : String(error));
    }
    this.scope.nodes[node.id] = result.output;
    const follow = result.handles ? new Set(result.handles) : null;
    this.decideOutgoing(node, (edge) => (follow === null || (edge.handle !== null && follow.has(edge.handle)) ? 'active' : 'dead'));
  }

  private contextOf(node: PlanNode): StepContext<never> {
    const fields = this.fields.get(node.id)!;
    return {
      node,
      config: node.config as never,
      fields,
      scope: this.scope,
      secrets: { ownerId: null, nonce: DRY_RUN_NONCE },
      inputs: stepInputs(node, this.edges, this.edgeState, this.scope.nodes, this.scope.input),
      evaluate: (path) => fields.expression(path).evaluate(this.scope, this.work),
      render: (path) => fields.template(path).render(this.scope, this.work),
      setVariables: (values) => Object.assign(this.scope.vars, values),
      setResult: (value) => (this.result = value),
      // A dry run does not wait for timers, and never retries: recorded steps are final.
      sleep: async () => {},
      // Nothing is sent in a dry run: there is no exchange to keep.
      recordHttp: () => {},
      retrying: () => {},
      waitForSignal: (name) => this.recordedSignal(node, name),
      runLoopBody: (iteration) => this.runLoopBody(node, iteration),
      evaluateInLoop: (path, iteration) => evaluateInIteration(fields, path, this.scope, this.work, iteration),
      continueAsNew: async () => false,
      continueAsNewSuggested: () => false,
      runSubworkflow: (workflowId, version) =>
        this.recorded(node, 'WOULD_RUN', `would run workflow ${workflowId} (version ${version})`, `used the recorded result of workflow ${workflowId}`).then(
          (step) => step.output,
        ),
      resumeIndex: 0,
    };
  }

  /** The next recorded step of an unchanged node; null for a changed node or one the recorded run did not reach as often. */
  private nextRecorded(node: PlanNode): RecordedStep | null {
    if (this.options.changed.has(node.id)) return null;
    const index = this.used.get(node.id) ?? 0;
    this.used.set(node.id, index + 1);
    return this.options.recorded.steps.get(node.id)?.[index] ?? null;
  }

  /** An effect's outcome from the recorded run (its failure fails the step the same way), or unknowable. */
  private async recorded(node: PlanNode, kind: DryRunNote['kind'], would: string, used: string): Promise<StepResult> {
    const step = this.nextRecorded(node);
    if (!step) throw new Unknowable({ nodeId: node.id, kind, message: would });
    if (step.outcome === 'truncated') throw new Unknowable({ nodeId: node.id, kind, message: `${would} (the recorded output is too large to reuse)` });
    this.notes.push({ nodeId: node.id, kind: 'RECORDED', message: used });
    if (step.outcome === 'failed') throw new StepError(step.message, step.causeType, step.message);
    return { output: step.output };
  }

  /** A wait.signal's recorded outcome: the payload it received, or its timeout. */
  private async recordedSignal(node: PlanNode, name: string): Promise<{ timedOut: false; payload: JsonValue } | { timedOut: true }> {
    const step = this.nextRecorded(node);
    if (!step || step.outcome === 'truncated') throw new Unknowable({ nodeId: node.id, kind: 'WOULD_WAIT', message: `would wait for signal "${name}"` });
    this.notes.push({ nodeId: node.id, kind: 'RECORDED', message: `used the recorded outcome of waiting for signal "${name}"` });
    if (step.outcome === 'failed' || step.handles?.includes('timeout')) return { timedOut: true };
    return { timedOut: false, payload: step.output };
  }

  /** A loop body's iteration: its nodes start afresh with `loop` set; a body step that cannot be known makes the loop unknown. */
  private async runLoopBody(loopNode: PlanNode, iteration: LoopIteration): Promise<void> {
    const body = loopNode.loop!.body;
    for (const id of body) {
      delete this.scope.nodes[id];
      for (const edge of this.nodes.get(id)!.outgoing) this.edgeState.delete(edge.id);
    }
    const queue: string[] = [];
    this.bodies.set(loopNode.id, queue);
    const outer = this.scope.loop;
    this.scope.loop = iteration;
    try {
      this.decideOutgoing(
        loopNode,
        (edge) => (edge.handle === 'body' ? 'active' : 'dead'),
        (edge) => edge.handle === 'body',
      );
      await this.drain(queue);
    } finally {
      this.scope.loop = outer;
      this.bodies.delete(loopNode.id);
    }
    if (body.some((id) => this.unknown.has(id))) throw new Unknowable(null);
  }

  private skip(id: string): void {
    this.decideOutgoing(this.nodes.get(id)!, () => 'dead');
  }

  /** A node that cannot be known: so is every node it leads to. */
  private markUnknown(node: PlanNode): void {
    this.unknown.add(node.id);
    this.decideOutgoing(
      node,
      () => 'unknown',
      () => true,
    );
  }

  /** Decides the edges `include` selects and starts, skips or marks unknown the targets now decided. */
  private decideOutgoing(
    node: PlanNode,
    stateOf: (edge: PlanEdge) => DecidedEdge,
    include: (edge: PlanEdge) => boolean = (edge) => !(node.loop && edge.handle === 'body'),
  ): void {
    for (const { target, state } of decideOutgoing(node, this.nodes, this.edgeState, stateOf, include)) {
      if (state === 'unknown') {
        if (!this.unknown.has(target.id)) this.markUnknown(target);
      } else if (state === 'active') this.start(target.id);
      else this.skip(target.id);
    }
  }
}
