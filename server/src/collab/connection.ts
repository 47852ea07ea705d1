import type { WebSocket } from 'ws';
import { CLOSE, decodeClientMessage, isReadableUpdate } from './protocol.js';
import type { Room, RoomConnection } from './room.js';

export interface ConnectionLimits {
  /** Messages per second a client may send on average … */
  messagesPerSecond: number;
  /** … and in a burst. */
  burst: number;
}

/**
 * One client socket in a room. Every message is untrusted: it is rate limited, parsed,
 * and an update is checked to be readable before the room stores it. Anything malformed
 * closes this socket with a reason and touches nothing else.
 */
export class ClientConnection implements RoomConnection {
  private tokens: number;
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
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
    socket.on('close', () => this.closed());
    socket.on('error', () => this.closed());
    room.attach(this);
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
    if (!this.take()) {
      this.close(CLOSE.rateLimited, `rate limit: more than ${this.limits.messagesPerSecond} messages per second`);
      return;
    }
    if (!isBinary) {
      this.close(CLOSE.malformed, 'expected binary y-websocket messages');
      return;
    }
    let message;
    try {
      message = decodeClientMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch (error) {
      this.close(CLOSE.malformed, `malformed message: ${(error as Error).message}`);
      return;
    }
    if (message.kind === 'update' && !this.readOnly && !isReadableUpdate(message.update)) {
      this.close(CLOSE.malformed, 'malformed Yjs update');
      return;
    }
    this.queue = this.queue.then(async () => {
      if (!this.open) return;
      try {
        await this.room.receive(this, message);
      } catch (error) {
        // The edit was not stored; the client keeps it and sends it again when it reconnects.
        this.close(CLOSE.malformed, (error as Error).message);
      }
    });
  }

  private take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.limits.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.limits.messagesPerSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private closed(): void {
    if (!this.open) return;
    this.open = false;
    this.room.detach(this);
    this.onClosed(this);
  }
}
