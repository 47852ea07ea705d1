import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { COLLAB_CLOSE, COLLAB_PARAM } from '@tandem/schema/collab';
import type { WorkflowRole } from '../db/entities.js';
import type { AccessService } from '../services/access.js';
import { ClientConnection, type ConnectionLimits } from './connection.js';
import type { Room } from './room.js';
import type { RoomRegistry } from './room-registry.js';
import type { TicketIssuer } from './tickets.js';

export interface SocketServerOptions {
  /** Largest message a client may send (bytes). */
  maxMessageBytes: number;
  limits: ConnectionLimits;
  log(line: string): void;
}

/**
 * The websocket end of /collab/<workflow id>: checks the ticket and the user's current role,
 * has the room opened, and only then accepts the socket and hands it to the room. Nothing of
 * a document is sent to anyone who may not read it, and nobody is served a half-loaded one.
 */
export class CollabSocketServer {
  private readonly wss: WebSocketServer;
  private accepting = true;

  constructor(
    private readonly rooms: RoomRegistry,
    private readonly tickets: TicketIssuer,
    private readonly access: AccessService,
    private readonly options: SocketServerOptions,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
  }

  /** Accepts a socket at /collab/<room>?ticket=… (and `saved=1` for acknowledgements). */
  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (code: number, reason: string) => this.wss.handleUpgrade(request, socket, head, (ws) => ws.close(code, reason));
    if (!this.accepting) return refuse(COLLAB_CLOSE.shuttingDown, 'server is shutting down');
    const url = new URL(request.url ?? '/', 'http://localhost');
    const workflowId = decodeURIComponent(url.pathname.slice('/collab/'.length));
    const checked = this.tickets.check(url.searchParams.get(COLLAB_PARAM.ticket), workflowId);
    if (!checked.ok) return refuse(COLLAB_CLOSE.unauthenticated, checked.reason);
    let role: WorkflowRole | null;
    let room: Room;
    try {
      role = await this.access.roleOf(checked.claims.userId, workflowId);
      if (!role) return refuse(COLLAB_CLOSE.forbidden, 'you have no access to this workflow');
      room = await this.rooms.open(workflowId);
    } catch (error) {
      this.options.log(`collab: could not open workflow ${workflowId}: ${(error as Error).message}`);
      return refuse(COLLAB_CLOSE.internalError, 'the document could not be loaded; try again');
    }
    const wantsSaved = url.searchParams.get(COLLAB_PARAM.saved) === '1';
    this.wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const connection = new ClientConnection(ws, room, checked.claims.userId, role === 'VIEWER', wantsSaved, this.options.limits, () =>
        this.rooms.release(workflowId),
      );
      this.rooms.attach(room, connection);
    });
  }

  /** Refuses new sockets from now on (with 1001: clients reconnect to another server). */
  stopAccepting(): void {
    this.accepting = false;
  }

  async close(): Promise<void> {
    this.accepting = false;
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
