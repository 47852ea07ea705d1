import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { serveMetrics } from '@tandem/server';
import { createTandemWorker, InProcessEventBus, workerMetrics } from '@tandem/worker';

let connection: NativeConnection | undefined;
afterAll(async () => {
  await connection?.close();
});

it("serves the worker's Prometheus figures on a port of its own, behind the metrics token", async () => {
  connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker = await createTandemWorker({
    connection,
    taskQueue: `metrics-${randomUUID()}`,
    bus: new InProcessEventBus(),
    workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') },
  });
  const running = worker.run();
  const listener = await serveMetrics(workerMetrics(worker), { host: '127.0.0.1', port: 0, token: 'scrape-secret' });
  try {
    expect((await fetch(listener.url)).status).toBe(401);
    const response = await fetch(listener.url, { headers: { authorization: 'Bearer scrape-secret' } });
    const text = await response.text();
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toContain('tandem_worker_running 1');
    expect(text).toContain('tandem_worker_in_flight{kind="activities"} 0');
    expect(text).toMatch(/tandem_worker_cached_runs \d/);
    expect(text).toContain('process_resident_memory_bytes');
    expect((await fetch(listener.url.replace('/metrics', '/other'))).status).toBe(404);
  } finally {
    await listener.close();
    worker.shutdown();
    await running;
  }
});
