import * as Y from 'yjs';
import type { WorkflowDefinition } from '@tandem/schema';
import { applyDefinition, createWorkflowDoc, docToDefinition } from '@tandem/schema/collab';
import { knexOf, type Database } from '../db/orm.js';
import { badInput } from '../errors.js';
import type { DraftStore } from '../services/workflows.js';
import { DocumentFullError } from './room.js';
import type { RoomRegistry } from './room-registry.js';
import { applyStoredUpdates, type LoadedDocument } from './store.js';

/**
 * Workflow drafts as the API sees them: each is the workflow's collaboration document. Reads
 * take the open room when this server holds it (after its pending writes), else what is
 * stored; changes go through the room, the same durable path as an editor's.
 */
export class CollabDraftStore implements DraftStore {
  constructor(
    private readonly rooms: RoomRegistry,
    /** Reads a stored document, seeding it first when it was never stored. */
    private readonly load: (workflowId: string) => Promise<LoadedDocument>,
  ) {}

  /** The live draft: from the open room, or read from storage. */
  async readDraft(workflowId: string): Promise<WorkflowDefinition> {
    const open = this.rooms.get(workflowId);
    if (open) {
      const room = await open;
      await room.drain();
      return docToDefinition(room.doc);
    }
    const doc = await this.loadDetached(workflowId);
    try {
      return docToDefinition(doc);
    } finally {
      doc.destroy();
    }
  }

  /**
   * Changes the draft into `definition` by applying only the difference, as one update that
   * connected editors receive like anyone's edit. Resolves once it is durable.
   */
  async replaceDraft(workflowId: string, definition: WorkflowDefinition): Promise<void> {
    const room = await this.rooms.open(workflowId);
    try {
      await room.change((doc) => applyDefinition(doc, definition));
    } catch (error) {
      if (error instanceof DocumentFullError) throw badInput(error.message);
      throw error;
    } finally {
      this.rooms.release(workflowId);
    }
  }

  /** The draft and its Yjs snapshot, as of every update stored so far (for deploys). */
  async snapshot(workflowId: string): Promise<{ definition: WorkflowDefinition; snapshot: Uint8Array }> {
    const open = this.rooms.get(workflowId);
    let doc: Y.Doc;
    let detached = false;
    if (open) {
      const room = await open;
      await room.drain();
      await room.catchUp(); // another server may have stored edits not relayed here yet
      doc = room.doc;
    } else {
      doc = await this.loadDetached(workflowId);
      detached = true;
    }
    try {
      return { definition: docToDefinition(doc), snapshot: Y.encodeSnapshot(Y.snapshot(doc)) };
    } finally {
      if (detached) doc.destroy();
    }
  }

  /** Closes every socket of a deleted workflow, here and on the other servers. */
  async workflowDeleted(workflowId: string): Promise<void> {
    this.rooms.workflowDeleted(workflowId);
  }

  private async loadDetached(workflowId: string): Promise<Y.Doc> {
    const stored = await this.load(workflowId);
    const doc = new Y.Doc({ gc: false });
    applyStoredUpdates(doc, [stored.state, ...stored.updates.map((u) => u.data)], null);
    return doc;
  }
}

/** The first state of a document never stored before: the workflow row's definition column. */
export async function seedFromWorkflowRow(db: Database, workflowId: string): Promise<Uint8Array> {
  const row = await knexOf(db)('workflows').where({ id: workflowId }).first('definition');
  if (!row) throw new Error(`workflow "${workflowId}" not found`);
  const definition = (typeof row.definition === 'string' ? JSON.parse(row.definition) : row.definition) as WorkflowDefinition;
  const doc = createWorkflowDoc(definition);
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return state;
}
