import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth } from '@tandem/ops';
import { startApi, type Api } from '../../test-support/api-harness.js';
import { eventually } from '../../test-support/eventually.js';

// /readyz names each dependency; `npm run health:check` prints them and fails when one is down.

const HEALTH_CHECK = join(import.meta.dirname, '../src/health-check.ts');

/** `npm run health:check <url>` without the build: the same file through tsx. */
function healthCheck(url: string): Promise<{ code: number; stdout: string }> {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', HEALTH_CHECK, url]).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
}

describe('health', () => {
  let healthy: Api;
  let degraded: Api;
  beforeAll(async () => {
    healthy = await startApi({ database: 'sqlite', config: { redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' } });
    // No worker polls its queue, and its Redis is a closed port.
    degraded = await startApi({ database: 'sqlite', worker: false, config: { redisUrl: 'redis://127.0.0.1:1' } });
  });
  afterAll(async () => {
    await healthy?.close();
    await degraded?.close();
  });

  it('is ready with every dependency up, each by name; health:check prints them and exits 0', async () => {
    const report = await eventually(async () => {
      const checked = await checkHealth(healthy.url);
      expect(checked.rows.filter((row) => !row.ok)).toEqual([]);
      return checked;
    });
    expect(report.rows.map((row) => row.name)).toEqual(['process (/healthz)', 'database', 'temporal', 'eventBus', 'redis', 'worker', 'eventLag']);
    const { code, stdout } = await healthCheck(healthy.url);
    expect(stdout).toMatch(/^worker +ok$/m);
    expect(stdout).toContain(`Tandem at ${healthy.url} is ready.`);
    expect(code).toBe(0);
  });

  it('answers 503 naming the worker that does not poll and the Redis that does not answer; health:check exits 1', async () => {
    const ready = await fetch(`${degraded.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { status: string; checks: Record<string, string> };
    expect(body.status).toBe('not ready: redis, worker');
    expect(body.checks).toMatchObject({
      database: 'ok',
      temporal: 'ok',
      redis: 'unavailable: Redis is not reachable',
      worker: `unavailable: no worker has polled task queue "${degraded.taskQueue}" in the last 120 s`,
      eventLag: 'ok',
    });
    // Liveness stays simple: the process answers.
    expect((await fetch(`${degraded.url}/healthz`)).status).toBe(200);
    const { code, stdout } = await healthCheck(degraded.url);
    expect(stdout).toMatch(/^redis +DOWN +unavailable: Redis is not reachable$/m);
    expect(stdout).toMatch(/^worker +DOWN +unavailable: no worker has polled/m);
    expect(stdout).toContain('is NOT ready.');
    expect(code).toBe(1);
  });

  it('says a server that does not answer is not reachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const report = await checkHealth(url);
    expect(report).toMatchObject({ ok: false, rows: [{ name: 'api server', ok: false, detail: `not reachable at ${url}: ECONNREFUSED` }] });
    expect((await healthCheck(url)).code).toBe(1);
  });
});
