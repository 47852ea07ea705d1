import { statusAfter, type ExecutionStatus, type RunError } from '../execution-status.js';
import { isTruncatedValue } from '../json.js';

/**
 * The state of a run at any of its events: one pure, incremental fold of the run's events,
 * shared by the server and the client (the live run view and the replay viewer). Events are
 * applied in `sequence` order; `RunStateFold` applies them one at a time and `RunReplay`
 * keeps checkpoints so that the state at any sequence of a long run is quick to get.
 */

/** What a run's events need to carry for the fold: an `EmittedEvent`, a stored or a GraphQL event. */
export interface ReplayEvent {
  sequence: number;
  type: string;
  nodeId: string | null;
  /** ISO time. */
  at: string;
  data?: { readonly [key: string]: unknown } | null;
}

/** Where a node stands; the run view's node states. */
export type NodeStatus = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped';

/**
 * A step's error as events carry it: `STEP_FAILED` has `{ message, cause }` (the cause
 * `{ type, message }`, or null), `STEP_RETRYING` has `{ message, type }`.
 */
export interface StepError {
  message?: string;
  type?: string;
  cause?: StepError | null;
}

/** One failed attempt of a step that was retried (`STEP_RETRYING`). */
export interface StepAttempt {
  /** The attempt that failed, 1-based. */
  attempt: number;
  at: string;
  sequence: number;
  error: StepError;
  delayMs?: number;
}

/**
 * One run of a node: from its `STEP_STARTED` (or `STEP_SKIPPED`) to its end. A node in a loop
 * body runs once per iteration, so it has one `StepRun` per iteration (no event marks an
 * iteration: `index` counts the node's runs). A loop node that starts again after a
 * `CONTINUED_AS_NEW` goes on in the same run.
 */
export interface StepRun {
  /** 0 for the node's first run, 1 for its second (a loop body's second iteration), … */
  index: number;
  status: NodeStatus;
  input?: unknown;
  output?: unknown;
  error?: StepError;
  /** The branches a branching node followed (`STEP_COMPLETED.handles`). */
  handles?: string[];
  startedAt?: string;
  finishedAt?: string;
  startSequence: number;
  endSequence?: number;
  durationMs?: number;
  /** Failed attempts before this one's end, in order. */
  attempts: readonly StepAttempt[];
  /** The signal a waiting `wait.signal` waits for. */
  waitingFor?: string;
}

/** A node's state: its latest run's fields, plus all its runs. */
export interface NodeRunState {
  nodeId: string;
  /** The node type, from `STEP_STARTED.type`. */
  type?: string;
  status: NodeStatus;
  input?: unknown;
  output?: unknown;
  error?: StepError;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** `STEP_STARTED` events for the node (a loop node: one more after each continue-as-new). */
  starts: number;
  /** `STEP_RETRYING` events for the node, over all its runs. */
  retries: number;
  waitingFor?: string;
  /** A loop that continued as new and has not started again in the new Temporal run yet: its next `STEP_STARTED` goes on with the same run. */
  continuing?: true;
  runs: readonly StepRun[];
}

export interface RunState {
  /** Sequence of the last event applied; 0 before any. */
  sequence: number;
  /** Events applied. */
  events: number;
  /** By `statusAfter`; `RUNNING` from `EXECUTION_STARTED` on. */
  status: ExecutionStatus | null;
  startedAt?: string;
  finishedAt?: string;
  input?: unknown;
  result?: unknown;
  error?: RunError;
  finished: boolean;
  paused: boolean;
  /** Nodes waiting for a signal now, in the order they first appeared. */
  waiting: ReadonlyArray<{ nodeId: string; signal: string }>;
  /**
   * The run's variables as `set` nodes left them (from their outputs: no event carries `vars`).
   * Values are the events' bounded copies.
   */
  vars: Readonly<Record<string, unknown>>;
  /** True when a `set` node's output was cut (too large for an event): `vars` may miss values. */
  varsIncomplete: boolean;
  /** Every node that has an event, in the order of its first event. */
  steps: ReadonlyMap<string, NodeRunState>;
  /** Loops that continued as new: the next iteration and how many times. */
  loops: ReadonlyMap<string, { iteration: number; continuations: number }>;
}

/**
 * What a run's expressions could read at a moment, as far as its events tell: the run's input,
 * each node's output from its latest run that succeeded (`nodes.<id>`), and `vars`.
 */
export interface RunScope {
  input: unknown;
  nodes: Record<string, unknown>;
  vars: Readonly<Record<string, unknown>>;
  /** A `set` node's output was cut: `vars` may miss values. */
  varsIncomplete: boolean;
}

/** The scope of a state (see `RunScope`). */
export function scopeOf(state: RunState): RunScope {
  return scopeFrom(state, state.steps);
}

function scopeFrom(head: Pick<RunState, 'input' | 'vars' | 'varsIncomplete'>, steps: ReadonlyMap<string, { runs: readonly StepRun[] }>): RunScope {
  const nodes: Record<string, unknown> = {};
  for (const [id, { runs }] of steps) {
    for (let i = runs.length - 1; i >= 0; i--)
      if (runs[i]!.status === 'succeeded') {
        nodes[id] = runs[i]!.output ?? null;
        break;
      }
  }
  return { input: head.input ?? null, nodes, vars: head.vars, varsIncomplete: head.varsIncomplete };
}

/** An error and its causes, outermost first (a `STEP_FAILED` error, then its `cause`, …). */
export function causeChain(error: StepError | RunError | null | undefined): StepError[] {
  const chain: StepError[] = [];
  let current = error as StepError | null | undefined;
  while (current && typeof current === 'object' && chain.length < 32) {
    chain.push(current);
    current = current.cause;
  }
  return chain;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type RunHead = Omit<RunState, 'steps' | 'loops' | 'waiting'>;

/** The fields of a node that are its latest run's. */
const MIRRORED = ['status', 'input', 'output', 'error', 'startedAt', 'finishedAt', 'durationMs', 'waitingFor'] as const;

/** Mutable while folding; `snapshot` copies what later events may change. */
interface NodeEntry extends Omit<NodeRunState, 'runs'> {
  runs: StepRun[];
}

/**
 * Applies a run's events one at a time. `StepRun` objects are never changed once a snapshot may
 * hold them (they are replaced), so a snapshot shares them with the fold.
 */
export class RunStateFold {
  /** The run's own fields (everything but its nodes, loops and waits); replaced, never changed, once a snapshot holds it. */
  private head: RunHead = { sequence: 0, events: 0, status: null, finished: false, paused: false, vars: {}, varsIncomplete: false };
  private readonly nodes = new Map<string, NodeEntry>();
  private readonly loops = new Map<string, { iteration: number; continuations: number }>();

  /** A fold that goes on from a state (a checkpoint, or a state the live view has). */
  static from(state: RunState): RunStateFold {
    const fold = new RunStateFold();
    const { steps, loops, waiting: _waiting, ...head } = state;
    fold.head = head;
    for (const [id, node] of steps) fold.nodes.set(id, { ...node, runs: [...node.runs] });
    for (const [id, loop] of loops) fold.loops.set(id, { ...loop });
    return fold;
  }

  private node(id: string): NodeEntry {
    let node = this.nodes.get(id);
    if (!node) {
      node = { nodeId: id, status: 'pending', starts: 0, retries: 0, runs: [] };
      this.nodes.set(id, node);
    }
    return node;
  }

  /** Replaces the node's current run with a changed copy and mirrors it on the node. */
  private update(node: NodeEntry, change: (run: StepRun) => StepRun): void {
    const last = node.runs.length - 1;
    if (last < 0) return;
    const run = change(node.runs[last]!);
    node.runs[last] = run;
    for (const key of MIRRORED) {
      if (run[key] === undefined) delete node[key];
      else (node as unknown as Record<string, unknown>)[key] = run[key];
    }
  }

  /** Starts a new run of the node (or, for `STEP_STARTED` of a node without runs: the first). */
  private begin(node: NodeEntry, event: ReplayEvent, status: NodeStatus): StepRun {
    const run: StepRun = { index: node.runs.length, status, startSequence: event.sequence, attempts: [] };
    node.runs.push(run);
    return run;
  }

  apply(event: ReplayEvent): this {
    const data = event.data ?? {};
    // A fresh head per event: a snapshot may hold the previous one.
    const head: RunHead = (this.head = { ...this.head, sequence: event.sequence, events: this.head.events + 1, status: statusAfter(this.head.status, event) });
    const id = event.nodeId;
    const duration = typeof data.durationMs === 'number' ? { durationMs: data.durationMs } : {};
    switch (event.type) {
      case 'EXECUTION_STARTED':
        head.status ??= 'RUNNING'; // as the server's row starts
        head.startedAt = event.at;
        if (data.input !== undefined) head.input = data.input;
        break;
      case 'STEP_STARTED':
        if (id) {
          const node = this.node(id);
          node.starts += 1;
          if (typeof data.type === 'string') node.type = data.type;
          if (node.continuing && node.runs.length > 0)
            delete node.continuing; // the same loop, going on in the next Temporal run
          else this.begin(node, event, 'running');
          this.update(node, ({ waitingFor: _waiting, ...run }) => ({ ...run, status: 'running', input: data.input, startedAt: run.startedAt ?? event.at }));
        }
        break;
      case 'STEP_WAITING':
        if (id) {
          const node = this.node(id);
          if (node.runs.length === 0) this.begin(node, event, 'waiting');
          this.update(node, (run) => ({ ...run, status: 'waiting', ...(typeof data.signal === 'string' ? { waitingFor: data.signal } : {}) }));
        }
        break;
      case 'STEP_RETRYING':
        if (id) {
          const node = this.node(id);
          node.retries += 1;
          if (node.runs.length === 0) this.begin(node, event, 'running');
          const error = (data.error ?? {}) as StepError;
          const attempt: StepAttempt = {
            attempt: typeof data.attempt === 'number' ? data.attempt : node.runs[node.runs.length - 1]!.attempts.length + 1,
            at: event.at,
            sequence: event.sequence,
            error,
            ...(typeof data.delayMs === 'number' ? { delayMs: data.delayMs } : {}),
          };
          this.update(node, (run) => ({ ...run, status: 'running', error, attempts: [...run.attempts, attempt] }));
        }
        break;
      case 'STEP_COMPLETED':
        if (id) {
          const node = this.node(id);
          if (node.runs.length === 0) this.begin(node, event, 'running');
          this.update(node, ({ waitingFor: _waiting, error: _error, ...run }) => ({
            ...run,
            status: 'succeeded',
            output: data.output,
            ...(Array.isArray(data.handles) ? { handles: data.handles.filter((h): h is string => typeof h === 'string') } : {}),
            ...duration,
            finishedAt: event.at,
            endSequence: event.sequence,
          }));
          if (node.type === 'set') {
            if (isRecord(data.output) && !isTruncatedValue(data.output)) head.vars = { ...head.vars, ...data.output };
            else if (isTruncatedValue(data.output)) head.varsIncomplete = true;
          }
        }
        break;
      case 'STEP_FAILED':
        if (id) {
          const node = this.node(id);
          if (node.runs.length === 0) this.begin(node, event, 'running');
          this.update(node, ({ waitingFor: _waiting, ...run }) => ({
            ...run,
            status: 'failed',
            error: data.error as StepError,
            ...duration,
            finishedAt: event.at,
            endSequence: event.sequence,
          }));
        }
        break;
      case 'STEP_SKIPPED':
        if (id) {
          const node = this.node(id);
          this.begin(node, event, 'skipped');
          this.update(node, (run) => ({ ...run, endSequence: event.sequence }));
        }
        break;
      case 'CONTINUED_AS_NEW':
        if (id) {
          const previous = this.loops.get(id);
          this.loops.set(id, { iteration: typeof data.iteration === 'number' ? data.iteration : 0, continuations: (previous?.continuations ?? 0) + 1 });
          this.node(id).continuing = true;
        }
        break;
      case 'EXECUTION_PAUSED':
        head.paused = true;
        break;
      case 'EXECUTION_RESUMED':
        head.paused = false;
        break;
      case 'EXECUTION_COMPLETED':
        if (data.result !== undefined) head.result = data.result;
        this.end(head, event);
        break;
      case 'EXECUTION_FAILED':
        if (data.error !== undefined) head.error = data.error as RunError;
        this.end(head, event);
        break;
      case 'EXECUTION_CANCELLED':
        this.end(head, event);
        break;
    }
    return this;
  }

  applyAll(events: Iterable<ReplayEvent>): this {
    for (const event of events) this.apply(event);
    return this;
  }

  private end(head: RunHead, event: ReplayEvent): void {
    head.finished = true;
    head.paused = false;
    head.finishedAt = event.at;
    // Nothing runs or waits after the end: a cancelled run's steps in flight count as skipped.
    if (head.status === 'CANCELLED')
      for (const node of this.nodes.values())
        if (node.status === 'running' || node.status === 'waiting') this.update(node, ({ waitingFor: _waiting, ...run }) => ({ ...run, status: 'skipped' }));
  }

  /** The scope now, without a snapshot of every node's runs (see `RunScope`). */
  scope(): RunScope {
    return scopeFrom(this.head, this.nodes);
  }

  /** The state now; later `apply` calls do not change it. */
  snapshot(): RunState {
    const steps = new Map<string, NodeRunState>();
    const waiting: Array<{ nodeId: string; signal: string }> = [];
    for (const [id, { runs, ...node }] of this.nodes) {
      steps.set(id, { ...node, runs: runs.slice() });
      if (node.status === 'waiting' && node.waitingFor !== undefined) waiting.push({ nodeId: id, signal: node.waitingFor });
    }
    const loops = new Map<string, { iteration: number; continuations: number }>();
    for (const [id, loop] of this.loops) loops.set(id, { ...loop });
    const state: RunState = { ...this.head, waiting, steps, loops };
    return state;
  }
}

/** The state before any event. */
export function emptyRunState(): RunState {
  return new RunStateFold().snapshot();
}

/** The state after every event with `sequence` at most `sequence` (all events when omitted), folded from scratch. */
export function stateAt(events: readonly ReplayEvent[], sequence = Infinity): RunState {
  const fold = new RunStateFold();
  for (const event of events) {
    if (event.sequence > sequence) break;
    fold.apply(event);
  }
  return fold.snapshot();
}
