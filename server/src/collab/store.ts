import * as Y from 'yjs';
import { knexOf, type Database } from '../db/orm.js';

/** One accepted update in a document's tail. */
export interface StoredUpdate {
  id: number;
  data: Uint8Array;
}

/** What is stored of one document: the compacted state and the updates accepted after it. */
export interface StoredDocument {
  /** Null when the document was never stored (it is then seeded from the workflow's definition column). */
  state: Uint8Array | null;
  throughId: number;
  updates: StoredUpdate[];
}

/** A stored document that exists (seeded when it was never stored). */
export type LoadedDocument = StoredDocument & { state: Uint8Array };

/**
 * Durable Yjs documents: a compacted state per workflow plus an append-only tail of
 * accepted updates. Compaction merges what is stored (never what one server holds in
 * memory, which may miss updates another server persisted) and is safe to run from
 * several servers at once.
 */
export class DocumentStore {
  private readonly knex: ReturnType<typeof knexOf>;

  constructor(db: Database) {
    this.knex = knexOf(db);
  }

  /** The stored document, seeded first (from `seed`) when it was never stored. */
  async loadOrSeed(workflowId: string, seed: () => Promise<Uint8Array>): Promise<LoadedDocument> {
    let stored = await this.load(workflowId);
    if (stored.state === null) {
      await this.seed(workflowId, await seed());
      stored = await this.load(workflowId); // another server may have seeded it first
    }
    return stored as LoadedDocument;
  }

  /**
   * The stored state and the tail after it, as of one moment. A compaction (another room
   * unloading, another server) may commit between the two reads: it moves the state's
   * `through_id` and deletes the updates it merged, so the tail read after it would miss them
   * against the older state. The state row is read again after the tail; when it moved, the
   * read starts over.
   */
  async load(workflowId: string): Promise<StoredDocument> {
    for (;;) {
      const row = await this.stateRow(workflowId);
      const throughId = row ? Number(row.through_id) : 0;
      const updates = await this.updatesAfter(workflowId, throughId);
      const after = await this.stateRow(workflowId);
      if ((after ? Number(after.through_id) : 0) !== throughId || (row === undefined) !== (after === undefined)) continue;
      return { state: row ? toBytes(row.state) : null, throughId, updates };
    }
  }

  private stateRow(workflowId: string): Promise<{ state: unknown; through_id: number | string } | undefined> {
    return this.knex('collab_documents').where({ workflow_id: workflowId }).first('state', 'through_id');
  }

  /**
   * What a room holding every stored update through `afterId` lacks: the updates stored after
   * it and, when a compaction has merged updates past `afterId` (and deleted them from the
   * tail), the compacted state as well. Read consistently, as `load` reads.
   */
  async changesAfter(workflowId: string, afterId: number): Promise<{ state: Uint8Array | null; throughId: number; updates: StoredUpdate[] }> {
    for (;;) {
      const row = await this.stateRow(workflowId);
      const throughId = row ? Number(row.through_id) : 0;
      const updates = await this.updatesAfter(workflowId, Math.max(afterId, throughId));
      const after = await this.stateRow(workflowId);
      if ((after ? Number(after.through_id) : 0) !== throughId) continue;
      return { state: row && throughId > afterId ? toBytes(row.state) : null, throughId, updates };
    }
  }

  /** Updates stored after `afterId` (a server catching up after it missed fan-out messages). */
  async updatesAfter(workflowId: string, afterId: number): Promise<StoredUpdate[]> {
    const rows = await this.knex('collab_updates').where({ workflow_id: workflowId }).andWhere('id', '>', afterId).orderBy('id').select('id', 'data');
    return rows.map((u: { id: number | string; data: unknown }) => ({ id: Number(u.id), data: toBytes(u.data) }));
  }

  /** Stores the first state of a document unless another server stored one first. */
  async seed(workflowId: string, state: Uint8Array): Promise<void> {
    await this.knex('collab_documents')
      .insert({ workflow_id: workflowId, state: Buffer.from(state), through_id: 0, updated_at: new Date() })
      .onConflict('workflow_id')
      .ignore();
  }

  /** Appends accepted updates in one statement; they are durable when this resolves. */
  async append(workflowId: string, updates: readonly Uint8Array[]): Promise<void> {
    if (updates.length === 0) return;
    const now = new Date();
    await this.knex('collab_updates').insert(updates.map((data) => ({ workflow_id: workflowId, data: Buffer.from(data), created_at: now })));
  }

  async tailLength(workflowId: string): Promise<number> {
    const row = await this.knex('collab_documents').where({ workflow_id: workflowId }).first('through_id');
    const count = await this.knex('collab_updates')
      .where({ workflow_id: workflowId })
      .andWhere('id', '>', row ? Number(row.through_id) : 0)
      .count({ n: '*' })
      .first();
    return Number(count?.n ?? 0);
  }

  /**
   * Merges the stored tail into the stored state. Optimistic: when another server compacted
   * in between, this attempt changes nothing (its work is already done).
   */
  async compact(workflowId: string): Promise<{ merged: number }> {
    const stored = await this.load(workflowId);
    if (stored.state === null || stored.updates.length === 0) return { merged: 0 };
    const state = mergeTolerantly(
      stored.state,
      stored.updates.map((u) => u.data),
    );
    const throughId = stored.updates[stored.updates.length - 1]!.id;
    return this.knex.transaction(async (trx) => {
      const claimed = await trx('collab_documents')
        .where({ workflow_id: workflowId, through_id: stored.throughId })
        .update({ state: Buffer.from(state), through_id: throughId, updated_at: new Date() });
      if (claimed === 0) return { merged: 0 };
      await trx('collab_updates').where({ workflow_id: workflowId }).andWhere('id', '<=', throughId).delete();
      return { merged: stored.updates.length };
    });
  }
}

/**
 * Applies stored updates to a document, skipping any that cannot be read (stored before a
 * bug was fixed, or damaged) rather than making the whole document unreadable.
 */
export function applyStoredUpdates(doc: Y.Doc, updates: readonly Uint8Array[], origin: unknown, skipped: (error: Error) => void = () => {}): void {
  for (const update of updates) {
    try {
      Y.applyUpdate(doc, update, origin);
    } catch (error) {
      skipped(error as Error);
    }
  }
}

/**
 * One state from a base and updates. An update that cannot be read (stored before a bug was
 * fixed, or damaged) is skipped rather than making the whole document unreadable.
 */
export function mergeTolerantly(state: Uint8Array, updates: readonly Uint8Array[]): Uint8Array {
  try {
    return Y.mergeUpdates([state, ...updates]);
  } catch {
    const doc = new Y.Doc({ gc: false });
    applyStoredUpdates(doc, [state, ...updates], null);
    return Y.encodeStateAsUpdate(doc);
  }
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new Error(`expected binary column, got ${typeof value}`);
}
