import type { EmittedEvent } from '@tandem/schema';
import type { EventListener, ExecutionEventBus } from './bus.js';

/** What a worker process sends its parent over the IPC channel. */
export type WorkerMessage = { type: 'event'; event: EmittedEvent } | { type: 'ready'; taskQueue: string };

/**
 * The worker side of `npm start`'s event path: the worker runs in a child process (so a
 * failure there cannot take the API down) and hands each event to its parent, which publishes
 * it on the in-process bus the API server reads. Publish-only: the parent is the consumer.
 */
export class IpcEventBus implements ExecutionEventBus {
  readonly durable = false;

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
      this.send({ type: 'event', event }, (error) => (error ? reject(error) : resolve()));
    });
  }

  subscribe(_listener: EventListener): Promise<() => Promise<void>> {
    return Promise.reject(new Error('a worker process does not read events: its parent does'));
  }

  async ping(): Promise<void> {
    if (!process.connected) throw new Error('the IPC channel to the parent process is closed');
  }

  async close(): Promise<void> {}
}
