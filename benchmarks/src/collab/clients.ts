import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

/** Where a client connects: a server URL, the room, and URL parameters (the ticket). */
export interface Endpoint {
  url: string;
  room: string;
  params: Record<string, string>;
}

export interface BenchClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
}

export async function connectClient(endpoint: Endpoint): Promise<BenchClient> {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(endpoint.url, endpoint.room, doc, {
    params: endpoint.params,
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`client did not sync with ${endpoint.url}/${endpoint.room}`)), 30_000);
    provider.once('sync', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return { doc, provider };
}

export function disconnectAll(clients: readonly BenchClient[]): void {
  for (const client of clients) {
    client.provider.destroy();
    client.doc.destroy();
  }
}

/**
 * The sender writes `edits` probes (sequence and send time) into the document, one every
 * `intervalMs`; every receiver notes how long each took to arrive. Clients share this process
 * and its clock.
 */
export async function propagation(sender: BenchClient, receivers: readonly BenchClient[], edits: number, intervalMs: number): Promise<number[]> {
  const samples: number[] = [];
  const seen = receivers.map(() => 0);
  let received = 0;
  const expected = edits * receivers.length;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const stops = receivers.map((receiver, index) => {
    const meta = receiver.doc.getMap('meta');
    const observer = () => {
      const probe = meta.get('probe') as { seq: number; t: number } | undefined;
      if (!probe || probe.seq <= seen[index]!) return;
      seen[index] = probe.seq;
      samples.push(performance.now() - probe.t);
      received++;
      if (received >= expected) done();
    };
    meta.observe(observer);
    return () => meta.unobserve(observer);
  });
  const meta = sender.doc.getMap('meta');
  for (let seq = 1; seq <= edits; seq++) {
    meta.set('probe', { seq, t: performance.now() });
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  // A receiver that skipped a probe (coalesced) still ends on the last one.
  await Promise.race([finished, new Promise((r) => setTimeout(r, 5_000))]);
  for (const stop of stops) stop();
  return samples;
}
