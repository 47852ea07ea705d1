// The body of `npm run bench:collab` (entry: benchmarks/src/collab.ts). Prints a table and
// writes benchmarks/results/collab-latest.json. Servers run here; the clients that time edit
// propagation run in a child process (propagation-child.ts).
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import { WebSocketServer } from 'ws';
import { setupWSConnection } from '@y/websocket-server/utils';
import * as Y from 'yjs';
import { REPO_ROOT, startTemporal } from '@tandem/ops';
import { createWorkflowDoc } from '@tandem/schema/collab';
import { readServerConfig, startTandemServer, type TandemServer } from '@tandem/server';
import { InProcessEventBus } from '@tandem/worker';
import { machineInfo } from '../machine.js';
import { table, writeJsonReport } from '../report.js';
import { round, summarize, type Summary } from '../stats.js';
import { runChild } from '../api/child.js';
import { connectClient, disconnectAll, type BenchClient, type Endpoint } from './clients.js';
import type { PropagationSpec } from './propagation-child.js';
import { chainWorkflow } from './workflows.js';

const TARGETS = { oneInstanceP95Ms: 50, crossInstanceP95Ms: 100, ratio: 0.8 } as const;
const env = process.env;
const config = {
  roomSizes: (env.BENCH_COLLAB_ROOM_SIZES ?? '2,20,100').split(',').map(Number),
  edits: Number(env.BENCH_COLLAB_EDITS ?? 100),
  intervalMs: Number(env.BENCH_COLLAB_INTERVAL_MS ?? 20),
  largeNodes: 500,
  loadRepeats: 10,
  memoryRooms: Number(env.BENCH_COLLAB_MEMORY_ROOMS ?? 200),
  postgresUrl: env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  output: env.BENCH_COLLAB_OUTPUT?.trim() || join(REPO_ROOT, 'benchmarks', 'results', 'collab-latest.json'),
};
const progress = (message: string) => console.error(`[bench:collab] ${message}`);
// Every y-websocket provider listens for the process's exit.
process.setMaxListeners(0);
const cleanups: Array<() => Promise<unknown>> = [];

/** A Tandem API server with a signed-up user, and how to open rooms on it. */
interface TandemTarget {
  server: TandemServer;
  token: string;
  gql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

async function tandem(options: { temporalAddress: string; databaseUrl?: string; redisUrl?: string; token?: string }): Promise<TandemTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-bench-collab-'));
  const server = await startTandemServer({
    config: {
      ...readServerConfig({}),
      port: 0,
      host: '127.0.0.1',
      dataDir,
      temporalAddress: options.temporalAddress,
      databaseUrl: options.databaseUrl,
      redisUrl: options.redisUrl,
      collabIdleUnloadMs: 100,
    },
    bus: new InProcessEventBus(),
    log: () => {},
  });
  cleanups.push(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  let token = options.token ?? '';
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown };
    if (!body.data) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  if (!token) {
    const email = `bench-${randomUUID()}@example.com`;
    token = (
      await gql<{ signUp: { token: string } }>('mutation($e: String!) { signUp(email: $e, password: "correct horse battery", name: "Bench") { token } }', {
        e: email,
      })
    ).signUp.token;
  }
  return { server, token, gql };
}

async function createRoom(target: TandemTarget, definition: unknown): Promise<string> {
  const created = await target.gql<{ createWorkflow: { id: string } }>('mutation($i: CreateWorkflowInput!) { createWorkflow(input: $i) { id } }', {
    i: { name: 'Bench', definition },
  });
  return created.createWorkflow.id;
}

async function tandemEndpoint(target: TandemTarget, room: string): Promise<Endpoint> {
  const { collabTicket } = await target.gql<{ collabTicket: { url: string; ticket: string } }>(
    'mutation($id: ID!) { collabTicket(workflowId: $id) { url ticket } }',
    { id: room },
  );
  return { url: collabTicket.url, room, params: { ticket: collabTicket.ticket } };
}

/** The baseline: @y/websocket-server as shipped, no tickets, no persistence, one process. */
async function bareServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => res.end('bare'));
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, request) => setupWSConnection(socket, request));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    wss.close();
    await new Promise((r) => server.close(r));
  });
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Edit propagation with the clients in a child process: the sender is endpoints[0]. */
function measure(endpoints: Endpoint[], measured: number[]): Promise<number[]> {
  const spec: PropagationSpec = { endpoints, measured, edits: config.edits, intervalMs: config.intervalMs };
  return runChild<number[]>(new URL('./propagation-child.ts', import.meta.url), spec);
}

async function roomOf(endpoints: Endpoint[]): Promise<BenchClient[]> {
  const clients: BenchClient[] = [];
  for (const endpoint of endpoints) clients.push(await connectClient(endpoint));
  return clients;
}

interface PropagationRow {
  clients: number;
  tandem: Summary;
  baseline: Summary;
  crossInstance: Summary | null;
  /** baseline P95 / Tandem P95: 1 means no overhead; the target is >= 0.8. */
  ratio: number;
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = machineInfo();
  progress('starting Temporal (the API server needs a client connection)');
  const temporal = await startTemporal(env.TEMPORAL_ADDRESS);
  cleanups.push(() => temporal.stop());
  const one = await tandem({ temporalAddress: temporal.address });
  const bare = await bareServer();

  // Two servers sharing PostgreSQL and Redis, when both answer.
  let pair: [TandemTarget, TandemTarget] | null = null;
  let pairSkipped: string | null = null;
  try {
    const name = `tandem_bench_${randomUUID().replace(/-/g, '')}`;
    const admin = new pg.Client(config.postgresUrl);
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    cleanups.push(async () => {
      const drop = new pg.Client(config.postgresUrl);
      await drop.connect();
      await drop.query(`drop database if exists ${name} with (force)`);
      await drop.end();
    });
    const databaseUrl = config.postgresUrl.replace(/\/[^/]*$/, `/${name}`);
    const a = await tandem({ temporalAddress: temporal.address, databaseUrl, redisUrl: config.redisUrl });
    const b = await tandem({ temporalAddress: temporal.address, databaseUrl, redisUrl: config.redisUrl, token: a.token });
    pair = [a, b];
  } catch (error) {
    pairSkipped = `two-server case skipped: ${(error as Error).message}`;
    progress(pairSkipped);
  }

  const rows: PropagationRow[] = [];
  for (const size of config.roomSizes) {
    progress(`room of ${size} clients: Tandem, one server`);
    const room = await createRoom(one, chainWorkflow(5));
    const everyoneElse = Array.from({ length: size - 1 }, (_, i) => i + 1);
    const tandemSamples = await measure(await Promise.all(Array.from({ length: size }, () => tandemEndpoint(one, room))), everyoneElse);

    progress(`room of ${size} clients: bare @y/websocket-server`);
    const bareRoom = `bare-${randomUUID()}`;
    const bareSamples = await measure(
      Array.from({ length: size }, () => ({ url: bare.url, room: bareRoom, params: {} })),
      everyoneElse,
    );

    let cross: Summary | null = null;
    if (pair) {
      progress(`room of ${size} clients: two servers through Redis`);
      const [a, b] = pair;
      const pairRoom = await createRoom(a, chainWorkflow(5));
      const endpoints = await Promise.all(Array.from({ length: size }, (_, i) => tandemEndpoint(i % 2 === 0 ? a : b, pairRoom)));
      // Sender on server A; measured at the clients of server B only.
      cross = summarize(
        await measure(
          endpoints,
          everyoneElse.filter((i) => i % 2 === 1),
        ),
      );
    }
    const tandemSummary = summarize(tandemSamples);
    const baselineSummary = summarize(bareSamples);
    rows.push({ clients: size, tandem: tandemSummary, baseline: baselineSummary, crossInstance: cross, ratio: baselineSummary.p95 / tandemSummary.p95 });
  }

  progress(`load time of a ${config.largeNodes}-node document`);
  const large = chainWorkflow(config.largeNodes);
  const largeRoom = await createRoom(one, large);
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < config.loadRepeats; i++) {
    // Cold: the room was unloaded (idle), so the server reads it from the database first.
    while (one.server.services.collab.isLoaded(largeRoom)) await new Promise((r) => setTimeout(r, 20));
    const endpoint = await tandemEndpoint(one, largeRoom);
    let t = performance.now();
    const first = await connectClient(endpoint);
    cold.push(performance.now() - t);
    t = performance.now();
    const second = await connectClient(endpoint);
    warm.push(performance.now() - t);
    disconnectAll([first, second]);
  }
  const bareLargeRoom = `bare-large-${randomUUID()}`;
  const seeder = await connectClient({ url: bare.url, room: bareLargeRoom, params: {} });
  Y.applyUpdate(seeder.doc, Y.encodeStateAsUpdate(createWorkflowDoc(large as never)));
  await new Promise((r) => setTimeout(r, 200));
  const bareWarm: number[] = [];
  for (let i = 0; i < config.loadRepeats; i++) {
    const t = performance.now();
    const client = await connectClient({ url: bare.url, room: bareLargeRoom, params: {} });
    bareWarm.push(performance.now() - t);
    disconnectAll([client]);
  }
  disconnectAll([seeder]);
  const documentBytes = Y.encodeStateAsUpdate(createWorkflowDoc(large as never)).byteLength;

  progress(`memory per open room (${config.memoryRooms} rooms, one client each)`);
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const rooms = await Promise.all(Array.from({ length: config.memoryRooms }, () => createRoom(one, chainWorkflow(10))));
  const endpoints = await Promise.all(rooms.map((room) => tandemEndpoint(one, room)));
  let before = heap();
  const memoryClients = await roomOf(endpoints);
  const tandemPerRoom = (heap() - before) / config.memoryRooms;
  disconnectAll(memoryClients);
  before = heap();
  const bareMemoryClients = await roomOf(rooms.map((room) => ({ url: bare.url, room: `bare-mem-${room}`, params: {} })));
  for (const client of bareMemoryClients) Y.applyUpdate(client.doc, Y.encodeStateAsUpdate(createWorkflowDoc(chainWorkflow(10) as never)));
  await new Promise((r) => setTimeout(r, 300));
  const barePerRoom = (heap() - before) / config.memoryRooms;
  disconnectAll(bareMemoryClients);

  const report = {
    generatedAt: new Date().toISOString(),
    machine,
    config: { ...config, output: undefined },
    targets: TARGETS,
    propagation: rows,
    pairSkipped,
    largeDocument: { nodes: config.largeNodes, bytes: documentBytes, cold: summarize(cold), warm: summarize(warm), baselineWarm: summarize(bareWarm) },
    memoryPerRoomKiB: {
      tandem: tandemPerRoom / 1024,
      baseline: barePerRoom / 1024,
      note: 'process heap per open room, including one connected client in the same process',
    },
    durationSeconds: (Date.now() - started) / 1000,
  };
  writeJsonReport(report, config.output);
  print(report);
}

function print(report: {
  propagation: PropagationRow[];
  pairSkipped: string | null;
  largeDocument: { nodes: number; bytes: number; cold: Summary; warm: Summary; baselineWarm: Summary };
  memoryPerRoomKiB: { tandem: number; baseline: number };
}): void {
  const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : round(v).toFixed(1));
  console.log('\nEdit propagation (ms, edit to receipt at every other client)');
  console.log(
    table(
      [
        [
          'clients',
          'Tandem P50',
          'Tandem P95',
          'bare P50',
          'bare P95',
          'ratio (bare/Tandem P95)',
          'two servers P50',
          'two servers P95',
          'one-server target',
          'two-server target',
          'ratio target',
        ],
        ...report.propagation.map((row) => [
          String(row.clients),
          ms(row.tandem.p50),
          ms(row.tandem.p95),
          ms(row.baseline.p50),
          ms(row.baseline.p95),
          row.ratio.toFixed(2),
          ms(row.crossInstance?.p50),
          ms(row.crossInstance?.p95),
          row.tandem.p95 < TARGETS.oneInstanceP95Ms ? 'PASS' : 'FAIL',
          row.crossInstance ? (row.crossInstance.p95 < TARGETS.crossInstanceP95Ms ? 'PASS' : 'FAIL') : '-',
          row.ratio >= TARGETS.ratio ? 'PASS' : 'FAIL',
        ]),
      ],
      (c) => c > 0,
    ),
  );
  if (report.pairSkipped) console.log(report.pairSkipped);
  const large = report.largeDocument;
  console.log(`\n${large.nodes}-node document (${(large.bytes / 1024).toFixed(0)} KiB): connect to synced, ms`);
  console.log(
    table(
      [
        ['', 'P50', 'P95'],
        ['Tandem, cold (read from the database)', ms(large.cold.p50), ms(large.cold.p95)],
        ['Tandem, warm (room open)', ms(large.warm.p50), ms(large.warm.p95)],
        ['bare, warm', ms(large.baselineWarm.p50), ms(large.baselineWarm.p95)],
      ],
      (c) => c > 0,
    ),
  );
  console.log(
    `\nMemory per open room: Tandem ${report.memoryPerRoomKiB.tandem.toFixed(0)} KiB, bare ${report.memoryPerRoomKiB.baseline.toFixed(0)} KiB (heap, one client each, same process)`,
  );
}

try {
  await main();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error: Error) => console.error(`[bench:collab] cleanup: ${error.message}`));
}
process.exit(0);
