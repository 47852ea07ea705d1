import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import * as Y from 'yjs';
import type { WorkflowDefinition } from '@tandem/schema';
import { applyDefinition, createWorkflowDoc, docToDefinition } from '@tandem/schema/collab';
import type { User, WorkflowRole } from '../db/entities.js';
import { knexOf, type Database } from '../db/orm.js';
import type { AccessService } from '../services/access.js';
import { writeWorkflowRow } from '../services/workflows.js';
import { ClientConnection, type ConnectionLimits } from './connection.js';
import { FANOUT_KINDS, LocalFanout, RedisFanout, type CollabFanout } from './fanout.js';
import { COLLAB_CLOSE, COLLAB_PARAM } from '@tandem/schema/collab';
import { DocumentFullError, Room } from './room.js';
import { badInput } from '../errors.js';
import { applyStoredUpdates, DocumentStore } from './store.js';
import { TicketIssuer } from './tickets.js';

export interface CollabOptions {
  /** With a URL, rooms are shared with the other API servers through Redis. */
  redisUrl?: string | undefined;
  ticketTtlMs: number;
  /** A room with nobody connected is unloaded after this long. */
  idleUnloadMs: number;
  /** Largest message a client may send (bytes). */
  maxMessageBytes: number;
  limits: ConnectionLimits;
  /** Stored size past which a document takes no more edits (history included). */
  maxDocumentBytes: number;
  compactAfter: number;
  log(line: string): void;
}

export const DEFAULT_COLLAB_OPTIONS: Omit<CollabOptions, 'log'> = {
  ticketTtlMs: 60_000,
  idleUnloadMs: 30_000,
  maxMessageBytes: 4_000_000,
  limits: { messagesPerSecond: 200, burst: 600, bytesPerSecond: 1_000_000, burstBytes: 16_000_000 },
  maxDocumentBytes: 32_000_000,
  compactAfter: 500,
};

export interface CollabTicket {
  url: string;
  room: string;
  ticket: string;
  expiresAt: Date;
  readOnly: boolean;
}

/**
 * Live co-editing of workflow drafts over the y-websocket protocol at /collab/<workflow id>.
 * Each workflow's draft is one Yjs document: the source of truth for the draft, persisted
 * update by update, compacted, and shared across API servers through Redis.
 */
export class CollabService {
  private readonly rooms = new Map<string, Promise<Room>>();
  private readonly connections = new Map<string, Set<ClientConnection>>();
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>();
  private readonly wss: WebSocketServer;
  private readonly catchUpTimer: NodeJS.Timeout | undefined;
  private closing = false;

  private constructor(
    private readonly db: Database,
    private readonly access: AccessService,
    private readonly store: DocumentStore,
    private readonly tickets: TicketIssuer,
    private readonly fanout: CollabFanout,
    private readonly options: CollabOptions,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
    access.onChange({ accessChanged: (workflowId, userId, role) => this.accessChanged(workflowId, userId, role) });
    if (options.redisUrl) {
      // Pub/sub loses what is sent while a link is down: read it back from the database.
      fanout.onResume(() => void this.catchUpAll());
      this.catchUpTimer = setInterval(() => void this.catchUpAll(), 10_000);
      this.catchUpTimer.unref();
    }
  }

  static async create(db: Database, access: AccessService, options: CollabOptions): Promise<CollabService> {
    const fanout = options.redisUrl ? new RedisFanout(options.redisUrl) : new LocalFanout();
    return new CollabService(db, access, new DocumentStore(db), await TicketIssuer.create(db, options.ticketTtlMs), fanout, options);
  }

  /** A ticket for one workflow's room; viewers get a read-only one. */
  async ticket(user: User, workflowId: string, publicUrl: string): Promise<CollabTicket> {
    const { workflow, role } = await this.access.require(user, workflowId, 'VIEWER');
    const { ticket, expiresAt } = this.tickets.issue(user.id, workflow.id);
    const base = publicUrl.replace(/^http/, 'ws').replace(/\/+$/, '');
    return { url: `${base}/collab`, room: workflow.id, ticket, expiresAt, readOnly: role === 'VIEWER' };
  }

  /**
   * Accepts a socket at /collab/<room>?ticket=… . The ticket and the user's current role are
   * checked, and the document is loaded, before the socket is accepted: nothing of the
   * document is sent to anyone who may not read it, and nobody is served a half-loaded one.
   */
  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (code: number, reason: string) =>
      this.wss.handleUpgrade(request, socket, head, (ws) => ws.close(code, reason));
    if (this.closing) return refuse(COLLAB_CLOSE.shuttingDown, 'server is shutting down');
    const url = new URL(request.url ?? '/', 'http://localhost');
    const room = decodeURIComponent(url.pathname.slice('/collab/'.length));
    const checked = this.tickets.check(url.searchParams.get(COLLAB_PARAM.ticket), room);
    if (!checked.ok) return refuse(COLLAB_CLOSE.unauthenticated, checked.reason);
    let role: WorkflowRole | null;
    let opened: Room;
    try {
      role = await this.access.roleOf(checked.claims.userId, room);
      if (!role) return refuse(COLLAB_CLOSE.forbidden, 'you have no access to this workflow');
      opened = await this.open(room);
    } catch (error) {
      this.options.log(`collab: could not open workflow ${room}: ${(error as Error).message}`);
      return refuse(COLLAB_CLOSE.internalError, 'the document could not be loaded; try again');
    }
    this.wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      clearTimeout(this.unloadTimers.get(room));
      const connection = new ClientConnection(ws, opened, checked.claims.userId, role === 'VIEWER', url.searchParams.get(COLLAB_PARAM.saved) === '1', this.options.limits, (closed) =>
        this.connectionClosed(room, closed),
      );
      let set = this.connections.get(room);
      if (!set) this.connections.set(room, (set = new Set()));
      set.add(connection);
    });
  }

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
    const room = await this.open(workflowId);
    try {
      await room.change((doc) => applyDefinition(doc, definition));
    } catch (error) {
      if (error instanceof DocumentFullError) throw badInput(error.message);
      throw error;
    } finally {
      this.scheduleUnload(workflowId);
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
    this.fanout.publish(workflowId, FANOUT_KINDS.accessChanged, new Uint8Array());
    this.closeSockets(workflowId, null, COLLAB_CLOSE.workflowDeleted, 'the workflow was deleted');
  }

  /** Someone's role changed: their sockets close (they reconnect read-only, or not at all). */
  accessChanged(workflowId: string, userId: string, role: WorkflowRole | null): void {
    this.fanout.publish(workflowId, FANOUT_KINDS.accessChanged, new TextEncoder().encode(userId));
    this.closeSockets(workflowId, userId, role ? COLLAB_CLOSE.accessChanged : COLLAB_CLOSE.forbidden, role ? `your role changed to ${role}` : 'your access to this workflow was removed');
  }

  /** How many rooms this server holds in memory (for metrics). */
  get openRooms(): number {
    return this.rooms.size;
  }

  isLoaded(workflowId: string): boolean {
    return this.rooms.has(workflowId);
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.catchUpTimer);
    for (const set of this.connections.values()) for (const connection of set) connection.close(COLLAB_CLOSE.shuttingDown, 'server is shutting down');
    for (const timer of this.unloadTimers.values()) clearTimeout(timer);
    await Promise.all([...this.rooms.keys()].map((id) => this.unload(id)));
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await this.fanout.close();
  }

  private open(workflowId: string): Promise<Room> {
    let room = this.rooms.get(workflowId);
    if (!room) {
      room = Room.open(workflowId, {
        store: this.store,
        fanout: this.fanout,
        seed: (id) => this.seed(id),
        changed: (id, doc) => void this.materialize(id, doc),
        compactAfter: this.options.compactAfter,
        maxDocumentBytes: this.options.maxDocumentBytes,
        failed: (id) => void this.abandon(id),
        log: this.options.log,
      }).then((opened) => {
        opened.onAccessChanged = (userId) =>
          userId === ''
            ? this.closeSockets(workflowId, null, COLLAB_CLOSE.workflowDeleted, 'the workflow was deleted')
            : this.closeSockets(workflowId, userId, COLLAB_CLOSE.accessChanged, 'your access to this workflow changed');
        return opened;
      });
      this.rooms.set(workflowId, room);
      room.catch(() => this.rooms.delete(workflowId));
    }
    clearTimeout(this.unloadTimers.get(workflowId));
    return room;
  }

  private connectionClosed(workflowId: string, connection: ClientConnection): void {
    const set = this.connections.get(workflowId);
    set?.delete(connection);
    if (!set || set.size === 0) {
      this.connections.delete(workflowId);
      this.scheduleUnload(workflowId);
    }
  }

  private scheduleUnload(workflowId: string): void {
    if (this.closing || (this.connections.get(workflowId)?.size ?? 0) > 0) return;
    clearTimeout(this.unloadTimers.get(workflowId));
    const timer = setTimeout(() => void this.unload(workflowId), this.options.idleUnloadMs);
    timer.unref();
    this.unloadTimers.set(workflowId, timer);
  }

  private async unload(workflowId: string): Promise<void> {
    this.unloadTimers.delete(workflowId);
    const pending = this.rooms.get(workflowId);
    if (!pending || (this.connections.get(workflowId)?.size ?? 0) > 0) return;
    this.rooms.delete(workflowId);
    try {
      await (await pending).close();
    } catch (error) {
      this.options.log(`collab: unloading workflow ${workflowId}: ${(error as Error).message}`);
    }
  }

  /** Drops a room whose memory got ahead of storage; its clients reconnect to a fresh load. */
  private async abandon(workflowId: string): Promise<void> {
    const pending = this.rooms.get(workflowId);
    if (!pending) return;
    this.rooms.delete(workflowId);
    this.closeSockets(workflowId, null, COLLAB_CLOSE.internalError, 'the edit could not be saved; reconnecting');
    (await pending).abandon();
  }

  private closeSockets(workflowId: string, userId: string | null, code: number, reason: string): void {
    for (const connection of [...(this.connections.get(workflowId) ?? [])]) {
      if (userId === null || connection.userId === userId) connection.close(code, reason);
    }
  }

  private async catchUpAll(): Promise<void> {
    for (const room of this.rooms.values()) {
      try {
        await (await room).catchUp();
      } catch {
        // the next round tries again
      }
    }
  }

  /** A document never stored before starts from the workflow's definition column. */
  private async seed(workflowId: string): Promise<Uint8Array> {
    const row = await this.knex()('workflows').where({ id: workflowId }).first('definition');
    if (!row) throw new Error(`workflow "${workflowId}" not found`);
    const definition = (typeof row.definition === 'string' ? JSON.parse(row.definition) : row.definition) as WorkflowDefinition;
    const doc = createWorkflowDoc(definition);
    const state = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    return state;
  }

  private async loadDetached(workflowId: string): Promise<Y.Doc> {
    const stored = await this.store.loadOrSeed(workflowId, () => this.seed(workflowId));
    const doc = new Y.Doc({ gc: false });
    applyStoredUpdates(doc, [stored.state, ...stored.updates.map((u) => u.data)], null);
    return doc;
  }

  /** Keeps the workflow row's copy of the draft in line with the document (the row's one writer). */
  private async materialize(workflowId: string, doc: Y.Doc): Promise<void> {
    try {
      await writeWorkflowRow(this.db, workflowId, docToDefinition(doc));
    } catch (error) {
      this.options.log(`collab: refreshing workflow ${workflowId} failed: ${(error as Error).message}`);
    }
  }

  private knex() {
    return knexOf(this.db);
  }

}
