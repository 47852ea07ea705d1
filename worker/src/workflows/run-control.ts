// Workflow code: runs in Temporal's deterministic sandbox (no I/O, no node:* imports).
import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';
import { boundedCopy, EVENT_VALUE_LIMIT, type JsonValue, type LiveStatus } from '@tandem/schema';
import type { EventEmitter } from './emitter.js';
import { INTERPRETER_QUERIES, INTERPRETER_SIGNALS, type CustomSignal, type LiveState, type ResumeState } from './types.js';

const customSignal = defineSignal<[CustomSignal]>(INTERPRETER_SIGNALS.custom);
const pauseSignal = defineSignal(INTERPRETER_SIGNALS.pause);
const resumeSignal = defineSignal(INTERPRETER_SIGNALS.resume);
const stateQuery = defineQuery<LiveState>(INTERPRETER_QUERIES.state);

/** What run control reads of the run it belongs to. */
export interface ControlledRun {
  /** A loop node runs while its body does, so it does not count as a step doing work. */
  isLoop(nodeId: string): boolean;
  /** The run's variables, as the state query shows them. */
  vars(): Record<string, JsonValue>;
}

/** What run control carries across continue-as-new (the rest of `ResumeState` is the scheduler's). */
export type ControlState = Pick<ResumeState, 'completed' | 'inbox' | 'paused'>;

/**
 * A run's control, apart from edge scheduling (`PlanRun`): the signal inbox, pause and resume,
 * which steps are running, waiting and done, the logical status they add up to, and the live
 * state query. The scheduler reports each step's start and end and asks before starting one.
 */
export class RunControl {
  /** Signals received and not yet taken, by name, in arrival order. */
  private readonly inbox = new Map<string, JsonValue[]>();
  private readonly running = new Set<string>();
  private readonly completed = new Set<string>();
  /** The signal each waiting node waits for, by node id. */
  private readonly waiting = new Map<string, string>();
  private paused = false;
  private reportedStatus: LiveStatus = 'RUNNING';

  constructor(
    private readonly events: EventEmitter,
    private readonly run: ControlledRun,
  ) {}

  /** Sets the signal and query handlers. Call before the workflow's first await, so no signal sent at start is missed. */
  listen(): void {
    setHandler(customSignal, (signal) => this.receive(signal));
    setHandler(pauseSignal, () => this.setPaused(true));
    setHandler(resumeSignal, () => this.setPaused(false));
    setHandler(stateQuery, () => this.liveState());
  }

  /** Takes over what the previous Temporal run of this execution carried across continue-as-new. */
  restore(state: ControlState): void {
    for (const id of state.completed) this.completed.add(id);
    for (const [name, queue] of state.inbox) this.inbox.set(name, queue);
    this.paused = state.paused;
    this.reportedStatus = this.currentStatus();
  }

  /** What to carry across continue-as-new. */
  carried(): ControlState {
    return { completed: [...this.completed], inbox: [...this.inbox], paused: this.paused };
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Resolves once the run is not paused: while paused no step starts; steps already running finish. */
  async untilResumed(): Promise<void> {
    if (this.paused) await condition(() => !this.paused);
  }

  stepStarted(nodeId: string): void {
    this.running.add(nodeId);
  }

  stepFailed(nodeId: string): void {
    this.running.delete(nodeId);
  }

  stepCompleted(nodeId: string): void {
    this.running.delete(nodeId);
    this.completed.add(nodeId);
  }

  hasCompleted(nodeId: string): boolean {
    return this.completed.has(nodeId);
  }

  /** Whether a node waits for a signal (a waiting run cannot continue as new: the wait is not carried over). */
  get anyWaiting(): boolean {
    return this.waiting.size > 0;
  }

  /** `{ status }` when the logical status changed since last reported, for the event that changed it. */
  statusChange(): { status?: LiveStatus } {
    const status = this.currentStatus();
    if (status === this.reportedStatus) return {};
    this.reportedStatus = status;
    return { status };
  }

  /**
   * Takes the next `name` signal for a node, waiting for it if none is in the inbox (the run is
   * WAITING meanwhile); `timedOut` after `timeoutMs`.
   */
  async waitForSignal(nodeId: string, name: string, timeoutMs?: number): Promise<{ timedOut: false; payload: JsonValue } | { timedOut: true }> {
    const has = () => (this.inbox.get(name)?.length ?? 0) > 0;
    if (!has()) {
      this.waiting.set(nodeId, name);
      this.events.emit('STEP_WAITING', nodeId, { signal: name, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...this.statusChange() });
      const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
      try {
        // Several nodes may wait for the same name: one signal releases one of them, so re-check after waking.
        while (!has()) {
          if (deadline === undefined) await condition(has);
          else if (!(await condition(has, Math.max(deadline - Date.now(), 1)))) return { timedOut: true as const };
        }
      } finally {
        this.waiting.delete(nodeId);
      }
    }
    return { timedOut: false as const, payload: this.inbox.get(name)!.shift() ?? null };
  }

  private receive(signal: CustomSignal): void {
    if (typeof signal?.name !== 'string' || signal.name === '') return;
    const queue = this.inbox.get(signal.name) ?? [];
    queue.push(signal.payload ?? null);
    this.inbox.set(signal.name, queue);
    this.events.emit('SIGNAL_RECEIVED', null, { name: signal.name, payload: boundedCopy(signal.payload ?? null, EVENT_VALUE_LIMIT) });
  }

  private setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    this.events.emit(paused ? 'EXECUTION_PAUSED' : 'EXECUTION_RESUMED', null, { ...this.statusChange() });
  }

  private currentStatus(): LiveStatus {
    if (this.paused) return 'PAUSED';
    let working = 0;
    for (const id of this.running) if (!this.run.isLoop(id)) working++;
    return this.waiting.size > 0 && this.waiting.size === working ? 'WAITING' : 'RUNNING';
  }

  private liveState(): LiveState {
    return {
      status: this.currentStatus(),
      paused: this.paused,
      runningNodes: [...this.running],
      waitingFor: [...this.waiting].map(([nodeId, signal]) => ({ nodeId, signal })),
      completedNodes: [...this.completed],
      vars: this.run.vars(),
      pendingSignals: Object.fromEntries([...this.inbox].filter(([, q]) => q.length > 0).map(([name, q]) => [name, q.length])),
    };
  }
}
