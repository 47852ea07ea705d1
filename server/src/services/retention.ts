import { FINAL_STATUSES } from '@tandem/schema';
import type { Database } from '../db/orm.js';
import { knexOf } from '../db/orm.js';
import { Execution, ExecutionEvent } from '../db/entities.js';

export interface RetentionOptions {
  /** Finished runs older than this (by their finish time) are deleted with their events. */
  days: number;
  /** Rows one statement deletes at most: each batch is a short write the API's own writes queue behind briefly. */
  batchSize: number;
  /** Pause between batches, so the API's writes are never behind a long run of deletes. */
  pauseMs: number;
  /** Time between sweeps (default: an hour). */
  intervalMs?: number;
  /** This process's name in the lease (one sweep per installation at a time, whatever the number of API servers). */
  holder: string;
  /** How long a lease lasts unless renewed (default: 5 minutes); a server that died mid-sweep frees it when it runs out. */
  leaseMs?: number;
  /** The clock (tests move it instead of waiting). */
  now?: () => Date;
  log?: (line: string) => void;
}

export interface SweepReport {
  deletedRuns: number;
  deletedEvents: number;
  batches: number;
}

/** The lease row: `server_secrets` holds the values every server of an installation shares. */
const LEASE = 'retention-lease';
const HOUR_MS = 3_600_000;

/**
 * Deletes finished runs and their events once they are older than the retention period,
 * in small batches with a pause between them, on one API server of the installation at a
 * time (a lease row taken by compare-and-swap, on SQLite and PostgreSQL alike).
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly now: () => Date;

  constructor(
    private readonly db: Database,
    private readonly options: RetentionOptions,
  ) {
    if (!(options.days > 0)) throw new Error(`the retention period must be a positive number of days, not ${options.days}`);
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1)
      throw new Error(`the retention batch size must be a whole number ≥ 1, not ${options.batchSize}`);
    this.now = options.now ?? (() => new Date());
  }

  /** Sweeps soon after start, then every interval; timers never keep the process alive. */
  start(): void {
    const schedule = (delay: number) => {
      this.timer = setTimeout(() => {
        this.sweeping = this.sweep()
          .catch((error: unknown) => this.options.log?.(`retention sweep failed: ${(error as Error).message}`))
          .finally(() => !this.stopped && schedule(this.options.intervalMs ?? HOUR_MS));
      }, delay);
      this.timer.unref();
    };
    schedule(Math.min(60_000, this.options.intervalMs ?? HOUR_MS));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.sweeping;
  }

  /** One pass; null when another server holds the lease. */
  async sweep(): Promise<SweepReport | null> {
    if (!(await this.acquireLease())) return null;
    const report: SweepReport = { deletedRuns: 0, deletedEvents: 0, batches: 0 };
    try {
      const cutoff = new Date(this.now().getTime() - this.options.days * 86_400_000);
      while (!this.stopped) {
        const deleted = await this.deleteBatch(cutoff);
        if (!deleted) break;
        report.batches++;
        report.deletedEvents += deleted.events;
        report.deletedRuns += deleted.runs;
        if (this.options.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs));
        // Renewing is also the check that nobody took over while this server was slow.
        if (!(await this.acquireLease())) break;
      }
    } finally {
      await this.releaseLease();
    }
    if (report.batches > 0)
      this.options.log?.(
        `retention: deleted ${report.deletedRuns} run(s) and ${report.deletedEvents} event(s) finished before ${this.options.days} day(s) ago`,
      );
    return report;
  }

  /** Up to batchSize events of expired runs; once those runs have none left, up to batchSize of the runs. */
  private async deleteBatch(cutoff: Date): Promise<{ runs: number; events: number } | null> {
    const em = this.db.em.fork();
    const expired = await em.find(
      Execution,
      { status: { $in: [...FINAL_STATUSES] }, finishedAt: { $lt: cutoff } },
      { fields: ['id'], limit: this.options.batchSize, orderBy: { finishedAt: 'asc' } },
    );
    if (expired.length === 0) return null;
    const runIds = expired.map((run) => run.id);
    const events = await em.find(ExecutionEvent, { executionId: { $in: runIds } }, { fields: ['id'], limit: this.options.batchSize });
    if (events.length > 0) {
      await em.nativeDelete(ExecutionEvent, { id: { $in: events.map((event) => event.id) } });
      return { runs: 0, events: events.length };
    }
    await em.nativeDelete(Execution, { id: { $in: runIds } });
    return { runs: runIds.length, events: 0 };
  }

  /** Takes or renews the lease; false while another holder's lease runs. */
  async acquireLease(): Promise<boolean> {
    const knex = knexOf(this.db);
    const now = this.now().getTime();
    const value = `${this.options.holder} ${now + (this.options.leaseMs ?? 5 * 60_000)}`;
    await knex('server_secrets')
      .insert({ name: LEASE, value: `- 0`, created_at: new Date(now) })
      .onConflict('name')
      .ignore();
    const current = String((await knex('server_secrets').where({ name: LEASE }).first('value')).value);
    const [holder, until] = current.split(' ');
    if (holder !== this.options.holder && Number(until) > now) return false;
    // Compare-and-swap: of two servers that read the same expired lease, one update matches.
    return (await knex('server_secrets').where({ name: LEASE, value: current }).update({ value })) === 1;
  }

  private async releaseLease(): Promise<void> {
    await knexOf(this.db)('server_secrets').where({ name: LEASE }).andWhereLike('value', `${this.options.holder} %`).update({ value: '- 0' });
  }
}
