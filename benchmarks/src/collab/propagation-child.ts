// Runs one propagation measurement's clients in their own process (started by runChild), so
// the server's work never shares an event loop with the clients that time it.
import { childInput, childResult } from '../api/child.js';
import { connectClient, disconnectAll, propagation, type BenchClient, type Endpoint } from './clients.js';

export interface PropagationSpec {
  endpoints: Endpoint[];
  /** Indexes of the clients whose receipt times count (the sender is endpoints[0]). */
  measured: number[];
  edits: number;
  intervalMs: number;
}

// Every y-websocket provider listens for the process's exit.
process.setMaxListeners(0);
const spec = childInput<PropagationSpec>();
const clients: BenchClient[] = [];
for (const endpoint of spec.endpoints) clients.push(await connectClient(endpoint));
const samples = await propagation(
  clients[0]!,
  spec.measured.map((i) => clients[i]!),
  spec.edits,
  spec.intervalMs,
);
disconnectAll(clients);
childResult(samples);
