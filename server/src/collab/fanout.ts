import { randomBytes } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { processLog } from '@tandem/worker';

/** What travels between API servers about one room. */
export const FANOUT_KINDS = {
  /** A Yjs update the sending server has persisted (or is persisting). */
  update: 0,
  /** An awareness update of clients connected to the sending server. */
  awareness: 1,
  /** A server opened the room: everyone answers with their clients' awareness. */
  queryAwareness: 2,
  /** Someone's access changed (payload: the user id; empty when the workflow was deleted): their sockets close. */
  accessChanged: 3,
} as const;
export type FanoutKind = (typeof FANOUT_KINDS)[keyof typeof FANOUT_KINDS];

export type FanoutHandler = (kind: FanoutKind, payload: Uint8Array) => void;

/** The payload of an access change: the user whose access changed, or nobody's in particular (the workflow was deleted). */
export function accessChangePayload(userId: string | null): Uint8Array {
  return new TextEncoder().encode(userId ?? '');
}

/** The user an access-change payload names; null when the workflow was deleted. */
export function readAccessChange(payload: Uint8Array): string | null {
  return new TextDecoder().decode(payload) || null;
}

/** Relays room traffic to the other API servers of a deployment. */
export interface CollabFanout {
  /** Starts hearing a room; the returned function stops this handler only (a newer copy of the room may still listen). */
  join(room: string, handler: FanoutHandler): Promise<() => Promise<void>>;
  publish(room: string, kind: FanoutKind, payload: Uint8Array): void;
  /** Called after the link came back from an outage, when messages may have been missed. */
  onResume(handler: () => void): void;
  /** Resolves when the link to the other servers answers (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** One server: nothing to relay. */
export class LocalFanout implements CollabFanout {
  async join(): Promise<() => Promise<void>> {
    return async () => {};
  }
  publish(): void {}
  onResume(): void {}
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

const INSTANCE_ID_BYTES = 12;
const reconnectStrategy = (retries: number) => Math.min(100 * 2 ** Math.min(retries, 6), 5_000);

/**
 * Redis pub/sub, one channel per open room. A message is [kind][sender id][payload]; a
 * server ignores its own. Pub/sub is not durable, so after an outage each server reads
 * what it missed from the database (onResume).
 */
export class RedisFanout implements CollabFanout {
  private readonly instanceId = randomBytes(INSTANCE_ID_BYTES);
  private readonly publisher: RedisClientType;
  private readonly subscriber: RedisClientType;
  private readonly connected: Promise<unknown>;
  private readonly resumeHandlers: Array<() => void> = [];
  private wasDown = false;

  constructor(
    url: string,
    private readonly prefix = 'tandem:collab:',
  ) {
    this.publisher = createClient({ url, socket: { reconnectStrategy } }) as RedisClientType;
    this.subscriber = createClient({ url, socket: { reconnectStrategy } }) as RedisClientType;
    for (const [client, name] of [
      [this.publisher, 'collab publisher'],
      [this.subscriber, 'collab subscriber'],
    ] as const) {
      client.on('error', (error: Error) => {
        if (!this.wasDown) processLog().error({ err: error }, `redis ${name}: ${error.message}`);
        this.wasDown = true;
      });
    }
    this.subscriber.on('ready', () => {
      if (!this.wasDown) return;
      this.wasDown = false;
      for (const handler of this.resumeHandlers) handler();
    });
    this.connected = Promise.all([this.publisher.connect(), this.subscriber.connect()]).catch(() => {});
  }

  async join(room: string, handler: FanoutHandler): Promise<() => Promise<void>> {
    await this.connected;
    const channel = this.prefix + room;
    const listener = (message: Buffer) => {
      if (message.length < 1 + INSTANCE_ID_BYTES) return;
      if (message.subarray(1, 1 + INSTANCE_ID_BYTES).equals(this.instanceId)) return;
      const kind = message[0] as FanoutKind;
      if (kind > FANOUT_KINDS.accessChanged) return;
      handler(kind, new Uint8Array(message.buffer, message.byteOffset + 1 + INSTANCE_ID_BYTES, message.length - 1 - INSTANCE_ID_BYTES));
    };
    await this.subscriber.subscribe(channel, listener, true);
    // Redis unsubscribes the channel only when its last listener goes.
    return () => this.subscriber.unsubscribe(channel, listener, true).catch(() => {});
  }

  publish(room: string, kind: FanoutKind, payload: Uint8Array): void {
    const message = Buffer.concat([Buffer.from([kind]), this.instanceId, payload]);
    // Fire and forget: a lost message is recovered from the database on resume.
    this.publisher.publish(this.prefix + room, message).catch(() => {});
  }

  onResume(handler: () => void): void {
    this.resumeHandlers.push(handler);
  }

  async ping(): Promise<void> {
    if (!this.publisher.isReady) throw new Error('Redis is not reachable');
    await this.publisher.ping();
  }

  async close(): Promise<void> {
    // A client still trying to connect (Redis down) would wait for a connection to say goodbye on.
    const stop = async (client: RedisClientType) => {
      if (client.isReady) await client.quit().catch(() => {});
      else {
        try {
          client.destroy();
        } catch {
          // never opened
        }
      }
    };
    await Promise.all([stop(this.publisher), stop(this.subscriber)]);
  }
}
