import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject, onTestFailed } from 'vitest';
import { serveClient } from '@tandem/ops';
import { readServerConfig, startTandemServer, type TandemServer } from '@tandem/server';
import { createTandemWorker, InProcessEventBus } from '@tandem/worker';

/** Where screenshots go (git-ignored); the good ones are copied into docs/user-guide/images. */
export const ARTEFACTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));

export interface Tandem {
  url: string;
  server: TandemServer;
  browser: Browser;
  /** A fresh browser context (its own localStorage: one person) and page. */
  person(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }>;
  gql<T>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T>;
  close(): Promise<void>;
}

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** Tandem as `npm start` runs it (API, worker, built client) against the suite's Temporal, and a headless Chromium. */
export async function startTandem(): Promise<Tandem> {
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
  });
  const running = worker.run();
  const config = { ...readServerConfig({}), port: 0, host: '127.0.0.1', dataDir, temporalAddress, taskQueue };
  const server = await startTandemServer({ config, bus, log: () => {}, extend: serveClient(inject('clientDist')) });
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  const contexts: BrowserContext[] = [];
  mkdirSync(ARTEFACTS, { recursive: true });
  return {
    url: server.url,
    server,
    browser,
    async person(viewport = { width: 1280, height: 800 }) {
      const context = await browser.newContext({ baseURL: server.url, viewport, acceptDownloads: true });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      page.on('pageerror', (error) => console.log(`[browser error] ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') console.log(`[browser ${message.type()}] ${message.text()}`);
      });
      onTestFailed(async ({ task }) => {
        await page.screenshot({ path: join(ARTEFACTS, `failed-${task.name.replace(/\W+/g, '-').slice(0, 60)}-${contexts.length}.png`) }).catch(() => {});
      });
      return { context, page };
    },
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
      await browser.close();
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

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTEFACTS, `${name}.png`) });
}

/** Runs axe-core in the page; returns the serious and critical violations. */
export async function axeViolations(page: Page): Promise<Array<{ id: string; impact: string; help: string; nodes: string[] }>> {
  const source = readFileSync(fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');
  await page.evaluate(source);
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
