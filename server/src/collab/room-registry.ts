import type * as Y from 'yjs';
import { COLLAB_CLOSE } from '@tandem/schema/collab';
import type { WorkflowRole } from '../db/entities.js';
import { accessChangePayload, FANOUT_KINDS, type CollabFanout } from './fanout.js';
import { Room, type RoomConnection, type RoomHooks, type RoomLimits } from './room.js';
import type { DocumentStore, LoadedDocument } from './store.js';

export interface RoomRegistryOptions extends RoomLimits {
  store: DocumentStore;
  fanout: CollabFanout;
  /** Reads a stored document, seeding it first when it was never stored. */
  load(workflowId: string): Promise<LoadedDocument>;
  /** Edits of a room were stored (debounced), e.g. to refresh the workflow row. */
  changed(workflowId: string, doc: Y.Doc): void;
  /** A room with nobody connected is unloaded after this long. */
  idleUnloadMs: number;
  log(line: string): void;
}

interface Entry {
  opening: Promise<Room>;
  /** Set once the room has loaded. */
  room: Room | undefined;
}

/**
 * The rooms this server holds in memory: opens each one once (with its hooks), unloads it
 * when nobody has been connected for a while, drops it when storing failed, and closes the
 * sockets of people whose access changed, here and (through the fan-out) on other servers.
 */
export class RoomRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>();
  private closing = false;

  constructor(private readonly options: RoomRegistryOptions) {}

  /** The room of a workflow, opened (loaded) on first use. */
  open(workflowId: string): Promise<Room> {
    let entry = this.entries.get(workflowId);
    if (!entry) {
      const created: Entry = { opening: Room.open(workflowId, this.hooksFor(workflowId), this.options), room: undefined };
      void created.opening.then(
        (room) => (created.room = room),
        () => this.entries.get(workflowId) === created && this.entries.delete(workflowId),
      );
      this.entries.set(workflowId, (entry = created));
    }
    clearTimeout(this.unloadTimers.get(workflowId));
    return entry.opening;
  }

  /** The room when this server holds it (loaded or loading), without opening it. */
  get(workflowId: string): Promise<Room> | undefined {
    return this.entries.get(workflowId)?.opening;
  }

  /** Adds a socket to a room it opened; the room then stays loaded until its last socket leaves. */
  attach(room: Room, connection: RoomConnection): void {
    clearTimeout(this.unloadTimers.get(room.workflowId));
    room.attach(connection);
  }

  /** A socket left, or an API change is done: unloads the room later when nobody is connected. */
  release(workflowId: string): void {
    if (this.closing || (this.entries.get(workflowId)?.room?.connections.size ?? 0) > 0) return;
    clearTimeout(this.unloadTimers.get(workflowId));
    const timer = setTimeout(() => void this.unload(workflowId), this.options.idleUnloadMs);
    timer.unref();
    this.unloadTimers.set(workflowId, timer);
  }

  /** Someone's role changed here: their sockets close, on every server (they reconnect with the new role, or not at all). */
  accessChanged(workflowId: string, userId: string, role: WorkflowRole | null): void {
    this.options.fanout.publish(workflowId, FANOUT_KINDS.accessChanged, accessChangePayload(userId));
    this.closeSockets(
      workflowId,
      userId,
      role ? COLLAB_CLOSE.accessChanged : COLLAB_CLOSE.forbidden,
      role ? `your role changed to ${role}` : 'your access to this workflow was removed',
    );
  }

  /** Closes every socket of a deleted workflow, here and on the other servers. */
  workflowDeleted(workflowId: string): void {
    this.options.fanout.publish(workflowId, FANOUT_KINDS.accessChanged, accessChangePayload(null));
    this.closeSockets(workflowId, null, COLLAB_CLOSE.workflowDeleted, 'the workflow was deleted');
  }

  /** Reads what other servers stored into every room held here (after a fan-out outage). */
  async catchUpAll(): Promise<void> {
    for (const entry of this.entries.values()) {
      try {
        await (await entry.opening).catchUp();
      } catch {
        // the next round tries again
      }
    }
  }

  /** How many rooms this server holds in memory (for metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** Closes every socket, then flushes, compacts and unloads every room. */
  async close(): Promise<void> {
    this.closing = true;
    for (const entry of this.entries.values()) {
      for (const connection of [...(entry.room?.connections ?? [])]) connection.close(COLLAB_CLOSE.shuttingDown, 'server is shutting down');
    }
    for (const timer of this.unloadTimers.values()) clearTimeout(timer);
    await Promise.all([...this.entries.keys()].map((id) => this.unload(id)));
  }

  /** The hooks a room is given when it opens: storage, fan-out, and what the registry does for it. */
  private hooksFor(workflowId: string): RoomHooks {
    const { store, fanout, log } = this.options;
    return {
      load: () => this.options.load(workflowId),
      loadAfter: (id) => store.changesAfter(workflowId, id),
      store: (updates) => store.append(workflowId, updates),
      storeFailed: () => void this.abandon(workflowId),
      compact: () => store.compact(workflowId),
      changed: (doc) => this.options.changed(workflowId, doc),
      joinFanout: (receive) => fanout.join(workflowId, receive),
      publish: (kind, payload) => fanout.publish(workflowId, kind, payload),
      accessChanged: (userId) =>
        userId === null
          ? this.closeSockets(workflowId, null, COLLAB_CLOSE.workflowDeleted, 'the workflow was deleted')
          : this.closeSockets(workflowId, userId, COLLAB_CLOSE.accessChanged, 'your access to this workflow changed'),
      log,
    };
  }

  private async unload(workflowId: string): Promise<void> {
    this.unloadTimers.delete(workflowId);
    const entry = this.entries.get(workflowId);
    if (!entry || (entry.room?.connections.size ?? 0) > 0) return;
    this.entries.delete(workflowId);
    try {
      await (await entry.opening).close();
    } catch (error) {
      this.options.log(`collab: unloading workflow ${workflowId}: ${(error as Error).message}`);
    }
  }

  /** Drops a room whose memory got ahead of storage; its clients reconnect to a fresh load. */
  private async abandon(workflowId: string): Promise<void> {
    const entry = this.entries.get(workflowId);
    if (!entry) return;
    this.closeSockets(workflowId, null, COLLAB_CLOSE.internalError, 'the edit could not be saved; reconnecting');
    this.entries.delete(workflowId);
    (await entry.opening).abandon();
  }

  private closeSockets(workflowId: string, userId: string | null, code: number, reason: string): void {
    for (const connection of [...(this.entries.get(workflowId)?.room?.connections ?? [])]) {
      if (userId === null || connection.userId === userId) connection.close(code, reason);
    }
  }
}
