import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test-support/free-port.js';
import { readDashboard } from './deploy/dashboard.js';

// `npm run dashboards`: the URLs of a running deployment, each service checked to answer. With
// a real Tandem and a real Prometheus in prometheus-scrape.test.ts; here the failures, against
// closed ports and a stand-in for Grafana's health endpoint (no Grafana binary on this machine).

const PRINT_DASHBOARDS = join(import.meta.dirname, '../src/print-dashboards.ts');

/** `npm run dashboards` without the build: the same file through tsx, with only these settings. */
function dashboards(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', PRINT_DASHBOARDS], { env: { PATH: process.env.PATH ?? '', ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

/** A stand-in answering one health path with this status, 404 elsewhere. */
async function answering(path: string, status: number): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => response.writeHead(request.url === path ? status : 404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('npm run dashboards', () => {
  let tandem: { url: string; server: Server };
  let grafana: { url: string; server: Server };
  let brokenGrafana: { url: string; server: Server };
  beforeAll(async () => {
    tandem = await answering('/healthz', 200);
    grafana = await answering('/api/health', 200);
    brokenGrafana = await answering('/api/health', 503);
  });
  afterAll(() => {
    for (const stub of [tandem, grafana, brokenGrafana]) stub?.server.close();
  });

  it('exits 1 with a clear message when Tandem does not answer', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await dashboards({ TANDEM_URL: url });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`Tandem dashboard   ${url}/dashboard  NOT ANSWERING: no answer from ${url}/healthz (ECONNREFUSED)`);
    expect(result.stderr.trim()).toBe(`Tandem does not answer at ${url}: is it running? Pass its URL (npm run dashboards -- <url>) or set TANDEM_URL.`);
  });

  it("prints Tandem's and Grafana's dashboard URLs, says how to add the services not configured, and exits 0", async () => {
    const result = await dashboards({ TANDEM_URL: `${tandem.url}/`, GRAFANA_URL: grafana.url });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      `Tandem dashboard   ${tandem.url}/dashboard`,
      `Grafana            ${grafana.url}/d/${readDashboard().uid}/tandem`,
      'Prometheus alerts  not configured (set PROMETHEUS_URL)',
      'Alertmanager       not configured (set ALERTMANAGER_URL)',
    ]);
  });

  it('exits 1 and names each configured service that does not answer', async () => {
    const prometheus = `http://127.0.0.1:${await freePort()}`;
    const result = await dashboards({ TANDEM_URL: tandem.url, GRAFANA_URL: brokenGrafana.url, PROMETHEUS_URL: prometheus });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`Tandem dashboard   ${tandem.url}/dashboard\n`);
    expect(result.stdout).toContain(`NOT ANSWERING: ${brokenGrafana.url}/api/health answered HTTP 503`);
    expect(result.stdout).toContain(`Prometheus alerts  ${prometheus}/alerts  NOT ANSWERING: no answer from ${prometheus}/-/ready (ECONNREFUSED)`);
    expect(result.stderr.trim()).toBe('Configured but not answering: Grafana, Prometheus alerts.');
  });
});
