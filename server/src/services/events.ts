import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import type { Client } from '@temporalio/client';
import { FINAL_STATUSES, isTerminalEventType, statusAfter, statusAnnouncedBy, type EmittedEvent, type JsonValue, type RunError } from '@tandem/schema';
import type { ExecutionEventBus } from '@tandem/worker';
import type { Database } from '../db/orm.js';
import { BusPosition, Execution, ExecutionEvent, Workflow, WorkflowVersion } from '../db/entities.js';
import { apiError, badInput } from '../errors.js';

export interface EventServiceOptions {
  /** Live events a subscriber may have pending before it is told to resume with `after`. */
  subscriberBuffer: number;
}

/** Called with each stored event of the execution; with null when the server is closing. */
type ExecutionListener = (event: ExecutionEvent | null) => void;
type WorkflowListener = (execution: Execution) => void;

/**
 * The event pipeline of one API server: events from the bus are stored once each (unique
 * per execution and sequence), the execution row follows them, and local subscribers are
 * woken. Redis only wakes; the stored log plus the cursor is what makes streams lossless.
 */
export class EventService {
  private readonly executionListeners = new Map<string, Set<ExecutionListener>>();
  private readonly workflowListeners = new Map<string, Set<WorkflowListener>>();
  private ingesting: Promise<void> = Promise.resolve();
  private stopBus: (() => Promise<void>) | undefined;
  private lastPosition: string | undefined;
  private positionTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly bus: ExecutionEventBus,
    private readonly temporal: Client,
    private readonly options: EventServiceOptions = { subscriberBuffer: 1_000 },
  ) {}

  async start(): Promise<void> {
    const after = this.bus.durable ? await this.loadPosition() : undefined;
    this.stopBus = await this.bus.subscribe((event, position) => {
      // One at a time, in arrival order: storage and listeners see events as published.
      this.ingesting = this.ingesting.then(() => this.ingest(event)).then(
        () => this.notePosition(position),
        (error: unknown) => console.error(`event ${event.executionId}#${event.sequence} not stored:`, error),
      );
    }, after === undefined ? {} : { after });
  }

  async stop(): Promise<void> {
    this.closed = true;
    for (const listeners of this.executionListeners.values()) for (const listener of listeners) listener(null);
    await this.stopBus?.();
    await this.ingesting;
    if (this.positionTimer) clearTimeout(this.positionTimer);
    await this.savePosition();
  }

  /** Waits until every event received so far is stored (tests, shutdown). */
  async drained(): Promise<void> {
    await this.ingesting;
  }

  /** Stores an event once; updates the execution; wakes subscribers. Safe to call again with the same event. */
  async ingest(event: EmittedEvent): Promise<ExecutionEvent | null> {
    const em = this.db.em.fork();
    const execution = (await em.findOne(Execution, { id: event.executionId })) ?? (await this.adopt(em, event));
    if (!execution) return null; // a run this deployment did not start (e.g. the CLI's)
    const before = execution.status;
    let stored: ExecutionEvent;
    let fresh = true;
    try {
      stored = em.create(ExecutionEvent, {
        executionId: event.executionId,
        sequence: event.sequence,
        type: event.type,
        nodeId: event.nodeId,
        at: new Date(event.at),
        data: event.data as JsonValue,
      });
      await this.follow(execution, event);
      // The event and the row it moves are written in one transaction: both or neither.
      await em.flush();
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      fresh = false;
      stored = (await this.db.em.fork().findOne(ExecutionEvent, { executionId: event.executionId, sequence: event.sequence }))!;
    }
    if (fresh) {
      if (execution.status !== before) for (const listener of this.workflowListeners.get(execution.workflowId) ?? []) listener(execution);
    } else if (statusAnnouncedBy(event) !== undefined) {
      // Another server stored it first (Redis mode) and updated the row: dashboards here still hear of it.
      const row = await this.db.em.fork().findOne(Execution, { id: event.executionId });
      if (row) for (const listener of this.workflowListeners.get(row.workflowId) ?? []) listener(row);
    }
    // Subscribers dedupe by sequence, so waking them for a redelivered event is harmless.
    for (const listener of this.executionListeners.get(event.executionId) ?? []) listener(stored);
    return stored;
  }

  /**
   * A run started by Temporal itself (a Schedule) has no row until its first event names the
   * workflow version it runs; the row is created then, if that version exists here.
   */
  private async adopt(em: EntityManager, event: EmittedEvent): Promise<Execution | null> {
    const origin = event.data.origin as
      | { workflowId?: unknown; versionId?: unknown; parentExecutionId?: unknown; parentNodeId?: unknown }
      | undefined;
    if (event.type !== 'EXECUTION_STARTED' || !origin || typeof origin.versionId !== 'string' || event.executionId.length > 100) return null;
    const version = await em.findOne(WorkflowVersion, { id: origin.versionId, workflowId: String(origin.workflowId) });
    const workflow = version ? await em.findOne(Workflow, { id: version.workflowId }) : null;
    if (!version || !workflow) return null;
    const execution = em.create(Execution, {
      id: event.executionId,
      workflowId: version.workflowId,
      versionId: version.id,
      versionNumber: version.number,
      startedById: workflow.ownerId,
      status: 'RUNNING',
      input: (event.data.input ?? {}) as JsonValue,
      startedAt: new Date(event.at),
      updatedAt: new Date(),
      temporalWorkflowId: event.temporalWorkflowId,
      temporalRunId: event.temporalRunId,
      parentExecutionId: typeof origin.parentExecutionId === 'string' ? origin.parentExecutionId.slice(0, 100) : null,
      parentNodeId: typeof origin.parentNodeId === 'string' ? origin.parentNodeId.slice(0, 100) : null,
    });
    try {
      await em.flush();
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      return this.db.em.fork().findOne(Execution, { id: event.executionId }); // another server adopted it
    }
    this.announce(execution);
    return execution;
  }

  /** The execution row follows its events; terminal results too large for an event come from Temporal. */
  private async follow(row: Execution, event: EmittedEvent): Promise<void> {
    // A loop's continue-as-new moves the execution to a new Temporal run: the row names the current one.
    if (event.temporalRunId) row.temporalRunId = event.temporalRunId;
    const next = statusAfter(row.status, event);
    if (next !== row.status) {
      row.status = next;
      if (FINAL_STATUSES.has(next)) row.finishedAt = new Date(event.at);
      if (event.type === 'EXECUTION_COMPLETED') row.result = await this.fullResult(row, event.data.result);
      // Built by the interpreter with runErrorOf, as reconcile builds it from Temporal's failure.
      if (event.type === 'EXECUTION_FAILED') row.error = (event.data.error ?? null) as RunError | null;
    }
    row.updatedAt = new Date();
  }

  private async fullResult(row: Execution, carried: JsonValue | undefined): Promise<JsonValue> {
    const truncated = carried !== null && typeof carried === 'object' && !Array.isArray(carried) && carried.truncated === true;
    if (!truncated) return carried ?? null;
    return (await this.temporal.workflow.getHandle(row.temporalWorkflowId).result()) as JsonValue;
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
          throw apiError('RATE_LIMITED', `this subscriber fell behind the event stream; subscribe again with after: ${lastId === null ? 'null' : `"${lastId}"`}`, {
            resumeAfter: lastId,
          });
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

  /** How many executionUpdated subscribers follow a workflow's runs on this server. */
  followersOf(workflowId: string): number {
    return this.workflowListeners.get(workflowId)?.size ?? 0;
  }

  /** Called when a run is started here, so dashboards see it at once. */
  announce(execution: Execution): void {
    for (const listener of this.workflowListeners.get(execution.workflowId) ?? []) listener(execution);
  }

  private notePosition(position: string): void {
    if (!this.bus.durable) return;
    this.lastPosition = position;
    this.positionTimer ??= setTimeout(() => {
      this.positionTimer = undefined;
      void this.savePosition();
    }, 1_000);
  }

  private async loadPosition(): Promise<string | undefined> {
    return (await this.db.em.fork().findOne(BusPosition, { name: 'execution-events' }))?.position;
  }

  private async savePosition(): Promise<void> {
    if (this.lastPosition === undefined) return;
    const em = this.db.em.fork();
    await em.upsert(BusPosition, { name: 'execution-events', position: this.lastPosition, updatedAt: new Date() });
  }
}
