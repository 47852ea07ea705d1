import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { REPO_ROOT } from '@tandem/ops';
import { eventually } from '../../test-support/eventually.js';
import { freePort } from '../../test-support/free-port.js';

// The container image's API process (`node ops/dist/api-main.js`), built as the image builds it:
// on SIGTERM (a rolling restart) it closes its sockets with "going away" and exits 0.

let dataDir: string;
let child: ChildProcess | undefined;
let output = '';

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'tandem-api-process-'));
  // Incremental after the first build of a run (npm-start.test.ts builds too).
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
}, 300_000);

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the API process of the container image', () => {
  it('drains on SIGTERM: graphql-ws sockets close with 1001, the process exits 0', async () => {
    const port = await freePort();
    child = spawn(process.execPath, [join(REPO_ROOT, 'ops/dist/api-main.js')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        TANDEM_DATA_DIR: dataDir,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: `api-process-${port}`,
        REDIS_URL: '',
        DATABASE_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    await eventually(
      () => {
        if (child!.exitCode !== null) throw new Error(`api-main exited (${child!.exitCode}):\n${output}`);
        expect(output).toContain(`Tandem on http://127.0.0.1:${port}/`);
      },
      { timeoutMs: 60_000 },
    );
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // A GraphQL request with a request id: the production log has its line (probes stay at debug, below info).
    const answered = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'api-process-1' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(answered.headers.get('x-request-id')).toBe('api-process-1');
    await eventually(() => expect(output).toContain('"requestId":"api-process-1"'));

    // A subscriber's connection, acknowledged: then the orchestrator stops the server.
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
      socket.once('message', (data: Buffer) => (JSON.parse(data.toString()).type === 'connection_ack' ? resolve() : reject(new Error(data.toString()))));
      socket.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await closed).toBe(1001);
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM: refusing new connections');
    // Everything the process wrote is JSON lines (docs/operations/logging.md).
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    for (const line of lines)
      expect(JSON.parse(line)).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String), name: 'api' });
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ level: 'info', requestId: 'api-process-1', method: 'POST', path: '/graphql', status: 200, operation: 'me' }),
    );
    expect(output).not.toContain('"path":"/healthz"');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
