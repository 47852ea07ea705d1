import type { Knex } from '@mikro-orm/knex';
import { WorkflowVersion } from '../db/entities.js';
import { isPostgres, knexOf, type Database } from '../db/orm.js';
import { addFigures, BucketSet, bucketKey, bucketStartOf, HOUR, MINUTE, type BucketFigures } from './buckets.js';
import { COUNTED_EVENT_TYPES, countRunEvents, type CountedChange, type CountedEvent } from './count-events.js';
import { DurationSketch } from './sketch.js';
import { BoundedMap } from '../bounded-map.js';

interface ProgressRow {
  sequence: number;
  firstStepCounted: boolean;
}

/** A run as counting reads it. */
interface RunOfCount {
  id: string;
  workflowId: string;
  versionId: string;
  versionNumber: number;
  startedAt: Date;
}

/** A stored event as counting reads it. */
interface StoredEvent extends CountedEvent {
  executionId: string;
}

/** A date column as read without the ORM: epoch milliseconds on SQLite, a Date from PostgreSQL. */
function dateOf(value: unknown): Date {
  return value instanceof Date ? value : new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : (value as number | string));
}

/** Another server counted some of the same runs at the same moment: the batch is read and counted again. */
class CountRace extends Error {}

export interface CountResult {
  /** Workflows whose runs were looked at (counted here or, at the same moment, by another server). */
  workflowIds: Set<string>;
  changes: CountedChange[];
}

const VERSION_CACHE_MAX = 1_000;
/** Rows in one multi-row insert at most (SQLite allows 32,766 bound values a statement). */
const INSERT_CHUNK = 200;

/**
 * The metrics tables: counting stored events into minute buckets (idempotently: each run keeps
 * the last sequence counted, moved in the same transaction as the buckets, so a redelivered or
 * re-read event never counts twice, on one server or several), rolling minutes into hours, and
 * reading buckets back.
 */
export class MetricsStore {
  private readonly nodeTypesOfVersion = new BoundedMap<string, Map<string, string>>(VERSION_CACHE_MAX);

  constructor(private readonly db: Database) {}

  private get knex(): Knex {
    return knexOf(this.db);
  }

  /** Counts the not yet counted events of these runs. */
  async count(executionIds: readonly string[]): Promise<CountResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.countOnce(executionIds);
      } catch (error) {
        if (attempt >= 5 || !(error instanceof CountRace || isUniqueViolation(error))) throw error;
      }
    }
  }

  private async countOnce(executionIds: readonly string[]): Promise<CountResult> {
    // Read with the query builder, not the ORM: a count reads every event of up to 200 runs.
    const runs = await this.runsOf(executionIds);
    const result: CountResult = { workflowIds: new Set(runs.map((r) => r.workflowId)), changes: [] };
    if (runs.length === 0) return result;
    const progress = await this.progressOf(runs.map((r) => r.id));
    const events = await this.eventsAfter(runs.map((r) => ({ executionId: r.id, after: progress.get(r.id)?.sequence ?? -1 })));
    if (events.length === 0) return result;
    const eventsOf = new Map<string, StoredEvent[]>();
    for (const e of events) {
      const list = eventsOf.get(e.executionId);
      if (list) list.push(e);
      else eventsOf.set(e.executionId, [e]);
    }
    const buckets = new BucketSet();
    const moved: Array<{ executionId: string; before: ProgressRow | undefined; after: ProgressRow }> = [];
    for (const run of runs) {
      const own = eventsOf.get(run.id);
      if (!own) continue;
      const before = progress.get(run.id);
      const counted = countRunEvents(
        {
          workflowId: run.workflowId,
          versionNumber: run.versionNumber,
          startedAt: run.startedAt,
          nodeTypes: await this.nodeTypes(run.versionId),
          firstStepCounted: before?.firstStepCounted ?? false,
        },
        own,
        buckets,
      );
      result.changes.push(counted.change);
      moved.push({ executionId: run.id, before, after: { sequence: own.at(-1)!.sequence, firstStepCounted: counted.firstStepCounted } });
    }
    await this.knex.transaction(async (trx) => {
      const now = Date.now();
      const rowOf = (after: ProgressRow) => ({ sequence: after.sequence, first_step_counted: after.firstStepCounted, updated_at: now });
      // Runs counted for the first time (most of a batch: a short run is counted once) in one insert per chunk.
      const first = moved.filter((m) => !m.before).map(({ executionId, after }) => ({ execution_id: executionId, ...rowOf(after) }));
      for (let i = 0; i < first.length; i += INSERT_CHUNK) await trx('metric_progress').insert(first.slice(i, i + INSERT_CHUNK)); // a unique violation: another server was first
      for (const { executionId, before, after } of moved) {
        if (!before) continue;
        const changed = await trx('metric_progress').where({ execution_id: executionId, sequence: before.sequence }).update(rowOf(after));
        if (changed !== 1) throw new CountRace();
      }
      await this.addBuckets(trx, [...buckets.values()]);
    });
    return result;
  }

  private async runsOf(executionIds: readonly string[]): Promise<RunOfCount[]> {
    const rows = (await this.knex('executions')
      .whereIn('id', [...executionIds])
      .select('id', 'workflow_id', 'version_id', 'version_number', 'started_at')) as Array<{
      id: string;
      workflow_id: string;
      version_id: string;
      version_number: number | string;
      started_at: unknown;
    }>;
    return rows.map((r) => ({
      id: r.id,
      workflowId: r.workflow_id,
      versionId: r.version_id,
      versionNumber: Number(r.version_number),
      startedAt: dateOf(r.started_at),
    }));
  }

  /** The counted kinds of events of each run after a sequence, by run and sequence. */
  private async eventsAfter(runs: Array<{ executionId: string; after: number }>): Promise<StoredEvent[]> {
    const rows = (await this.knex('execution_events')
      .where((any) => {
        for (const { executionId, after } of runs) void any.orWhere((one) => void one.where('execution_id', executionId).where('sequence', '>', after));
      })
      .whereIn('type', [...COUNTED_EVENT_TYPES])
      .orderBy([{ column: 'execution_id' }, { column: 'sequence' }])
      .select('execution_id', 'sequence', 'type', 'node_id', 'at', 'data')) as Array<{
      execution_id: string;
      sequence: number | string;
      type: string;
      node_id: string | null;
      at: unknown;
      data: unknown;
    }>;
    // JSON comes back as text from SQLite, parsed from PostgreSQL.
    const postgres = isPostgres(this.db);
    return rows.map((r) => ({
      executionId: r.execution_id,
      sequence: Number(r.sequence),
      type: r.type,
      nodeId: r.node_id,
      at: dateOf(r.at),
      data: postgres || typeof r.data !== 'string' ? r.data : (JSON.parse(r.data) as unknown),
    }));
  }

  private async progressOf(executionIds: string[]): Promise<Map<string, ProgressRow>> {
    const rows = await this.knex('metric_progress').whereIn('execution_id', executionIds).select('execution_id', 'sequence', 'first_step_counted');
    return new Map(
      rows.map((r: { execution_id: string; sequence: number | string; first_step_counted: boolean | number }) => [
        r.execution_id,
        { sequence: Number(r.sequence), firstStepCounted: Boolean(r.first_step_counted) },
      ]),
    );
  }

  /** Node id → type for a version (immutable, so cached). */
  private async nodeTypes(versionId: string): Promise<Map<string, string>> {
    const cached = this.nodeTypesOfVersion.get(versionId);
    if (cached) return cached;
    const version = await this.db.em.fork().findOne(WorkflowVersion, { id: versionId }, { fields: ['id', 'definition'] });
    const nodes = (version?.definition as { nodes?: Array<{ id?: unknown; type?: unknown }> } | undefined)?.nodes ?? [];
    const types = new Map<string, string>();
    for (const node of nodes) if (typeof node.id === 'string' && typeof node.type === 'string') types.set(node.id, node.type.slice(0, 32));
    this.nodeTypesOfVersion.set(versionId, types);
    return types;
  }

  /** Adds figures into their rows (read under a row lock on PostgreSQL; SQLite has one writer). */
  private async addBuckets(trx: Knex.Transaction, figures: BucketFigures[]): Promise<void> {
    for (let i = 0; i < figures.length; i += 100) {
      const chunk = figures.slice(i, i + 100);
      const query = trx('metric_buckets').where((w) => {
        for (const f of chunk)
          w.orWhere({ workflow_id: f.workflowId, version_number: f.versionNumber, node_id: f.nodeId, resolution: f.resolution, bucket_start: f.bucketStart });
      });
      if (isPostgres(this.db)) void query.forUpdate();
      const existing = new Map((await query.select('*')).map((row: BucketRow) => [bucketKey(figuresOf(row)), row]));
      const added = [];
      for (const f of chunk) {
        const row = existing.get(bucketKey(f));
        if (row) {
          const merged = addFigures(figuresOf(row), f);
          await trx('metric_buckets').where({ id: row.id }).update(countsOf(merged));
        } else {
          added.push({
            workflow_id: f.workflowId,
            version_number: f.versionNumber,
            node_id: f.nodeId,
            node_type: f.nodeType,
            resolution: f.resolution,
            bucket_start: f.bucketStart,
            ...countsOf(f),
          });
        }
      }
      // New buckets in one insert (a chunk holds at most 100).
      if (added.length > 0) await trx('metric_buckets').insert(added);
    }
  }

  /** Buckets of these workflows that start in [from, to), both resolutions, oldest first. */
  async read(
    workflowIds: readonly string[],
    from: number,
    to: number,
    options: { nodes: boolean; versionNumber?: number | undefined },
  ): Promise<BucketFigures[]> {
    if (workflowIds.length === 0) return [];
    const rows: BucketRow[] = [];
    for (let i = 0; i < workflowIds.length; i += 500) {
      const query = this.knex('metric_buckets')
        .whereIn('workflow_id', workflowIds.slice(i, i + 500))
        .where('bucket_start', '>=', from)
        .where('bucket_start', '<', to);
      if (!options.nodes) void query.where('node_id', '');
      if (options.versionNumber !== undefined) void query.where('version_number', options.versionNumber);
      rows.push(...((await query.orderBy('bucket_start', 'asc').select('*')) as BucketRow[]));
    }
    return rows.map(figuresOf);
  }

  /** Minute buckets older than `before` become hour buckets (merged, so percentiles stay exact to the sketch). */
  async rollUp(before: number): Promise<number> {
    let rolled = 0;
    for (;;) {
      const rows = (await this.knex('metric_buckets')
        .where({ resolution: MINUTE })
        .where('bucket_start', '<', bucketStartOf(before, HOUR))
        .orderBy('id', 'asc')
        .limit(1_000)
        .select('*')) as BucketRow[];
      if (rows.length === 0) return rolled;
      const hours = new BucketSet();
      for (const row of rows) {
        const f = figuresOf(row);
        addFigures(hours.at({ ...f, resolution: HOUR, bucketStart: bucketStartOf(f.bucketStart, HOUR) }), f);
      }
      await this.knex.transaction(async (trx) => {
        const deleted = await trx('metric_buckets')
          .whereIn(
            'id',
            rows.map((r) => r.id),
          )
          .delete();
        // Another server rolled the same rows up at the same moment: theirs counts.
        if (deleted !== rows.length) throw new CountRace();
        await this.addBuckets(trx, [...hours.values()]);
      });
      rolled += rows.length;
    }
  }

  /** Forgets buckets older than `before`, and the counting progress of runs untouched since then. */
  async prune(before: number): Promise<void> {
    await this.knex('metric_buckets').where('bucket_start', '<', before).delete();
    await this.knex('metric_progress').where('updated_at', '<', before).delete();
  }
}

interface BucketRow {
  id: number | string;
  workflow_id: string;
  version_number: number;
  node_id: string;
  node_type: string;
  resolution: number;
  bucket_start: number | string;
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  retries: number;
  duration: string;
  first_step: string;
}

function figuresOf(row: BucketRow): BucketFigures {
  return {
    workflowId: row.workflow_id,
    versionNumber: Number(row.version_number),
    nodeId: row.node_id,
    nodeType: row.node_type,
    resolution: Number(row.resolution),
    bucketStart: Number(row.bucket_start),
    started: Number(row.started),
    completed: Number(row.completed),
    failed: Number(row.failed),
    cancelled: Number(row.cancelled),
    retries: Number(row.retries),
    duration: DurationSketch.parse(row.duration),
    firstStep: DurationSketch.parse(row.first_step),
  };
}

function countsOf(f: BucketFigures) {
  return {
    started: f.started,
    completed: f.completed,
    failed: f.failed,
    cancelled: f.cancelled,
    retries: f.retries,
    duration: f.duration.serialize(),
    first_step: f.firstStep.serialize(),
  };
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return (
    e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || /unique constraint/i.test(String(e.message))
  );
}
