import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { chromium, type Page as PlaywrightPage } from 'playwright-core';
import { inject, onTestFailed } from 'vitest';
import { serveClient } from '@tandem/ops';
import { readServerConfig, startTandemServer, type TandemServer } from '@tandem/server';
import { createTandemWorker, InProcessEventBus, NetworkPolicy } from '@tandem/worker';
import { launchFirefox } from './driver/bidi-page.js';
import { e2eBrowser, type BrowserName, type Context, type Page } from './driver/page.js';

export type { Context, Locator, Page } from './driver/page.js';

/** Where screenshots go (git-ignored); the good ones are copied into docs/user-guide/images. */
export const ARTEFACTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));

export interface Tandem {
  url: string;
  server: TandemServer;
  /** The browser these tests drive (`TANDEM_E2E_BROWSER`, see driver/page.ts). */
  browserName: BrowserName;
  /** A fresh browser context (its own localStorage: one person) and page. */
  person(viewport?: { width: number; height: number }): Promise<{ context: Context; page: Page }>;
  /** Does what starts a download and returns the downloaded file's path. */
  download(page: Page, start: () => Promise<void>): Promise<string>;
  gql<T>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T>;
  close(): Promise<void>;
}

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

interface Browsers {
  newContext(viewport: { width: number; height: number }): Promise<{ context: Context; page: Page }>;
  download(page: Page, start: () => Promise<void>): Promise<string>;
  close(): Promise<void>;
}

/** Headless Chromium on playwright-core, whose Page already is the e2e page API. */
async function chromiumBrowsers(baseURL: string): Promise<Browsers> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  const downloads = mkdtempSync(join(tmpdir(), 'tandem-downloads-'));
  return {
    async newContext(viewport) {
      const context = await browser.newContext({ baseURL, viewport, acceptDownloads: true });
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      page.on('pageerror', (error) => console.log(`[browser error] ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') console.log(`[browser ${message.type()}] ${message.text()}`);
      });
      return { context, page };
    },
    async download(page, start) {
      const downloading = (page as PlaywrightPage).waitForEvent('download');
      await start();
      const download = await downloading;
      const file = join(downloads, download.suggestedFilename());
      await download.saveAs(file);
      return file;
    },
    async close() {
      await browser.close();
      rmSync(downloads, { recursive: true, force: true });
    },
  };
}

/** Headless Firefox ESR over WebDriver BiDi (puppeteer-core), through driver/bidi-page.ts. */
async function firefoxBrowsers(baseURL: string): Promise<Browsers> {
  const downloads = mkdtempSync(join(tmpdir(), 'tandem-downloads-'));
  const firefox = await launchFirefox(downloads);
  return {
    async newContext(viewport) {
      const context = await firefox.newContext(baseURL, viewport);
      const page = await context.newPage();
      page.raw.on('pageerror', (error) => console.log(`[browser error] ${error instanceof Error ? error.message : String(error)}`));
      page.raw.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warn') console.log(`[browser ${message.type()}] ${message.text()}`);
      });
      return { context, page };
    },
    async download(_page, start) {
      const before = new Set(readdirSync(downloads));
      await start();
      // Firefox writes `<name>.part` first and renames it when the file is complete.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const fresh = readdirSync(downloads).filter((name) => !before.has(name) && !name.endsWith('.part'));
        if (fresh[0] && !readdirSync(downloads).some((name) => name.endsWith('.part'))) return join(downloads, fresh[0]);
        if (Date.now() > deadline) throw new Error('no download arrived within 20 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await firefox.close();
      rmSync(downloads, { recursive: true, force: true });
    },
  };
}

/** Tandem as `npm start` runs it (API, worker, built client) against the suite's Temporal, and the headless browser the project names. */
export async function startTandem(options: { httpAllow?: string[] } = {}): Promise<Tandem> {
  const temporalAddress = inject('temporalAddress');
  const bus = new InProcessEventBus();
  const taskQueue = `e2e-${randomUUID()}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-e2e-'));
  const connection = await NativeConnection.connect({ address: temporalAddress });
  const worker: Worker = await createTandemWorker({
    connection,
    taskQueue,
    bus,
    workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') },
    // Tests whose http.request nodes call a local test server allow its address (TANDEM_HTTP_ALLOW in production).
    ...(options.httpAllow ? { activities: { http: { policy: new NetworkPolicy(options.httpAllow) } } } : {}),
  });
  const running = worker.run();
  const config = { ...readServerConfig({}), port: 0, host: '127.0.0.1', dataDir, temporalAddress, taskQueue };
  const server = await startTandemServer({ config, bus, log: () => {}, extend: serveClient(inject('clientDist')) });
  const browserName = e2eBrowser();
  const browsers = browserName === 'firefox' ? await firefoxBrowsers(server.url) : await chromiumBrowsers(server.url);
  const contexts: Context[] = [];
  mkdirSync(ARTEFACTS, { recursive: true });
  return {
    url: server.url,
    server,
    browserName,
    async person(viewport = { width: 1280, height: 800 }) {
      const { context, page } = await browsers.newContext(viewport);
      // The person's number, fixed now: each person's page gets its own screenshot on failure.
      const index = contexts.push(context);
      onTestFailed(async ({ task }) => {
        const name = `failed-${browserName}-${task.name.replace(/\W+/g, '-').slice(0, 60)}-${index}.png`;
        await page.screenshot({ path: join(ARTEFACTS, name) }).catch(() => {});
      });
      return { context, page };
    },
    download: (page, start) => browsers.download(page, start),
    async gql<T>(query: string, variables: Record<string, unknown> = {}, token?: string) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: T; errors?: unknown[] };
      if (!body.data) throw new Error(JSON.stringify(body.errors));
      return body.data;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browsers.close();
      await server.close();
      worker.shutdown();
      await running;
      await connection.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs up through the UI. */
export async function signUp(page: Page, name: string): Promise<string> {
  const email = `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
  await page.goto('/signup');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Workflows' }).waitFor();
  return email;
}

/** A screenshot artefact; Firefox's carry the browser's name (Chromium's are the user guide's images). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const browser = e2eBrowser();
  await page.screenshot({ path: join(ARTEFACTS, browser === 'chromium' ? `${name}.png` : `${name}-${browser}.png`) });
}

const AXE_SOURCE = readFileSync(fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');

/** Runs axe-core in the page; returns the serious and critical violations. */
export async function axeViolations(page: Page): Promise<Array<{ id: string; impact: string; help: string; nodes: string[] }>> {
  // Injected once per document.
  if (await page.evaluate<boolean>(`typeof axe === 'undefined'`)) await page.evaluate(`${AXE_SOURCE};0`);
  const results = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
    violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[]; html: string; failureSummary?: string }> }>;
  };
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  // The details go to the log; the result stays comparable.
  for (const v of serious) for (const n of v.nodes) console.log(`[axe] ${v.id}: ${n.html.slice(0, 200)} — ${n.failureSummary ?? ''}`);
  return serious.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}

export function writeArtefact(name: string, content: string): void {
  mkdirSync(ARTEFACTS, { recursive: true });
  writeFileSync(join(ARTEFACTS, name), content);
}
