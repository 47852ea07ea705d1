import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '@tandem/ops';
import { readServerConfig, startTandemServer, type TandemServer } from '@tandem/server';
import { createTandemWorker, InProcessEventBus } from '@tandem/worker';

// `npm run test:load` in small (20 runs in flight, a few seconds), against a Tandem started
// here (API server and worker on the suite's Temporal): the real k6 scenario, checked for
// what it reports, not for how fast (latency is the full run's business, docs/performance.md).
let server: TandemServer;
let worker: Worker;
let running: Promise<void>;
let connection: NativeConnection;
const scratch = mkdtempSync(join(tmpdir(), 'tandem-load-smoke-'));

beforeAll(async () => {
  const bus = new InProcessEventBus();
  const taskQueue = `load-${randomUUID()}`;
  connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  worker = await createTandemWorker({ connection, taskQueue, bus, workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') } });
  running = worker.run();
  const config = { ...readServerConfig({}), port: 0, host: '127.0.0.1', dataDir: scratch, temporalAddress: inject('temporalAddress'), taskQueue };
  server = await startTandemServer({ config, bus, log: () => {} });
});

afterAll(async () => {
  await server?.close();
  worker?.shutdown();
  await running?.catch(() => {});
  await connection?.close();
  rmSync(scratch, { recursive: true, force: true });
});

function runLoadTest(args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), '--conditions=tandem-source', join(REPO_ROOT, 'benchmarks/src/load.ts'), ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, TANDEM_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, output }));
  });
}

describe('npm run test:load (smoke: 20 in flight)', () => {
  it('holds every run in flight at once, releases them all, and reports reads and subscriptions in a table', async () => {
    const figuresFile = join(scratch, 'figures.json');
    const args = ['--url', server.url, '--in-flight', '20', '--hold-seconds', '2', '--readers', '2', '--subscribers', '5', '--releasers', '5', '--p95-ms', '0'];
    const { status, output } = await runLoadTest([...args, '--output', figuresFile]);
    expect(status, output).toBe(0);
    const figures = JSON.parse(readFileSync(figuresFile, 'utf8')) as {
      inFlight: number;
      heldAtOnce: number;
      completed: number;
      successRate: number;
      subscriptionsSawCompletion: number;
      subscriptionEvents: number;
      api: Record<'start' | 'signal' | 'read', { count: number }>;
    };
    expect(figures).toMatchObject({ inFlight: 20, heldAtOnce: 20, completed: 20, successRate: 1, subscriptionsSawCompletion: 1 });
    // Each subscriber saw its run from EXECUTION_STARTED to EXECUTION_COMPLETED.
    expect(figures.subscriptionEvents).toBeGreaterThanOrEqual(5 * 4);
    expect(figures.api.start.count).toBe(20);
    expect(figures.api.signal.count).toBe(20);
    expect(figures.api.read.count).toBeGreaterThan(0);
    expect(output).toMatch(/\| test:load +\| figure/);
    expect(output).toMatch(/held at once \(WAITING\) +\| 20 /);
  }, 600_000);

  it('exits non-zero when a threshold is missed', async () => {
    // 1 ms: no API answers that fast, so the P95 threshold fails.
    const { status, output } = await runLoadTest([
      '--url',
      server.url,
      '--in-flight',
      '2',
      '--hold-seconds',
      '1',
      '--readers',
      '1',
      '--subscribers',
      '1',
      '--p95-ms',
      '1',
    ]);
    expect(status, output).not.toBe(0);
    expect(output).toMatch(/< 1 ms: FAIL/);
  }, 600_000);

  it('refuses a bad size with a message naming the argument', async () => {
    const { status, output } = await runLoadTest(['--in-flight', 'lots']);
    expect(status).toBe(1);
    expect(output).toContain('--in-flight must be a whole number of at least 1, not "lots"');
  }, 120_000);
});
