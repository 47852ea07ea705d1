import type { EmittedEvent } from '@tandem/schema';

export type EventListener = (event: EmittedEvent, position: string) => void;

export interface SubscribeOptions {
  /** Deliver events published after this bus position (as given to a listener); only new events when omitted. */
  after?: string;
}

/**
 * Carries execution events from workers to API servers. Delivery is at least once and in
 * publish order per publisher; consumers store events idempotently by (executionId, sequence).
 */
export interface ExecutionEventBus {
  /** True when positions survive restarts (a consumer may store one and resume from it later). */
  readonly durable: boolean;
  publish(event: EmittedEvent): Promise<void>;
  subscribe(listener: EventListener, options?: SubscribeOptions): Promise<() => Promise<void>>;
  /** Resolves when the bus can carry events (for readiness checks); rejects with the reason otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
