import { isTerminalEventType, RunStateFold, type WorkflowDefinition } from '@tandem/schema';
import type { ExecutionEvent } from '../lib/queries';

/**
 * What a run's events say about its loops and its Temporal runs: pure, so the run view and
 * the component tests share it. Events are in `sequence` order (one logical execution).
 */

/** One Temporal run of the execution: the events between two `CONTINUED_AS_NEW` seams. */
export interface TemporalRunSegment {
  /** 1 for the first Temporal run, 2 after the first continue-as-new, … */
  index: number;
  firstSequence: number;
  lastSequence: number;
  events: number;
  startedAt: string;
  endedAt: string;
  /** How this Temporal run ended: it continued as new, the execution ended, or it is the current one. */
  end: 'continued' | 'ended' | 'current';
  /** For `continued`: the loop that continued as new, and the iteration the next run starts at (0-based, so also the iterations done). */
  loopNodeId?: string;
  iteration?: number;
}

/** Builds the chain of Temporal runs event by event; `CONTINUED_AS_NEW` ends each but the last. */
export class TemporalRunsFold {
  private readonly segments: TemporalRunSegment[] = [];
  private current: TemporalRunSegment | null = null;

  push(event: ExecutionEvent): void {
    if (!this.current) {
      this.current = {
        index: this.segments.length + 1,
        firstSequence: event.sequence,
        lastSequence: event.sequence,
        events: 0,
        startedAt: event.at,
        endedAt: event.at,
        end: 'current',
      };
      this.segments.push(this.current);
    }
    const current = this.current;
    current.lastSequence = event.sequence;
    current.endedAt = event.at;
    current.events += 1;
    if (isTerminalEventType(event.type)) current.end = 'ended';
    if (event.type === 'CONTINUED_AS_NEW') {
      current.end = 'continued';
      if (event.nodeId) current.loopNodeId = event.nodeId;
      if (typeof event.data?.iteration === 'number') current.iteration = event.data.iteration;
      this.current = null;
    }
  }

  /** A copy: later pushes do not change it. */
  result(): TemporalRunSegment[] {
    return this.segments.map((segment) => ({ ...segment }));
  }
}

/** Splits the events into the chain of Temporal runs they came from. */
export function temporalRuns(events: readonly ExecutionEvent[]): TemporalRunSegment[] {
  const fold = new TemporalRunsFold();
  for (const event of events) fold.push(event);
  return fold.result();
}

/** Where a loop node stands. */
export interface LoopProgress {
  nodeId: string;
  name?: string;
  mode: 'forEach' | 'while';
  /** The iteration in progress, 1-based (0 before the first); the number of iterations done once `done`. */
  iteration: number;
  /** The number of iterations in all, when known: the list's length for forEach (see `loopTotals`), the final count once done. */
  total: number | null;
  maxIterations: number | null;
  done: boolean;
  failed: boolean;
  /** How many times this loop moved the execution to a new Temporal run. */
  continuations: number;
}

/** What expressions could see when a loop evaluated its list: the basis for "of n". */
export interface LoopScope {
  input: unknown;
  nodes: Record<string, unknown>;
  vars: Record<string, unknown>;
  params: Record<string, unknown>;
  /** A `set` node's output was shortened: `vars` may miss values. */
  varsIncomplete?: true;
}

export interface LoopFold {
  loops: LoopProgress[];
  /** For each forEach loop that started: the scope its list expression was evaluated in, at its latest fresh start. */
  scopes: Map<string, { expression: string; scope: LoopScope; startSequence: number }>;
}

interface LoopNodeInfo {
  id: string;
  name?: string;
  mode: 'forEach' | 'while';
  expression: string | null;
  maxIterations: number | null;
  /** Nodes a `body` edge of the loop leads to: each starts once per iteration. */
  bodyEntry: string | null;
}

function loopNodes(definition: WorkflowDefinition): LoopNodeInfo[] {
  return definition.nodes
    .filter((node) => node.type === 'loop')
    .map((node) => {
      const config = (node.config ?? {}) as Record<string, unknown>;
      const entry = definition.edges.find((edge) => edge.source === node.id && edge.sourceHandle === 'body');
      return {
        id: node.id,
        ...(node.name ? { name: node.name } : {}),
        mode: config.mode === 'while' ? 'while' : 'forEach',
        expression: typeof config.expression === 'string' ? config.expression : null,
        maxIterations: typeof config.maxIterations === 'number' ? config.maxIterations : null,
        bodyEntry: entry?.target ?? null,
      };
    });
}

function isTruncated(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { truncated?: unknown }).truncated === true && 'preview' in value;
}

type LoopState = LoopProgress & { resumeAt: number | null; started: boolean };

/**
 * Folds the events, one at a time, into each loop's progress. No event marks an iteration, so
 * an iteration is counted when the first node of the loop's body starts; after a
 * `CONTINUED_AS_NEW` the count goes on from the event's `iteration`.
 */
export class LoopProgressFold {
  private readonly infos: LoopNodeInfo[];
  private readonly byId: Map<string, LoopNodeInfo>;
  private readonly byEntry = new Map<string, LoopNodeInfo[]>();
  private readonly state = new Map<string, LoopState>();
  private readonly scopes: LoopFold['scopes'] = new Map();
  /** The run's state, for the scope a loop's list is evaluated in. */
  private readonly run = new RunStateFold();

  constructor(private readonly definition: WorkflowDefinition) {
    this.infos = loopNodes(definition);
    this.byId = new Map(this.infos.map((info) => [info.id, info]));
    for (const info of this.infos) if (info.bodyEntry) this.byEntry.set(info.bodyEntry, [...(this.byEntry.get(info.bodyEntry) ?? []), info]);
  }

  private loop(info: LoopNodeInfo): LoopState {
    let s = this.state.get(info.id);
    if (!s) {
      s = {
        nodeId: info.id,
        ...(info.name ? { name: info.name } : {}),
        mode: info.mode,
        iteration: 0,
        total: null,
        maxIterations: info.maxIterations,
        done: false,
        failed: false,
        continuations: 0,
        resumeAt: null,
        started: false,
      };
      this.state.set(info.id, s);
    }
    return s;
  }

  /** What the loop's list expression sees now: the run's scope (from the schema's run-state fold) and the workflow's params. */
  private scopeNow(): LoopScope {
    const { input, nodes, vars, varsIncomplete } = this.run.scope();
    return {
      input,
      nodes,
      vars: { ...vars },
      params: (this.definition.params ?? {}) as Record<string, unknown>,
      ...(varsIncomplete ? { varsIncomplete: true as const } : {}),
    };
  }

  push(event: ExecutionEvent): void {
    const data = event.data ?? {};
    const id = event.nodeId;
    this.run.apply(event);
    if (!id) return;
    const info = this.byId.get(id);
    switch (event.type) {
      case 'STEP_STARTED':
        if (info) {
          const s = this.loop(info);
          s.started = true;
          s.done = false;
          s.failed = false;
          if (s.resumeAt !== null) {
            // The same loop, going on in the next Temporal run.
            s.iteration = s.resumeAt;
            s.resumeAt = null;
          } else {
            // A fresh start (also: an inner loop starting again in the next outer iteration).
            s.iteration = 0;
            s.total = null;
            if (info.mode === 'forEach' && info.expression) {
              this.scopes.set(info.id, {
                expression: info.expression,
                scope: this.scopeNow(),
                startSequence: event.sequence,
              });
            }
          }
        }
        for (const entered of this.byEntry.get(id) ?? []) this.loop(entered).iteration += 1;
        break;
      case 'STEP_COMPLETED':
        if (info) {
          const s = this.loop(info);
          s.done = true;
          const output = data.output as { iterations?: unknown } | undefined;
          if (typeof output?.iterations === 'number') {
            s.iteration = output.iterations;
            s.total = output.iterations;
          }
        }
        break;
      case 'STEP_FAILED':
        if (info) this.loop(info).failed = true;
        break;
      case 'CONTINUED_AS_NEW':
        if (info) {
          const s = this.loop(info);
          s.continuations += 1;
          s.resumeAt = typeof data.iteration === 'number' ? data.iteration : s.iteration;
          s.iteration = s.resumeAt;
        }
        break;
    }
  }

  /** A copy: later pushes do not change it. */
  result(): LoopFold {
    const loops = this.infos.flatMap((info) => {
      const s = this.state.get(info.id);
      if (!s?.started) return [];
      const { resumeAt: _resumeAt, started: _started, ...progress } = s;
      return [progress];
    });
    return { loops, scopes: new Map(this.scopes) };
  }
}

/** Each loop's progress after these events. */
export function loopProgress(definition: WorkflowDefinition, events: readonly ExecutionEvent[]): LoopFold {
  const fold = new LoopProgressFold(definition);
  for (const event of events) fold.push(event);
  return fold.result();
}

/** Whether a scope holds a value the server shortened: evaluating over it would not give the run's answer. */
export function scopeIsComplete(scope: LoopScope): boolean {
  if (scope.varsIncomplete || isTruncated(scope.input)) return false;
  for (const value of Object.values(scope.nodes)) if (isTruncated(value)) return false;
  for (const value of Object.values(scope.vars)) if (isTruncated(value)) return false;
  return true;
}

/** "iteration 3 of 10", "iteration 3 (at most 1,000)", "10 iterations, done". */
export function describeLoop(progress: LoopProgress): string {
  const n = (value: number) => value.toLocaleString('en');
  if (progress.done) return `${n(progress.iteration)} iteration${progress.iteration === 1 ? '' : 's'}, done`;
  if (progress.iteration === 0) return progress.total !== null ? `starting, ${n(progress.total)} iterations to go` : 'starting';
  if (progress.total !== null) return `iteration ${n(progress.iteration)} of ${n(progress.total)}`;
  if (progress.maxIterations !== null) return `iteration ${n(progress.iteration)} (at most ${n(progress.maxIterations)})`;
  return `iteration ${n(progress.iteration)}`;
}
