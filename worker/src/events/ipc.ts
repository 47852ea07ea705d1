import type { EmittedEvent } from '@tandem/schema';
import type { EventListener, ExecutionEventBus } from './bus.js';

/** What a worker process sends its parent over the IPC channel: events in the order they were published. */
export type WorkerMessage = { type: 'events'; events: EmittedEvent[] } | { type: 'ready'; taskQueue: string };

interface Pending {
  event: EmittedEvent;
  settle: (error: Error | null) => void;
}

/**
 * The worker side of `npm start`'s event path: the worker runs in a child process (so a
 * failure there cannot take the API down) and hands each event to its parent, which publishes
 * it on the in-process bus the API server reads. Publish-only: the parent is the consumer.
 * Events published in the same turn of the event loop (a workflow activation hands over all
 * of its events at once) cross in one message: one serialization and one write, not ten.
 */
export class IpcEventBus implements ExecutionEventBus {
  readonly durable = false;
  private pending: Pending[] = [];

  constructor(private readonly send: (message: WorkerMessage, callback: (error: Error | null) => void) => boolean) {}

  static available(): boolean {
    return typeof process.send === 'function';
  }

  static toParent(): IpcEventBus {
    const send = process.send!.bind(process);
    return new IpcEventBus((message, callback) => send(message, undefined, {}, callback));
  }

  publish(event: EmittedEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ event, settle: (error) => (error ? reject(error) : resolve()) });
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    const settle = (error: Error | null) => batch.forEach((item) => item.settle(error));
    try {
      this.send({ type: 'events', events: batch.map((item) => item.event) }, settle);
    } catch (error) {
      settle(error instanceof Error ? error : new Error(String(error)));
    }
  }

  subscribe(_listener: EventListener): Promise<() => Promise<void>> {
    return Promise.reject(new Error('a worker process does not read events: its parent does'));
  }

  async ping(): Promise<void> {
    if (!process.connected) throw new Error('the IPC channel to the parent process is closed');
  }

  async close(): Promise<void> {}
}
