import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDocs, docsBuildIsCurrent, docsSourceHash, DOCS_DIR, listDocPages, serveClient, serveDocs } from '@tandem/ops';

// The real site, built once (VitePress, the whole of docs/) into a scratch folder.
const scratch = mkdtempSync(join(tmpdir(), 'tandem-docs-site-'));
const dist = join(scratch, 'dist');
let server: Server;
let url: string;

beforeAll(async () => {
  expect(buildDocs(() => {}, DOCS_DIR, dist)).toBe(true);
  // A stand-in web client: its fallback must never answer under /docs.
  writeFileSync(join(scratch, 'index.html'), '<!doctype html><title>Tandem client</title>');
  const app = express();
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  // As `npm start` mounts them: the site, then the web client with its SPA fallback.
  serveDocs(dist)(app);
  serveClient(`${scratch}/`)(app);
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 900_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
});

const get = (path: string, accept = 'text/html') => fetch(`${url}${path}`, { headers: { accept } });

describe('the documentation site at /docs', () => {
  it('has a page for every markdown file under docs/, and a local search index', () => {
    for (const page of listDocPages(DOCS_DIR)) expect(readFileSync(join(dist, page.file.replace(/\.md$/, '.html')), 'utf8')).toContain('<!DOCTYPE html>');
    const chunks = readdirSync(join(dist, 'assets', 'chunks'));
    const index = chunks.find((name) => name.startsWith('@localSearchIndex'));
    expect(index).toBeDefined();
    // Every page's sections are in it (checked by id: the index itself is long).
    const text = readFileSync(join(dist, 'assets', 'chunks', index!), 'utf8');
    for (const section of ['/docs/troubleshooting#refusals-extensionsreason', '/docs/security/checklist#hardening', '/docs/user-guide/loops#loops'])
      expect(text.includes(`"${section}"`), section).toBe(true);
  });

  it('serves the home page, pages without .html, and hashed assets with a long cache', async () => {
    for (const path of ['/docs', '/docs/', '/docs/troubleshooting', '/docs/user-guide/loops', '/docs/security/checklist.html']) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('cache-control'), path).toBe('no-cache');
      expect(await response.text(), path).toContain('/docs/assets/');
    }
    expect(await (await get('/docs/troubleshooting')).text()).toContain('Troubleshooting');
    const asset = /\/docs\/assets\/[\w.-]+\.js/.exec(await (await get('/docs/')).text())![0];
    const response = await get(asset, '*/*');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('immutable');
  });

  it("answers a missing page with the site's 404 page, never the web client", async () => {
    const response = await get('/docs/no-such-page');
    expect(response.status).toBe(404);
    const body = await response.text();
    expect(body).toContain('/docs/assets/');
    expect(body).not.toContain('Tandem client');
    expect((await get('/docs/assets/missing.js', '*/*')).status).toBe(404);
    // The web client still answers its own routes.
    expect(await (await get('/workflows/1')).text()).toContain('Tandem client');
  });

  it('allows exactly the inline scripts the pages carry, by hash, and nothing else inline', async () => {
    const response = await get('/docs/');
    const html = await response.text();
    const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((match) => match[1]!).filter((body) => body.trim());
    expect(inline.length).toBeGreaterThan(0);
    const scriptSrc = /script-src ([^;]+)/.exec(response.headers.get('content-security-policy') ?? '')![1]!.split(' ');
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(scriptSrc.sort()).toEqual(["'self'", ...inline.map((body) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`)].sort());
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('knows when a build is current: a changed page makes it stale', () => {
    expect(docsBuildIsCurrent(dist, DOCS_DIR)).toBe(true);
    const copy = join(scratch, 'docs');
    cpSync(DOCS_DIR, copy, { recursive: true, filter: (path) => !/[/\\]\.vitepress[/\\](cache|dist)/.test(path) });
    expect(docsSourceHash(copy)).toBe(docsSourceHash(DOCS_DIR));
    writeFileSync(join(copy, 'faq.md'), `${readFileSync(join(copy, 'faq.md'), 'utf8')}\nOne more answer.\n`);
    expect(docsSourceHash(copy)).not.toBe(docsSourceHash(DOCS_DIR));
    expect(docsBuildIsCurrent(dist, copy)).toBe(false);
  });
});
