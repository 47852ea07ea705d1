import { FINAL_STATUSES, isTerminalEventType } from '@tandem/schema';
import type { Database } from '../db/orm.js';
import { Execution, ExecutionEvent } from '../db/entities.js';
import { apiError, badInput } from '../errors.js';

export interface EventStreamOptions {
  /** Live events a subscriber may have pending before it is told to resume with `after`. */
  subscriberBuffer: number;
}

/** Called with each stored event of the execution; with null when the server is closing. */
type ExecutionListener = (event: ExecutionEvent | null) => void;
type WorkflowListener = (execution: Execution) => void;

/**
 * The read side of the event pipeline on one API server: the stored event log, the streams
 * that follow it live (a run's events; a workflow's executions for dashboards) and the
 * subscribers waiting on them. `EventIngest` tells it what was stored; the log plus the
 * cursor is what makes streams lossless, a wake-up only makes them prompt.
 */
export class EventStreams {
  private readonly executionListeners = new Map<string, Set<ExecutionListener>>();
  private readonly workflowListeners = new Map<string, Set<WorkflowListener>>();
  /** Waiters for one run's status changes (a webhook answering with the run's result). */
  private readonly runListeners = new Map<string, Set<WorkflowListener>>();
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly options: EventStreamOptions = { subscriberBuffer: 1_000 },
  ) {}

  /** Ends every live stream (their clients resume elsewhere with `after`). */
  close(): void {
    this.closed = true;
    for (const listeners of this.executionListeners.values()) for (const listener of listeners) listener(null);
  }

  /** Wakes the streams of the event's execution; they dedupe by sequence, so a redelivered event is harmless. */
  publish(event: ExecutionEvent): void {
    for (const listener of this.executionListeners.get(event.executionId) ?? []) listener(event);
  }

  /** Tells dashboards of a run that started or whose status changed. */
  announce(execution: Execution): void {
    for (const listener of this.workflowListeners.get(execution.workflowId) ?? []) listener(execution);
    for (const listener of this.runListeners.get(execution.id) ?? []) listener(execution);
  }

  /**
   * The run once it has ended, or null when it is still going after `timeoutMs`. Woken at once
   * when this server stores the event that ends it; the row is read again every second for an
   * end this server does not hear of (a run reconciled or cancelled by another server).
   * `following`: this server's ingest follows the run and has not stored its end (so it will
   * announce it), and the row is first read after a second instead of at once.
   */
  async whenEnded(executionId: string, timeoutMs: number, { following = false } = {}): Promise<Execution | null> {
    const deadline = Date.now() + timeoutMs;
    let ended: Execution | null = null;
    let wake: () => void = () => {};
    const listener = (execution: Execution) => {
      if (!FINAL_STATUSES.has(execution.status)) return;
      ended = execution;
      wake();
    };
    const listeners = this.runListeners.get(executionId) ?? new Set();
    listeners.add(listener);
    this.runListeners.set(executionId, listeners);
    try {
      for (let read = !following; ; read = true) {
        if (ended) return ended;
        const row = read ? await this.db.em.fork().findOne(Execution, { id: executionId }) : null;
        if (row && FINAL_STATUSES.has(row.status)) return row;
        const left = deadline - Date.now();
        if (left <= 0) return null;
        if (ended) return ended;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 1_000));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      listeners.delete(listener);
      if (listeners.size === 0) this.runListeners.delete(executionId);
    }
  }

  /** How many executionUpdated subscribers follow a workflow's runs on this server. */
  followersOf(workflowId: string): number {
    return this.workflowListeners.get(workflowId)?.size ?? 0;
  }

  /** Stored events of an execution after a sequence number, in order. */
  async after(executionId: string, afterSequence: number, limit: number): Promise<ExecutionEvent[]> {
    return this.db.em.fork().find(ExecutionEvent, { executionId, sequence: { $gt: afterSequence } }, { orderBy: { sequence: 'asc' }, limit });
  }

  async count(executionId: string): Promise<number> {
    return this.db.em.fork().count(ExecutionEvent, { executionId });
  }

  /** The sequence number a cursor (an event id of this execution) stands for. */
  async sequenceOfCursor(executionId: string, cursor: string | null | undefined): Promise<number> {
    if (cursor === null || cursor === undefined || cursor === '') return 0;
    // Event ids are bigint: a 19-digit number past 2^63 - 1 would make PostgreSQL fail the query.
    if (!/^\d{1,19}$/.test(cursor) || BigInt(cursor) > 9_223_372_036_854_775_807n) throw badInput('after must be the id of an event of this execution');
    const event = await this.db.em.fork().findOne(ExecutionEvent, { id: cursor, executionId });
    if (!event) throw badInput(`after: event "${cursor}" is not an event of this execution`);
    return event.sequence;
  }

  /**
   * Everything stored after `afterSequence`, then live events, without a gap or a duplicate at
   * the seam (the listener is registered before the stored events are read; sequences dedupe).
   * Ends after the terminal event. A subscriber that falls behind gets an error naming the cursor
   * to resume from, instead of growing this server's memory.
   */
  async *stream(executionId: string, afterSequence: number): AsyncGenerator<ExecutionEvent> {
    const buffer: ExecutionEvent[] = [];
    let overflowed = false;
    let wake: (() => void) | undefined;
    const listener: ExecutionListener = (event) => {
      if (event === null) {
        wake?.();
        return;
      }
      if (buffer.length >= this.options.subscriberBuffer) overflowed = true;
      else buffer.push(event);
      wake?.();
    };
    const listeners = this.executionListeners.get(executionId) ?? new Set();
    listeners.add(listener);
    this.executionListeners.set(executionId, listeners);
    let last = afterSequence;
    let lastId: string | null = null;
    try {
      for (;;) {
        const page = await this.after(executionId, last, 500);
        for (const event of page) {
          yield event;
          last = event.sequence;
          lastId = event.id;
          if (isTerminalEventType(event.type)) return;
        }
        if (page.length < 500) break;
      }
      for (;;) {
        if (this.closed) return; // the server is shutting down: the client resumes elsewhere with after
        if (overflowed) {
          throw apiError(
            'RATE_LIMITED',
            `this subscriber fell behind the event stream; subscribe again with after: ${lastId === null ? 'null' : `"${lastId}"`}`,
            {
              resumeAfter: lastId,
            },
          );
        }
        const next = buffer.shift();
        if (!next) {
          if (await this.endedWithoutTerminalEvent(executionId, last)) return;
          const woken = await new Promise<boolean>((resolve) => {
            wake = () => resolve(true);
            setTimeout(() => resolve(false), 5_000).unref();
          });
          wake = undefined;
          // Quiet for a while: look at the log too, in case this server missed a wake-up.
          if (!woken) buffer.push(...(await this.after(executionId, last, this.options.subscriberBuffer)));
          continue;
        }
        if (next.sequence <= last) continue;
        if (next.sequence > last + 1) {
          // Events stored while this one was in flight: take them from the log, in order.
          for (const missing of await this.after(executionId, last, next.sequence - last - 1)) {
            yield missing;
            last = missing.sequence;
            lastId = missing.id;
          }
        }
        yield next;
        last = next.sequence;
        lastId = next.id;
        if (isTerminalEventType(next.type)) return;
      }
    } finally {
      listeners.delete(listener);
      if (listeners.size === 0) this.executionListeners.delete(executionId);
    }
  }

  /** A finished run whose terminal event never arrived (e.g. reconciled from Temporal) ends the stream too. */
  private async endedWithoutTerminalEvent(executionId: string, last: number): Promise<boolean> {
    const em = this.db.em.fork();
    const execution = await em.findOne(Execution, { id: executionId }, { fields: ['status', 'finishedAt'] });
    if (!execution || !FINAL_STATUSES.has(execution.status)) return false;
    const newer = await em.count(ExecutionEvent, { executionId, sequence: { $gt: last } });
    return newer === 0 && Date.now() - (execution.finishedAt?.getTime() ?? 0) > 2_000;
  }

  /** Status changes of a workflow's executions, latest per execution, for dashboards. */
  async *executionUpdates(workflowId: string): AsyncGenerator<Execution> {
    const pending = new Map<string, Execution>();
    let wake: (() => void) | undefined;
    const listener: WorkflowListener = (execution) => {
      pending.delete(execution.id);
      pending.set(execution.id, execution);
      wake?.();
    };
    const listeners = this.workflowListeners.get(workflowId) ?? new Set();
    listeners.add(listener);
    this.workflowListeners.set(workflowId, listeners);
    try {
      for (;;) {
        const [first] = pending.values();
        if (first) {
          pending.delete(first.id);
          yield first;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      listeners.delete(listener);
      if (listeners.size === 0) this.workflowListeners.delete(workflowId);
    }
  }
}
