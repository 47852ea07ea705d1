import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Client } from '@temporalio/client';
import { FINAL_STATUSES, statusAfter, statusAnnouncedBy, type EmittedEvent, type JsonValue, type RunError } from '@tandem/schema';
import { processLog, type ExecutionEventBus, type Logger } from '@tandem/worker';
import type { Database } from '../db/orm.js';
import { eventColumns, eventInsertFor, type EventInsert } from '../db/event-insert.js';
import { rowMoveFor, runRowWritesFor, type RowMove, type RowMoveWrite, type RunRowWrites } from '../db/execution-row.js';
import { BusPosition, Execution, ExecutionEvent, Workflow, WorkflowVersion } from '../db/entities.js';
import type { EventStreams } from './event-streams.js';
import type { EventLag } from '../health/readiness.js';
import { BoundedMap } from '../bounded-map.js';

/**
 * The write side of the event pipeline on one API server: events from the bus are stored once
 * each (unique per execution and sequence), the execution row follows them (rows of runs a
 * Schedule started are created from their first event), the streams are told, and with a
 * durable bus the position read so far is kept so a restart resumes there.
 *
 * Events are stored in batches: whatever arrived while the previous batch was being written
 * goes into one transaction (one commit, so one sync to disk, for many events). Listeners hear
 * of a batch's events only after it committed, in arrival order. A batch that fails is stored
 * again one event per transaction, so one bad event costs only itself.
 */
/** What ingest remembers of a run it stored events for, to store its next step's events with one statement. */
interface KnownRun {
  status: Execution['status'];
  /** What a transition line names. */
  workflowId: string;
  versionNumber: number;
  temporalRunId: string;
  /** When this server last wrote the row's updatedAt (reads reconcile a row untouched for long). */
  touchedAt: number;
}

/** An event from the bus, waiting to be stored. */
interface Received {
  event: EmittedEvent;
  position: string;
  receivedAt: number;
}

/** What storing one event leads to, told to listeners once its transaction has committed. */
interface Stored {
  event: ExecutionEvent;
  /** The run's row, when this event changed its status. */
  announce?: Execution;
  /** Another server stored this status event first: announce the row as it is now. */
  announceCurrent?: boolean;
  /** A run transition stored here, for the log. */
  transition?: Transition;
}

interface Transition {
  executionId: string;
  workflowId: string;
  versionNumber: number;
  from: Execution['status'];
  status: Execution['status'];
  event: EmittedEvent['type'];
}

/** Runs remembered at once: far more than run at once on one server; the oldest is forgotten first. */
const KNOWN_RUNS_MAX = 10_000;
/** A row's updatedAt is moved at most this often by events that change nothing else. */
const TOUCH_EVERY_MS = 10_000;
/** Events stored in one transaction at the most. */
const BATCH_MAX = 500;

export class EventIngest {
  private readonly received: Received[] = [];
  private draining: Promise<void> | undefined;
  private readonly knownRuns = new BoundedMap<string, KnownRun>(KNOWN_RUNS_MAX);
  private readonly insertEvent: EventInsert;
  private readonly moveRow: RowMoveWrite;
  private readonly rowWrites: RunRowWrites;
  private stopBus: (() => Promise<void>) | undefined;
  private lastPosition: string | undefined;
  private positionTimer: NodeJS.Timeout | undefined;
  /** Events of the batch being stored, and when its oldest arrived (for /readyz's event lag). */
  private storing = 0;
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
  ) {
    this.insertEvent = eventInsertFor(db);
    this.moveRow = rowMoveFor(db);
    this.rowWrites = runRowWritesFor(db);
  }

  async start(): Promise<void> {
    const after = this.bus.durable ? await this.loadPosition() : undefined;
    this.stopBus = await this.bus.subscribe(
      (event, position) => {
        // Stored in arrival order: storage and listeners see events as published.
        this.received.push({ event, position, receivedAt: Date.now() });
        this.draining ??= this.drain().finally(() => (this.draining = undefined));
      },
      after === undefined ? {} : { after },
    );
  }

  async stop(): Promise<void> {
    await this.stopBus?.();
    await this.drained();
    if (this.positionTimer) clearTimeout(this.positionTimer);
    await this.savePosition();
  }

  /**
   * A run this server is starting: its row has just been written as RUNNING (Temporal's run id
   * follows once the start returns), so its first events are stored without reading the row.
   */
  expectRun(execution: Pick<Execution, 'id' | 'workflowId' | 'versionNumber'>): void {
    this.remember(execution.id, {
      status: 'RUNNING',
      workflowId: execution.workflowId,
      versionNumber: execution.versionNumber,
      temporalRunId: '',
      touchedAt: Date.now(),
    });
  }

  /**
   * Whether ingest follows the run and has not stored its end: a run is forgotten in the same
   * turn as the transaction that stored its end commits, before anyone is told of it.
   */
  follows(executionId: string): boolean {
    return this.knownRuns.has(executionId);
  }

  /** A run that could not be started after all. */
  forgetRun(executionId: string): void {
    this.knownRuns.delete(executionId);
  }

  /** Events received and not yet stored, and how long the oldest of them has waited. */
  lag(): EventLag {
    const waiting = this.received.length + this.storing;
    return { waiting, oldestMs: waiting > 0 ? Date.now() - this.storingSince : 0 };
  }

  /** Waits until every event received so far is stored (tests, shutdown). */
  async drained(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Stores an event once; updates the execution; wakes subscribers. Safe to call again with the same event. */
  async ingest(event: EmittedEvent): Promise<ExecutionEvent | null> {
    const [outcome] = await this.storeBatch([event]);
    if (outcome) await this.tell(outcome);
    return outcome?.event ?? null;
  }

  private async drain(): Promise<void> {
    while (this.received.length > 0) {
      const batch = this.received.splice(0, BATCH_MAX);
      this.storing = batch.length;
      this.storingSince = batch[0]!.receivedAt;
      let outcomes: Array<Stored | null | Error>;
      try {
        outcomes = await this.storeBatch(batch.map((item) => item.event));
      } catch {
        // One event per transaction: the others are stored, the bad one is reported alone.
        outcomes = [];
        for (const { event } of batch)
          outcomes.push(
            await this.storeBatch([event]).then(
              ([one]) => one ?? null,
              (error: unknown) => asError(error),
            ),
          );
      }
      for (const [i, outcome] of outcomes.entries()) {
        const { event, position } = batch[i]!;
        if (outcome instanceof Error) {
          this.log.error({ err: outcome, executionId: event.executionId, sequence: event.sequence, event: event.type }, 'execution event not stored');
          continue;
        }
        if (outcome) await this.tell(outcome);
        this.stored(event);
        this.notePosition(position);
      }
      this.storing = 0;
    }
  }

  /** Stores events in one transaction; what each led to (null: a run this deployment did not start). */
  private async storeBatch(events: EmittedEvent[]): Promise<Array<Stored | null>> {
    // Fetched before the transaction: a network call must not hold the database.
    const results = new Map<EmittedEvent, JsonValue>();
    for (const event of events) if (event.type === 'EXECUTION_COMPLETED') results.set(event, await this.fullResult(event));
    const learnt = new Map<string, KnownRun | null>();
    const outcomes = await this.db.em.fork().transactional(async (em) => {
      const stored: Array<Stored | null> = [];
      for (const event of events) stored.push(await this.store(em, event, learnt, results));
      return stored;
    });
    // Only what committed is remembered: a batch stored again event by event starts from the same knowledge.
    for (const [id, run] of learnt) this.remember(id, run);
    return outcomes;
  }

  private async store(
    em: EntityManager,
    event: EmittedEvent,
    learnt: Map<string, KnownRun | null>,
    results: Map<EmittedEvent, JsonValue>,
  ): Promise<Stored | null> {
    const known = learnt.has(event.executionId) ? learnt.get(event.executionId) : this.knownRuns.get(event.executionId);
    if (known && sameTemporalRun(known, event)) {
      if (statusAfter(known.status, event) !== known.status) return this.storeKnownMove(em, event, known, learnt, results.get(event));
      const { stored, fresh } = await this.storeStep(em, event, known);
      const started = fresh && event.type === 'EXECUTION_STARTED';
      return { event: stored, ...(started ? { transition: transitionOf(event, known, known.status) } : {}) };
    }
    let execution = await em.findOne(Execution, { id: event.executionId });
    let adopted = false;
    if (!execution) {
      const adoption = await this.adopt(em, event);
      if (!adoption) return null; // a run this deployment did not start (e.g. the CLI's)
      ({ execution, adopted } = adoption);
    }
    const id = await this.insertEvent(em, event);
    if (id === null) {
      // Stored before: redelivered here, or stored by another server (Redis mode) with the row it moved.
      learnt.set(execution.id, knownRunOf(execution));
      return { event: await storedEvent(em, event), announceCurrent: statusAnnouncedBy(event) !== undefined };
    }
    const before = execution.status;
    const row = (await this.moveRow(em, execution.id, null, moveOf(before, event, results.get(event)))) ?? execution;
    return this.followed(event, id, row, before, adopted, learnt);
  }

  /**
   * A status event of a run ingest knows (a run's end, most often): the event is inserted and
   * the row moved with one update, without reading the row first. A row someone else moved
   * meanwhile (a reconcile) is read and followed as it is.
   */
  private async storeKnownMove(
    em: EntityManager,
    event: EmittedEvent,
    known: KnownRun,
    learnt: Map<string, KnownRun | null>,
    result: JsonValue | undefined,
  ): Promise<Stored | null> {
    const id = await this.insertEvent(em, event);
    if (id === null) {
      // Stored by another server (Redis mode), which moved the row: the run's next event reads it.
      learnt.set(event.executionId, null);
      return { event: await storedEvent(em, event), announceCurrent: statusAnnouncedBy(event) !== undefined };
    }
    let before = known.status;
    let row = await this.moveRow(em, event.executionId, before, moveOf(before, event, result));
    if (!row) {
      const current = await em.findOne(Execution, { id: event.executionId });
      if (!current) return { event: eventRow(id, event) };
      before = current.status;
      row = (await this.moveRow(em, current.id, null, moveOf(before, event, result))) ?? current;
    }
    return this.followed(event, id, row, before, false, learnt);
  }

  /** What storing an event that moved its run's row (from `before` to `row`) leads to. */
  private followed(
    event: EmittedEvent,
    id: string,
    row: Execution,
    before: Execution['status'],
    adopted: boolean,
    learnt: Map<string, KnownRun | null>,
  ): Stored {
    const run = knownRunOf(row);
    learnt.set(row.id, run);
    const moved = row.status !== before || event.type === 'EXECUTION_STARTED';
    return {
      event: eventRow(id, event),
      ...(adopted || row.status !== before ? { announce: row } : {}),
      ...(moved ? { transition: transitionOf(event, run, before) } : {}),
    };
  }

  /**
   * Most events (a step started, a step completed) move nothing on the run's row: they are
   * stored with one insert and no read of the row, which ingest remembers from the run's
   * earlier events. A redelivered event inserts nothing and the stored one is read.
   */
  private async storeStep(em: EntityManager, event: EmittedEvent, known: KnownRun): Promise<{ stored: ExecutionEvent; fresh: boolean }> {
    const id = await this.insertEvent(em, event);
    if (Date.now() - known.touchedAt > TOUCH_EVERY_MS) {
      known.touchedAt = Date.now();
      await this.rowWrites.set(em, event.executionId, { updatedAt: new Date() });
    }
    return id === null ? { stored: await storedEvent(em, event), fresh: false } : { stored: eventRow(id, event), fresh: true };
  }

  /** Tells the streams (and dashboards) of an event whose transaction has committed. */
  private async tell(outcome: Stored): Promise<void> {
    if (outcome.transition) this.logTransition(outcome.transition);
    if (outcome.announce) this.streams.announce(outcome.announce);
    if (outcome.announceCurrent) {
      const row = await this.db.em.fork().findOne(Execution, { id: outcome.event.executionId });
      if (row) this.streams.announce(row);
    }
    this.streams.publish(outcome.event);
  }

  private remember(executionId: string, run: KnownRun | null): void {
    this.knownRuns.delete(executionId);
    if (!run || FINAL_STATUSES.has(run.status)) return;
    this.knownRuns.set(executionId, run);
  }

  /** One line per run transition, from the server that stored it (so once per transition, whichever server). */
  private logTransition({ from, ...transition }: Transition): void {
    const started = transition.event === 'EXECUTION_STARTED';
    this.log.info(
      { ...transition, ...(started ? {} : { from }) },
      started ? 'run started' : transition.status === 'RUNNING' ? 'run resumed' : `run ${transition.status.toLowerCase()}`,
    );
  }

  /**
   * A run started by Temporal itself (a Schedule) has no row until its first event names the
   * workflow version it runs; the row is created then, if that version exists here.
   */
  private async adopt(em: EntityManager, event: EmittedEvent): Promise<{ execution: Execution; adopted: boolean } | null> {
    const origin = event.data.origin as { workflowId?: unknown; versionId?: unknown; parentExecutionId?: unknown; parentNodeId?: unknown } | undefined;
    if (event.type !== 'EXECUTION_STARTED' || !origin || typeof origin.versionId !== 'string' || event.executionId.length > 100) return null;
    const version = await em.findOne(WorkflowVersion, { id: origin.versionId, workflowId: String(origin.workflowId) });
    const workflow = version ? await em.findOne(Workflow, { id: version.workflowId }) : null;
    if (!version || !workflow) return null;
    const inserted = await (em as SqlEntityManager)
      .createQueryBuilder(Execution)
      .insert({
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
      })
      .onConflict('id')
      .ignore()
      .execute('run');
    // Nothing inserted: another server adopted it first (and announced it).
    const execution = await em.findOne(Execution, { id: event.executionId });
    return execution && { execution, adopted: inserted.affectedRows > 0 };
  }

  /** A run's result; one too large for its event (cut, marked truncated) comes from Temporal. */
  private async fullResult(event: EmittedEvent): Promise<JsonValue> {
    const carried = event.data.result;
    const truncated = carried !== null && typeof carried === 'object' && !Array.isArray(carried) && carried.truncated === true;
    if (!truncated) return carried ?? null;
    return (await this.temporal.workflow.getHandle(event.temporalWorkflowId).result()) as JsonValue;
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

/** Whether the event belongs to the Temporal run the row names (a run this server started names its first run itself). */
function sameTemporalRun(known: KnownRun, event: EmittedEvent): boolean {
  if (!event.temporalRunId || event.temporalRunId === known.temporalRunId) return true;
  if (known.temporalRunId !== '') return false;
  known.temporalRunId = event.temporalRunId;
  return true;
}

/** What an event moves on a row in status `status` (its Temporal run, status, end, result or error, updatedAt). */
function moveOf(status: Execution['status'], event: EmittedEvent, result: JsonValue | undefined): RowMove {
  const next = statusAfter(status, event);
  // A loop's continue-as-new moves the execution to a new Temporal run: the row names the current one.
  const move: RowMove = { status: next, updatedAt: new Date(), ...(event.temporalRunId ? { temporalRunId: event.temporalRunId } : {}) };
  if (next !== status) {
    if (FINAL_STATUSES.has(next)) move.finishedAt = new Date(event.at);
    if (event.type === 'EXECUTION_COMPLETED') move.result = result ?? null;
    // Built by the interpreter with runErrorOf, as reconcile builds it from Temporal's failure.
    if (event.type === 'EXECUTION_FAILED') move.error = (event.data.error ?? null) as RunError | null;
  }
  return move;
}

function knownRunOf(execution: Execution): KnownRun {
  return {
    status: execution.status,
    workflowId: execution.workflowId,
    versionNumber: execution.versionNumber,
    temporalRunId: execution.temporalRunId,
    touchedAt: execution.updatedAt.getTime(),
  };
}

function transitionOf(event: EmittedEvent, run: KnownRun, from: Execution['status']): Transition {
  return { executionId: event.executionId, workflowId: run.workflowId, versionNumber: run.versionNumber, from, status: run.status, event: event.type };
}

async function storedEvent(em: EntityManager, event: EmittedEvent): Promise<ExecutionEvent> {
  return (await em.findOne(ExecutionEvent, { executionId: event.executionId, sequence: event.sequence }))!;
}

/** The stored event as listeners read it, without reading it back. */
function eventRow(id: string, event: EmittedEvent): ExecutionEvent {
  return Object.assign(new ExecutionEvent(), { id, ...eventColumns(event) });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
