import { createClient, type RedisClientType } from 'redis';
import { EVENT_JSON_LIMIT, EXECUTION_EVENT_TYPES, type EmittedEvent } from '@tandem/schema';
import type { EventListener, ExecutionEventBus, SubscribeOptions } from './bus.js';
import { processLog } from '../logging.js';

export interface RedisEventBusOptions {
  url: string;
  /** Stream key; one per deployment. */
  stream?: string;
  /** Approximate number of events the stream keeps for consumers that were away. */
  maxLength?: number;
}

/**
 * Events on a Redis Stream: unlike pub/sub, a consumer that was away resumes from the
 * last position it saw, so a restarting API server misses nothing still in the stream.
 */
export class RedisEventBus implements ExecutionEventBus {
  private readonly stream: string;
  private readonly maxLength: number;
  private readonly publisher: RedisClientType;
  private readonly readers = new Set<RedisClientType>();
  private connected: Promise<unknown> | undefined;
  readonly durable = true;

  constructor(private readonly options: RedisEventBusOptions) {
    this.stream = options.stream ?? 'tandem:execution-events';
    this.maxLength = options.maxLength ?? 100_000;
    this.publisher = createClient({ url: options.url, socket: { reconnectStrategy } });
    quietErrors(this.publisher, 'redis event bus');
  }

  private connect(): Promise<unknown> {
    this.connected ??= this.publisher.connect();
    return this.connected;
  }

  async publish(event: EmittedEvent): Promise<void> {
    await this.connect();
    await this.publisher.xAdd(
      this.stream,
      '*',
      { event: JSON.stringify(event) },
      {
        TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: this.maxLength },
      },
    );
  }

  async subscribe(listener: EventListener, options: SubscribeOptions = {}): Promise<() => Promise<void>> {
    const reader = createClient({ url: this.options.url, socket: { reconnectStrategy } }) as RedisClientType;
    quietErrors(reader, 'redis event bus reader');
    this.readers.add(reader);
    let stopped = false;
    // Connecting happens in the background: a server starts (and says it is not ready) while Redis is down.
    let position: string | undefined = options.after;
    // "Only new events" means new from now: fix the position before returning when Redis answers.
    const ready = reader
      .connect()
      .then(async () => {
        position ??= await this.lastPosition(reader);
      })
      .catch(() => {});
    await Promise.race([ready, new Promise((r) => setTimeout(r, 2_000).unref())]);
    const loop = (async () => {
      await ready;
      while (!stopped) {
        let reply;
        try {
          position ??= await this.lastPosition(reader);
          reply = await reader.xRead({ key: this.stream, id: position }, { BLOCK: 1_000, COUNT: 500 });
        } catch {
          if (stopped) return;
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        for (const stream of (reply ?? []) as Array<{ messages: Array<{ id: string; message: Record<string, string> }> }>) {
          for (const message of stream.messages) {
            position = message.id;
            const event = decode(message.message.event);
            if (!event) continue;
            try {
              listener(event, message.id);
            } catch (error) {
              processLog().error({ err: error }, 'event listener failed');
            }
          }
        }
      }
    })();
    return async () => {
      stopped = true;
      this.readers.delete(reader);
      // Closing the connection ends a blocking read at once instead of waiting out its timeout.
      reader.destroy();
      await loop.catch(() => {});
    };
  }

  async ping(): Promise<void> {
    void this.connect().catch(() => {});
    if (!this.publisher.isReady) throw new Error(`Redis at ${redactUrl(this.options.url)} is not reachable`);
    await this.publisher.ping();
  }

  async close(): Promise<void> {
    for (const reader of this.readers) reader.destroy();
    this.readers.clear();
    if (this.connected) await this.publisher.close().catch(() => this.publisher.destroy());
  }

  private async lastPosition(reader: RedisClientType): Promise<string> {
    const last = await reader.xRevRange(this.stream, '+', '-', { COUNT: 1 });
    return last[0]?.id ?? '0-0';
  }
}

/** Retry forever with a growing pause: Redis coming back must not need a restart. */
const reconnectStrategy = (retries: number) => Math.min(100 * 2 ** Math.min(retries, 6), 5_000);

/** Logs the first error of an outage, not every reconnect attempt. */
function quietErrors(client: RedisClientType, what: string): void {
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) processLog().error({ err: error }, `${what}: ${error.message}`);
    down = true;
  });
  client.on('ready', () => (down = false));
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

const KNOWN_TYPES = new Set<string>(EXECUTION_EVENT_TYPES);

/** Events come from the network: anything malformed is dropped rather than trusted. */
function decode(text: string | undefined): EmittedEvent | null {
  if (typeof text !== 'string' || text.length > EVENT_JSON_LIMIT) return null;
  try {
    const value = JSON.parse(text) as Partial<EmittedEvent>;
    if (typeof value.executionId !== 'string' || !Number.isInteger(value.sequence) || !KNOWN_TYPES.has(value.type as string)) return null;
    return value as EmittedEvent;
  } catch {
    return null;
  }
}
