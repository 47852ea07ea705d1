import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { REPO_ROOT } from './config.js';

export const TEMPORAL_CLI = join(REPO_ROOT, '.tools', 'bin', 'temporal');

export interface RunningTemporal {
  address: string;
  /** True when this process started the server (and stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  /** SQLite file for the server's state; in memory when omitted. */
  dbFile?: string;
  /** gRPC port; a free one when omitted. */
  port?: number;
  namespace?: string;
  log?: (line: string) => void;
  readyTimeoutMs?: number;
}

/** Builds the pinned Temporal CLI with `go install` unless it is already there. */
export async function ensureTemporalCli(): Promise<string> {
  await run('bash', [join(REPO_ROOT, 'ops', 'scripts', 'install-temporal.sh')]);
  return TEMPORAL_CLI;
}

/**
 * The Temporal to use: `TEMPORAL_ADDRESS` when set (nothing is started), else a dev server
 * started here, which answers before this returns.
 */
export async function startTemporal(address: string | undefined, options: DevServerOptions = {}): Promise<RunningTemporal> {
  if (address) {
    await waitForTemporal(address, options.readyTimeoutMs ?? 30_000);
    return { address, owned: false, stop: async () => {} };
  }
  return startDevServer(options);
}

export async function startDevServer(options: DevServerOptions = {}): Promise<RunningTemporal> {
  const cli = await ensureTemporalCli();
  const port = options.port ?? (await freePort());
  const [uiPort, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless', '--ui-port', String(uiPort)];
  args.push('--http-port', String(httpPort), '--metrics-port', String(metricsPort), '--log-level', 'error');
  args.push('--namespace', options.namespace ?? 'default');
  // One partition per task queue. With Temporal's default of four, a workflow task can land in a
  // partition no poller is waiting on and sit there until one polls it: runs waited about 2 s
  // before their first workflow task, several at a time (docs/performance.md). A single server's
  // pollers gain nothing from partitions.
  for (const key of ['matching.numTaskqueueReadPartitions', 'matching.numTaskqueueWritePartitions']) args.push('--dynamic-config-value', `${key}=1`);
  if (options.dbFile) {
    mkdirSync(join(options.dbFile, '..'), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = options.log ?? (() => {});
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-4_000);
    for (const line of text.split('\n')) if (line.trim()) log(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const address = `127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) => reject(new Error(`the Temporal dev server exited (code ${code}) before it was ready:\n${output}`)));
  });
  try {
    await Promise.race([waitForTemporal(address, options.readyTimeoutMs ?? 60_000), exited]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  exited.catch(() => {});
  return { address, owned: true, stop: () => stopChild(child) };
}

/** Resolves once a Temporal frontend answers at `address`. */
export async function waitForTemporal(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal did not answer at ${address} within ${timeoutMs} ms: ${(lastError as Error)?.message ?? lastError}`);
}

export function defaultDevServerDb(dataDir: string): string {
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true });
  return join(dataDir, 'temporal.db');
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with code ${code}`))));
  });
}
