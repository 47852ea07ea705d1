import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from '@tandem/ops';
import { eventually } from './eventually.js';

/** Tandem as `npm start` runs it (the built ops/dist/start.js: API server here, the worker in a supervised child). */
export interface StartedTandem {
  process: ChildProcess;
  url: string;
  output: () => string;
  /** SIGTERM, and the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `npm start`'s process on loopback (build first: tsc -b tsconfig.build.json and the
 * worker bundle) against the suite's Temporal, SQLite in `dataDir`, no Redis; `env` adds or
 * overrides settings. Resolves once it says it is running; fails with its output if it exits.
 */
export async function startTandemProcess(options: {
  port: number;
  dataDir: string;
  temporalAddress: string;
  env?: Record<string, string>;
}): Promise<StartedTandem> {
  let output = '';
  const child = spawn(process.execPath, [join(REPO_ROOT, 'ops/dist/start.js')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      TANDEM_DATA_DIR: options.dataDir,
      TEMPORAL_ADDRESS: options.temporalAddress,
      // The lines tests read are info lines (JSON: quotes in messages come escaped).
      TANDEM_LOG_LEVEL: 'info',
      REDIS_URL: '',
      DATABASE_URL: '',
      TEMPORAL_TASK_QUEUE: '',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await eventually(
    () => {
      if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${output}`);
      expect(output).toContain('Tandem is running');
    },
    { timeoutMs: 120_000 },
  );
  return {
    process: child,
    url: `http://127.0.0.1:${options.port}`,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A GraphQL request to a Tandem at `url`; GraphQL errors throw. */
export async function tandemGql<T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

/** Creates a workflow of this definition and deploys it (version 1); its id. */
export async function deployWorkflow(url: string, definition: unknown, token: string): Promise<string> {
  const { createWorkflow } = await tandemGql<{ createWorkflow: { id: string } }>(
    url,
    'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
    { input: { name: 'w', description: '', definition } },
    token,
  );
  await tandemGql(url, 'mutation($id: ID!) { deployWorkflow(id: $id, message: "v1") { number } }', { id: createWorkflow.id }, token);
  return createWorkflow.id;
}
