import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveClient } from '@tandem/ops';

let dist: string;
let server: Server;
let url: string;

beforeAll(async () => {
  dist = `${mkdtempSync(join(tmpdir(), 'tandem-dist-'))}/`;
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Tandem</title>');
  writeFileSync(join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
  const app = express();
  // The API's own routes come first, as in createHttpServer.
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.use('/graphql', (_req, res) => void res.status(400).json({ errors: [{ message: 'api' }] }));
  serveClient(dist)(app);
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dist, { recursive: true, force: true });
});

const get = (path: string, accept = 'text/html') => fetch(`${url}${path}`, { headers: { accept } });

describe('serving the built web client', () => {
  it('serves index.html at / and for client routes (SPA fallback), never cached', async () => {
    for (const path of ['/', '/workflows/123', '/runs/abc?x=1']) {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<title>Tandem</title>');
      expect(response.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('serves hashed assets with a long cache; a missing asset is a 404, not index.html', async () => {
    const asset = await get('/assets/index-abc.js', '*/*');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await get('/assets/missing.js', '*/*')).status).toBe(404);
  });

  it('never answers API paths with the client', async () => {
    expect(await (await get('/healthz', 'application/json')).json()).toEqual({ status: 'ok' });
    expect((await get('/graphql')).status).toBe(400);
    for (const path of ['/hooks/wf/path', '/collab/room', '/readyz']) {
      const response = await get(path);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('<title>Tandem</title>');
    }
  });

  it('sends security headers with index.html and assets: scripts from this origin only, never framed', async () => {
    for (const [path, accept] of [
      ['/', 'text/html'],
      ['/workflows/123', 'text/html'],
      ['/assets/index-abc.js', '*/*'],
    ] as const) {
      const response = await get(path, accept);
      expect(response.status).toBe(200);
      const csp = response.headers.get('content-security-policy') ?? '';
      const directives = new Map(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([name, ...values]) => [name!, values]),
      );
      expect(directives.get('script-src'), path).toEqual(["'self'"]);
      expect(directives.get('default-src'), path).toEqual(["'self'"]);
      expect(directives.get('frame-ancestors'), path).toEqual(["'none'"]);
      expect(directives.get('object-src'), path).toEqual(["'none'"]);
      // Solid writes style attributes; the API and its websockets are on this origin.
      expect(directives.get('style-src'), path).toEqual(["'self'", "'unsafe-inline'"]);
      expect(directives.get('connect-src'), path).toEqual(["'self'", `ws://${new URL(url).host}`, `wss://${new URL(url).host}`]);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(response.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(response.headers.get('strict-transport-security'), path).toBeNull();
    }
  });

  it('leaves requests that do not accept HTML alone', async () => {
    expect((await get('/workflows/1', 'application/json')).status).toBe(404);
  });
});
