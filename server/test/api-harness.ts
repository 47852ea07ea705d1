import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createClient, type Client as WsClient } from 'graphql-ws';
import pg from 'pg';
import { inject } from 'vitest';
import WebSocket from 'ws';
import { readServerConfig, startTandemServer, type ServerConfig, type TandemServer } from '@tandem/server';
import { createTandemWorker, InProcessEventBus, NetworkPolicy, type ExecutionEventBus, type Logger } from '@tandem/worker';

export type DatabaseKind = 'sqlite' | 'postgres';
export const DATABASES: DatabaseKind[] = ['sqlite', 'postgres'];
const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface GraphqlResponse<T = Record<string, unknown>> {
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> & { code?: string } }>;
  status: number;
}

export interface Api {
  server: TandemServer;
  url: string;
  taskQueue: string;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphqlResponse<T>>;
  ws(token?: string | null): WsClient;
  /** Signs up a fresh user and returns its token. */
  user(name?: string): Promise<{ token: string; id: string; email: string }>;
  /** Stops and starts the API server (on the same port with `samePort`, so connected clients can come back; with `config` changed from then on). */
  restartServer(options?: { samePort?: boolean; config?: Partial<ServerConfig> }): Promise<void>;
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface ApiOptions {
  database: DatabaseKind;
  bus?: ExecutionEventBus;
  /** Run no worker here (another harness's worker serves the task queue). */
  worker?: boolean;
  taskQueue?: string;
  /** Reuse a database of another harness (postgres URL). */
  databaseUrl?: string;
  dataDir?: string;
  config?: Partial<ServerConfig>;
  /** Addresses the worker's http.request may reach although private or loopback (e.g. ['127.0.0.1']). */
  httpAllow?: string[];
  /** The structured logs of the server and the worker (the process's logger, silent under tests, by default). */
  logger?: Logger;
}

/** A real API server with a real worker on a fresh task queue, against the suite's Temporal. */
export async function startApi(options: ApiOptions): Promise<Api> {
  const temporalAddress = inject('temporalAddress');
  const bus = options.bus ?? new InProcessEventBus();
  const taskQueue = options.taskQueue ?? `api-${randomUUID()}`;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tandem-api-'));
  let databaseUrl = options.databaseUrl;
  let dropDatabase: (() => Promise<void>) | undefined;
  if (options.database === 'postgres' && !databaseUrl) {
    const name = `tandem_${randomUUID().replace(/-/g, '')}`;
    await adminQuery(`create database ${name}`);
    databaseUrl = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
    dropDatabase = () => adminQuery(`drop database if exists ${name} with (force)`);
  }
  const config = { ...readServerConfig({}), port: 0, host: '127.0.0.1', dataDir, databaseUrl, temporalAddress, taskQueue, ...options.config };

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let connection: NativeConnection | undefined;
  const startWorker = async () => {
    connection ??= await NativeConnection.connect({ address: temporalAddress });
    worker = await createTandemWorker({
      connection,
      taskQueue,
      bus,
      ...(options.logger ? { logger: options.logger } : {}),
      workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') },
      activities: {
        ...(options.httpAllow ? { http: { policy: new NetworkPolicy(options.httpAllow) } } : {}),
        // The secrets of the server's database, as the worker process reads them (see worker-main).
        secrets: { resolve: (ownerId, names) => server.services.secrets.values(ownerId, names) },
      },
    });
    running = worker.run();
  };
  if (options.worker !== false) await startWorker();
  const logger = options.logger ? { logger: options.logger } : {};
  let server = await startTandemServer({ config, bus, log: () => {}, ...logger });
  const clients: WsClient[] = [];

  const api: Api = {
    get server() {
      return server;
    },
    get url() {
      return server.url;
    },
    taskQueue,
    async gql(query, variables = {}, token = null) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { ...((await response.json()) as object), status: response.status };
    },
    ws(token = null) {
      const client = createClient({
        url: `${server.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    },
    async user(name = 'Ada') {
      const email = `${name.toLowerCase()}-${randomUUID()}@example.com`;
      const result = await api.gql<{ signUp: { token: string; user: { id: string } } }>(
        'mutation($email: String!, $name: String!) { signUp(email: $email, password: "correct horse battery", name: $name) { token user { id } } }',
        { email, name },
      );
      if (!result.data) throw new Error(JSON.stringify(result.errors));
      return { token: result.data.signUp.token, id: result.data.signUp.user.id, email };
    },
    async restartServer({ samePort = false, config: changes = {} } = {}) {
      const port = samePort ? server.port : 0;
      await server.close();
      Object.assign(config, changes);
      server = await startTandemServer({ config: { ...config, port }, bus, log: () => {}, ...logger });
    },
    startWorker,
    async stopWorker() {
      worker?.shutdown();
      await running;
      worker = undefined;
    },
    async close() {
      for (const client of clients) await client.dispose();
      await server.close();
      await api.stopWorker();
      await connection?.close();
      await dropDatabase?.();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return api;
}

/** Runs one statement on the test server as its admin (create and drop databases). */
export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client(POSTGRES_ADMIN_URL);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Collects a subscription's results until it completes (or `until` says stop). */
export function collect<T>(
  client: WsClient,
  query: string,
  variables: Record<string, unknown>,
  until?: (items: T[]) => boolean,
): { items: T[]; errors: unknown[]; done: Promise<void> } {
  const items: T[] = [];
  const errors: unknown[] = [];
  let stopped = false;
  const done = new Promise<void>((resolve) => {
    const stop = client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (stopped) return;
          if (value.errors) errors.push(...value.errors);
          if (value.data) items.push(value.data as T);
          if (until?.(items)) {
            stopped = true;
            stop();
            resolve();
          }
        },
        error: (error) => {
          errors.push(error);
          resolve();
        },
        complete: () => resolve(),
      },
    );
  });
  return { items, errors, done };
}

/** The Sum example, as shipped in examples/sum.json. */
export const SUM_WORKFLOW = JSON.parse(readFileSync(new URL('../../examples/sum.json', import.meta.url), 'utf8')) as Record<string, unknown> & {
  nodes: Array<{ id: string; type: string; position: { x: number; y: number }; config: Record<string, unknown> }>;
  edges: Array<{ id: string; source: string; target: string }>;
};
