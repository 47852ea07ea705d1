import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type * as Y from 'yjs';
import { docToDefinition } from '@tandem/schema/collab';
import type { User } from '../db/entities.js';
import type { Database } from '../db/orm.js';
import type { AccessService } from '../services/access.js';
import { writeWorkflowRow, type DraftStore } from '../services/workflows.js';
import type { ConnectionLimits } from './connection.js';
import { CollabDraftStore, seedFromWorkflowRow } from './draft-store.js';
import { LocalFanout, RedisFanout, type CollabFanout } from './fanout.js';
import { RoomRegistry } from './room-registry.js';
import { CollabSocketServer } from './socket-server.js';
import { DocumentStore } from './store.js';
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
 *
 * This is where the parts are put together: the document store (store.ts), the fan-out
 * (fanout.ts), the rooms (room.ts) and the registry that opens them with their hooks
 * (room-registry.ts), the drafts as the API sees them (draft-store.ts), the websocket
 * adapter (socket-server.ts) and the tickets (tickets.ts).
 */
export class CollabService {
  private readonly catchUpTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly access: AccessService,
    private readonly tickets: TicketIssuer,
    private readonly fanout: CollabFanout,
    private readonly rooms: RoomRegistry,
    private readonly sockets: CollabSocketServer,
    /** The drafts for WorkflowService: the live documents. */
    readonly drafts: DraftStore,
    redisUrl: string | undefined,
  ) {
    access.onChange({ accessChanged: (workflowId, userId, role) => rooms.accessChanged(workflowId, userId, role) });
    if (redisUrl) {
      // Pub/sub loses what is sent while a link is down: read it back from the database.
      fanout.onResume(() => void rooms.catchUpAll());
      this.catchUpTimer = setInterval(() => void rooms.catchUpAll(), 10_000);
      this.catchUpTimer.unref();
    }
  }

  static async create(db: Database, access: AccessService, options: CollabOptions): Promise<CollabService> {
    const store = new DocumentStore(db);
    const fanout = options.redisUrl ? new RedisFanout(options.redisUrl) : new LocalFanout();
    const load = (workflowId: string) => store.loadOrSeed(workflowId, () => seedFromWorkflowRow(db, workflowId));
    const rooms = new RoomRegistry({
      store,
      fanout,
      load,
      changed: (workflowId, doc) => void refreshRow(db, workflowId, doc, options.log),
      idleUnloadMs: options.idleUnloadMs,
      compactAfter: options.compactAfter,
      maxDocumentBytes: options.maxDocumentBytes,
      log: options.log,
    });
    const tickets = await TicketIssuer.create(db, options.ticketTtlMs);
    const sockets = new CollabSocketServer(rooms, tickets, access, { maxMessageBytes: options.maxMessageBytes, limits: options.limits, log: options.log });
    return new CollabService(access, tickets, fanout, rooms, sockets, new CollabDraftStore(rooms, load), options.redisUrl);
  }

  /** A ticket for one workflow's room; viewers get a read-only one. */
  async ticket(user: User, workflowId: string, publicUrl: string): Promise<CollabTicket> {
    const { workflow, role } = await this.access.require(user, workflowId, 'VIEWER');
    const { ticket, expiresAt } = this.tickets.issue(user.id, workflow.id);
    const base = publicUrl.replace(/^http/, 'ws').replace(/\/+$/, '');
    return { url: `${base}/collab`, room: workflow.id, ticket, expiresAt, readOnly: role === 'VIEWER' };
  }

  /** Hands an upgrade request for /collab/<workflow id> to the websocket adapter. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    return this.sockets.handleUpgrade(request, socket, head);
  }

  /** How many rooms this server holds in memory (for metrics). */
  get openRooms(): number {
    return this.rooms.size;
  }

  isLoaded(workflowId: string): boolean {
    return this.rooms.get(workflowId) !== undefined;
  }

  /** Resolves when the fan-out to other API servers (Redis, when configured) answers. */
  ping(): Promise<void> {
    return this.fanout.ping();
  }

  async close(): Promise<void> {
    this.sockets.stopAccepting();
    clearInterval(this.catchUpTimer);
    await this.rooms.close();
    await this.sockets.close();
    await this.fanout.close();
  }
}

/** Keeps the workflow row's copy of the draft in line with the document (through the row's one writer). */
async function refreshRow(db: Database, workflowId: string, doc: Y.Doc, log: (line: string) => void): Promise<void> {
  try {
    await writeWorkflowRow(db, workflowId, docToDefinition(doc));
  } catch (error) {
    log(`collab: refreshing workflow ${workflowId} failed: ${(error as Error).message}`);
  }
}
