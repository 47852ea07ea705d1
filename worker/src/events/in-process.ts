import type { EmittedEvent } from '@tandem/schema';
import type { EventListener, ExecutionEventBus, SubscribeOptions } from './bus.js';
import { processLog } from '../logging.js';

/** The embedded default: worker and server share one process. Keeps a bounded backlog for `after`. */
export class InProcessEventBus implements ExecutionEventBus {
  private readonly listeners = new Set<EventListener>();
  private readonly backlog: Array<{ position: number; event: EmittedEvent }> = [];
  private position = 0;
  readonly durable = false;

  constructor(private readonly backlogSize = 10_000) {}

  async publish(event: EmittedEvent): Promise<void> {
    const position = ++this.position;
    this.backlog.push({ position, event });
    if (this.backlog.length > this.backlogSize) this.backlog.shift();
    for (const listener of [...this.listeners]) {
      try {
        listener(event, String(position));
      } catch (error) {
        processLog().error({ err: error }, 'event listener failed');
      }
    }
  }

  async subscribe(listener: EventListener, options: SubscribeOptions = {}): Promise<() => Promise<void>> {
    if (options.after !== undefined) {
      const after = Number(options.after);
      for (const item of this.backlog) if (item.position > after) listener(item.event, String(item.position));
    }
    this.listeners.add(listener);
    return async () => {
      this.listeners.delete(listener);
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
