import type { NodeState } from '../graph/model';
import { statusAfter, type ExecutionStatus, type RunError } from '@tandem/schema';
import type { ExecutionEvent } from './queries';

/** What the events say about one node. */
export interface StepInfo {
  nodeId: string;
  state: NodeState;
  type?: string;
  input?: unknown;
  output?: unknown;
  durationMs?: number;
  error?: { message?: string; cause?: { type?: string; message?: string } | null };
  startedAt?: string;
  finishedAt?: string;
  starts: number;
  retries: number;
  waitingFor?: string;
}

export interface RunState {
  status: ExecutionStatus | null;
  steps: Map<string, StepInfo>;
  result?: unknown;
  error?: RunError;
  finished: boolean;
  /** Signals nodes are waiting for now. */
  waiting: Array<{ nodeId: string; signal: string }>;
  loops: Map<string, { iteration: number; continuations: number }>;
}

export function emptyRunState(): RunState {
  return { status: null, steps: new Map(), finished: false, waiting: [], loops: new Map() };
}

/** Folds events (in sequence order) into the state of a run; pure, so the run view and tests share it. */
export function applyEvents(state: RunState, events: readonly ExecutionEvent[]): RunState {
  const steps = new Map(state.steps);
  const loops = new Map(state.loops);
  let { status, result, error, finished } = state;
  const step = (id: string): StepInfo => {
    const existing = steps.get(id);
    const copy: StepInfo = existing ? { ...existing } : { nodeId: id, state: 'pending', starts: 0, retries: 0 };
    steps.set(id, copy);
    return copy;
  };
  for (const event of events) {
    const data = event.data ?? {};
    status = statusAfter(status, event);
    const id = event.nodeId;
    switch (event.type) {
      case 'EXECUTION_STARTED':
        status ??= 'RUNNING'; // as the server's row starts
        break;
      case 'STEP_STARTED':
        if (id) {
          const s = step(id);
          s.state = 'running';
          s.type = typeof data.type === 'string' ? data.type : s.type;
          s.input = data.input;
          s.startedAt = event.at;
          s.starts += 1;
          delete s.waitingFor;
        }
        break;
      case 'STEP_WAITING':
        if (id) {
          const s = step(id);
          s.state = 'waiting';
          if (typeof data.signal === 'string') s.waitingFor = data.signal;
        }
        break;
      case 'STEP_RETRYING':
        if (id) {
          const s = step(id);
          s.state = 'running';
          s.retries += 1;
          s.error = data.error as StepInfo['error'];
        }
        break;
      case 'STEP_COMPLETED':
        if (id) {
          const s = step(id);
          s.state = 'succeeded';
          s.output = data.output;
          if (typeof data.durationMs === 'number') s.durationMs = data.durationMs;
          s.finishedAt = event.at;
          delete s.waitingFor;
          delete s.error;
        }
        break;
      case 'STEP_FAILED':
        if (id) {
          const s = step(id);
          s.state = 'failed';
          s.error = data.error as StepInfo['error'];
          if (typeof data.durationMs === 'number') s.durationMs = data.durationMs;
          s.finishedAt = event.at;
          delete s.waitingFor;
        }
        break;
      case 'STEP_SKIPPED':
        if (id) step(id).state = 'skipped';
        break;
      case 'CONTINUED_AS_NEW':
        if (id) {
          const previous = loops.get(id);
          loops.set(id, { iteration: typeof data.iteration === 'number' ? data.iteration : 0, continuations: (previous?.continuations ?? 0) + 1 });
        }
        break;
      case 'EXECUTION_COMPLETED':
        result = data.result;
        finished = true;
        break;
      case 'EXECUTION_FAILED':
        error = data.error as RunState['error'];
        finished = true;
        break;
      case 'EXECUTION_CANCELLED':
        finished = true;
        break;
    }
  }
  if (finished) {
    // Nothing runs or waits after the end.
    for (const [id, s] of steps)
      if (s.state === 'running' || s.state === 'waiting') steps.set(id, { ...s, state: status === 'CANCELLED' ? 'skipped' : s.state });
  }
  const waiting = [...steps.values()].filter((s) => s.state === 'waiting' && s.waitingFor).map((s) => ({ nodeId: s.nodeId, signal: s.waitingFor! }));
  return { status, steps, result, error, finished, waiting, loops };
}
