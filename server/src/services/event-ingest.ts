import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import type { Client } from '@temporalio/client';
import { FINAL_STATUSES, statusAfter, statusAnnouncedBy, type EmittedEvent, type JsonValue, type RunError } from '@tandem/schema';
import { processLog, type ExecutionEventBus, type Logger } from '@tandem/worker';
import type { Database } from '../db/orm.js';
import { BusPosition, Execution, ExecutionEvent, Workflow, WorkflowVersion } from '../db/entities.js';
import type { EventStreams } from './event-streams.js';
import type { EventLag } from '../health/readiness.js';

/**
 * The write side of the event pipeline on one API server: events from the bus are stored once
 * each (unique per execution and sequence), the execution row follows them (rows of runs a
 * Schedule started are created from their first event), the streams are told, and with a
 * durable bus the position read so far is kept so a restart resumes there.
 */
/** What ingest remembers of a run it stored events for, to store its next step's events with one statement. */
interface KnownRun {
  status: Execution['status'];
  temporalRunId: string;
  /** When this server last wrote the row's updatedAt (reads reconcile a row untouched for long). */
  touchedAt: number;
}

/** Runs remembered at once: far more than run at once on one server; the oldest is forgotten first. */
const KNOWN_RUNS_MAX = 10_000;
/** A row's updatedAt is moved at most this often by events that change nothing else. */
const TOUCH_EVERY_MS = 10_000;

export class EventIngest {
  private ingesting: Promise<void> = Promise.resolve();
  private readonly knownRuns = new Map<string, KnownRun>();
  private stopBus: (() => Promise<void>) | undefined;
  private lastPosition: string | undefined;
  private positionTimer: NodeJS.Timeout | undefined;
  /** Events received and not yet stored, and when the one being stored now arrived (for /readyz's event lag). */
  private waiting = 0;
  private storingSince = 0;

  constructor(
    private readonly db: Database,
    private readonly bus: ExecutionEventBus,
    private readonly temporal: Client,
    private readonly streams: Pick<EventStreams, 'publish' | 'announce'>,
    /** Told of each event once stored (metrics count it later, in batches). */
    private readonly stored: (event: EmittedEvent) => void = () => {},
    /** One line per run transition this server stores, and events it could not store. */
    private readonly log: Logger = processLog(),
  ) {}

  async start(): Promise<void> {
    const after = this.bus.durable ? await this.loadPosition() : undefined;
    this.stopBus = await this.bus.subscribe(
      (event, position) => {
        // One at a time, in arrival order: storage and listeners see events as published.
        const receivedAt = Date.now();
        this.waiting++;
        this.ingesting = this.ingesting
          .then(() => {
            this.storingSince = receivedAt;
            return this.ingest(event);
          })
          .then(
            () => {
              this.stored(event);
              this.notePosition(position);
            },
            (error: unknown) =>
              this.log.error({ err: error, executionId: event.executionId, sequence: event.sequence, event: event.type }, 'execution event not stored'),
          )
          .finally(() => this.waiting--);
      },
      after === undefined ? {} : { after },
    );
  }

  async stop(): Promise<void> {
    await this.stopBus?.();
    await this.ingesting;
    if (this.positionTimer) clearTimeout(this.positionTimer);
    await this.savePosition();
  }

  /** Events received and not yet stored, and how long the oldest of them has waited. */
  lag(): EventLag {
    return { waiting: this.waiting, oldestMs: this.waiting > 0 ? Date.now() - this.storingSince : 0 };
  }

  /** Waits until every event received so far is stored (tests, shutdown). */
  async drained(): Promise<void> {
    await this.ingesting;
  }

  /** Stores an event once; updates the execution; wakes subscribers. Safe to call again with the same event. */
  async ingest(event: EmittedEvent): Promise<ExecutionEvent | null> {
    const known = this.knownRuns.get(event.executionId);
    if (known && statusAfter(known.status, event) === known.status && (!event.temporalRunId || event.temporalRunId === known.temporalRunId)) {
      return this.storeStep(event, known);
    }
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
        stepValues: event.values ?? null,
      });
      await this.follow(execution, event);
      // The event and the row it moves are written in one transaction: both or neither.
      await em.flush();
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      fresh = false;
      stored = (await this.db.em.fork().findOne(ExecutionEvent, { executionId: event.executionId, sequence: event.sequence }))!;
    }
    this.remember(execution);
    if (fresh) {
      if (execution.status !== before || event.type === 'EXECUTION_STARTED') this.logTransition(execution, before, event);
      if (execution.status !== before) this.streams.announce(execution);
    } else if (statusAnnouncedBy(event) !== undefined) {
      // Another server stored it first (Redis mode) and updated the row: dashboards here still hear of it.
      const row = await this.db.em.fork().findOne(Execution, { id: event.executionId });
      if (row) this.streams.announce(row);
    }
    this.streams.publish(stored);
    return stored;
  }

  /**
   * Most events (a step started, a step completed) move nothing on the run's row: they are
   * stored with one insert, no transaction and no read of the row, which ingest remembers from
   * the run's earlier events. A redelivered event inserts nothing and the stored one is read.
   */
  private async storeStep(event: EmittedEvent, known: KnownRun): Promise<ExecutionEvent> {
    const em = this.db.em.fork();
    const stored = await em.upsert(
      ExecutionEvent,
      {
        executionId: event.executionId,
        sequence: event.sequence,
        type: event.type,
        nodeId: event.nodeId,
        at: new Date(event.at),
        data: event.data as JsonValue,
        // In the same insert: whole values cost the hot path nothing when, as usual, there are none.
        stepValues: event.values ?? null,
      },
      { onConflictFields: ['executionId', 'sequence'], onConflictAction: 'ignore' },
    );
    if (Date.now() - known.touchedAt > TOUCH_EVERY_MS) {
      known.touchedAt = Date.now();
      await em.nativeUpdate(Execution, { id: event.executionId }, { updatedAt: new Date() });
    }
    this.streams.publish(stored);
    return stored;
  }

  private remember(execution: Execution): void {
    this.knownRuns.delete(execution.id);
    if (FINAL_STATUSES.has(execution.status)) return;
    if (this.knownRuns.size >= KNOWN_RUNS_MAX) this.knownRuns.delete(this.knownRuns.keys().next().value!);
    this.knownRuns.set(execution.id, { status: execution.status, temporalRunId: execution.temporalRunId, touchedAt: execution.updatedAt.getTime() });
  }

  /**
   * A run started by Temporal itself (a Schedule) has no row until its first event names the
   * workflow version it runs; the row is created then, if that version exists here.
   */
  /** One line per run transition, from the server that stored it (so once per transition, whichever server). */
  private logTransition(execution: Execution, from: Execution['status'], event: EmittedEvent): void {
    const started = event.type === 'EXECUTION_STARTED';
    this.log.info(
      {
        executionId: execution.id,
        workflowId: execution.workflowId,
        versionNumber: execution.versionNumber,
        status: execution.status,
        ...(started ? {} : { from }),
        event: event.type,
      },
      started ? 'run started' : execution.status === 'RUNNING' ? 'run resumed' : `run ${execution.status.toLowerCase()}`,
    );
  }

  private async adopt(em: EntityManager, event: EmittedEvent): Promise<Execution | null> {
    const origin = event.data.origin as { workflowId?: unknown; versionId?: unknown; parentExecutionId?: unknown; parentNodeId?: unknown } | undefined;
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
    this.streams.announce(execution);
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
