import type { WebSocket } from 'ws';
import { COLLAB_CLOSE } from '@tandem/schema/collab';
import { decodeClientMessage, isReadableUpdate } from './protocol.js';
import { DocumentFullError, type Room, type RoomConnection } from './room.js';

export interface ConnectionLimits {
  /** Messages per second a client may send on average … */
  messagesPerSecond: number;
  /** … and in a burst. */
  burst: number;
  /** Bytes per second a client may send on average (a burst may reach the message size limit several times). */
  bytesPerSecond: number;
  burstBytes: number;
}

/**
 * One client socket in a room. Every message is untrusted: it is rate limited, parsed,
 * and an update is checked to be readable before the room stores it. Anything malformed
 * closes this socket with a reason and touches nothing else.
 */
export class ClientConnection implements RoomConnection {
  private tokens: number;
  private byteTokens: number;
  private refilledAt = Date.now();
  /** Messages are handled one after another, so a client's updates are stored in the order sent. */
  private queue: Promise<void> = Promise.resolve();
  private open = true;

  constructor(
    private readonly socket: WebSocket,
    private readonly room: Room,
    readonly userId: string,
    readonly readOnly: boolean,
    readonly wantsSaved: boolean,
    private readonly limits: ConnectionLimits,
    private readonly onClosed: (connection: ClientConnection) => void,
  ) {
    this.tokens = limits.burst;
    this.byteTokens = limits.burstBytes;
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
    socket.on('close', () => this.closed());
    socket.on('error', () => this.closed());
  }

  send(message: Uint8Array): void {
    if (this.open && this.socket.readyState === this.socket.OPEN) this.socket.send(message, { binary: true });
  }

  close(code: number, reason: string): void {
    if (!this.open) return;
    this.socket.close(code, reason.slice(0, 120));
    this.closed();
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (!this.open) return;
    const refused = this.take(data.byteLength);
    if (refused) {
      this.close(COLLAB_CLOSE.rateLimited, `rate limit: more than ${refused}`);
      return;
    }
    if (!isBinary) {
      this.close(COLLAB_CLOSE.malformed, 'expected binary y-websocket messages');
      return;
    }
    let message;
    try {
      message = decodeClientMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch (error) {
      this.close(COLLAB_CLOSE.malformed, `malformed message: ${(error as Error).message}`);
      return;
    }
    if (message.kind === 'update' && !this.readOnly && !isReadableUpdate(message.update)) {
      this.close(COLLAB_CLOSE.malformed, 'malformed Yjs update');
      return;
    }
    this.queue = this.queue.then(async () => {
      if (!this.open) return;
      try {
        await this.room.receive(this, message);
      } catch (error) {
        // The edit was not stored; the client keeps it and sends it again when it reconnects.
        this.close(error instanceof DocumentFullError ? COLLAB_CLOSE.documentFull : COLLAB_CLOSE.malformed, (error as Error).message);
      }
    });
  }

  /** Spends one message and its bytes from the connection's budgets; says which one ran out. */
  private take(bytes: number): string | null {
    const now = Date.now();
    const seconds = (now - this.refilledAt) / 1000;
    this.tokens = Math.min(this.limits.burst, this.tokens + seconds * this.limits.messagesPerSecond);
    this.byteTokens = Math.min(this.limits.burstBytes, this.byteTokens + seconds * this.limits.bytesPerSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return `${this.limits.messagesPerSecond} messages per second`;
    if (this.byteTokens < bytes) return `${Math.round(this.limits.bytesPerSecond / 1024)} KiB per second`;
    this.tokens -= 1;
    this.byteTokens -= bytes;
    return null;
  }

  private closed(): void {
    if (!this.open) return;
    this.open = false;
    this.room.detach(this);
    this.onClosed(this);
  }
}
