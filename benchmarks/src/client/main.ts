import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { serveClient, startTemporal } from '@tandem/ops';
import { readServerConfig, startTandemServer } from '@tandem/server';
import { InProcessEventBus } from '@tandem/worker';
import { machineInfo } from '../machine.js';
import { table, writeJsonReport } from '../report.js';
import { recordFrames, stopFrames } from './frames.js';
import { benchReplay } from './replay.js';

const NODES = Number(process.env.BENCH_CLIENT_NODES ?? 500);
const PAN_STEPS = Number(process.env.BENCH_CLIENT_PAN_STEPS ?? 120);
const FIRST_PAGE_TARGET_KB = 250;
const CLIENT_ROOT = fileURLToPath(new URL('../../../client/', import.meta.url));
const RESULTS = fileURLToPath(new URL('../../results/client-latest.json', import.meta.url));
const progress = (line: string) => console.log(`[bench] ${line}`);
const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

/** A valid workflow of `count` nodes: a trigger, then transforms in a grid, each fed by the one before. */
function bigWorkflow(count: number) {
  const columns = Math.ceil(Math.sqrt(count));
  const nodes = Array.from({ length: count }, (_, i) => ({
    id: i === 0 ? 'start' : `n${i}`,
    type: i === 0 ? 'trigger.manual' : 'transform',
    position: { x: (i % columns) * 240, y: Math.floor(i / columns) * 110 },
    config: i === 0 ? {} : { expression: `{ 'step': ${i} }` },
  }));
  const edges = nodes.slice(1).map((node, i) => ({ id: `e${i + 1}`, source: nodes[i]!.id, target: node.id }));
  return { format: 'tandem.workflow/v1', name: `${count} nodes`, nodes, edges };
}

/** The gzipped size of what the first page loads: index.html's entry script, CSS and modulepreloads. */
function firstPageSize(dist: string) {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const referenced = [...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const files = referenced.map((file) => {
    const content = readFileSync(join(dist, file));
    return { file, bytes: content.length, gzip: gzipSync(content, { level: 9 }).length };
  });
  const all = readdirSync(join(dist, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => gzipSync(readFileSync(join(dist, 'assets', f)), { level: 9 }).length);
  return {
    files,
    firstPageJsGzipBytes: files.filter((f) => f.file.endsWith('.js')).reduce((sum, f) => sum + f.gzip, 0),
    firstPageCssGzipBytes: files.filter((f) => f.file.endsWith('.css')).reduce((sum, f) => sum + f.gzip, 0),
    allJsGzipBytes: all.reduce((a, b) => a + b, 0),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const started = Date.now();
  const dist = mkdtempSync(join(tmpdir(), 'tandem-bench-client-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-bench-client-data-'));
  const cleanups: Array<() => Promise<unknown> | void> = [
    () => rmSync(dist, { recursive: true, force: true }),
    () => rmSync(dataDir, { recursive: true, force: true }),
  ];
  try {
    progress('building the client (production build)');
    await build({
      root: CLIENT_ROOT,
      configFile: join(CLIENT_ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: dist, emptyOutDir: true, sourcemap: false },
    });
    const size = firstPageSize(dist);

    progress('starting Temporal and the API server');
    const temporal = await startTemporal(process.env.TEMPORAL_ADDRESS);
    cleanups.unshift(() => temporal.stop());
    // The replay bench publishes a run's events on this bus, as a worker would.
    const bus = new InProcessEventBus(20_000);
    const server = await startTandemServer({
      config: { ...readServerConfig({}), port: 0, host: '127.0.0.1', dataDir, temporalAddress: temporal.address },
      bus,
      log: () => {},
      extend: serveClient(`${dist}/`),
    });
    cleanups.unshift(() => server.close());
    const gql = async <T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> => {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: T; errors?: unknown };
      if (!body.data) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const { signUp } = await gql<{ signUp: { token: string; user: { id: string; name: string; email: string } } }>(
      'mutation($email: String!) { signUp(email: $email, password: "correct horse battery", name: "Bench") { token user { id name email } } }',
      { email: `bench-${Date.now()}@example.com` },
    );
    const { createWorkflow } = await gql<{ createWorkflow: { id: string } }>(
      'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
      { input: { name: `${NODES} nodes`, definition: bigWorkflow(NODES) } },
      signUp.token,
    );

    progress(`opening the editor with ${NODES} nodes in headless Chromium`);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
    });
    cleanups.unshift(() => browser.close());
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
    await context.addInitScript(`
      localStorage.setItem('tandem.token', ${JSON.stringify(signUp.token)});
      localStorage.setItem('tandem.user', ${JSON.stringify(JSON.stringify(signUp.user))});
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__longTasks.push({ start: entry.startTime, end: entry.startTime + entry.duration });
      }).observe({ type: 'longtask', buffered: true });
    `);
    const page = await context.newPage();

    const samples: Array<{ nodesVisible: number; interactive: number; longTasks: number }> = [];
    for (let round = 0; round < 3; round++) {
      await page.goto(`/workflows/${createWorkflow.id}`);
      // Every node drawn, then no long task for 500 ms: interactive from the end of the last long task.
      const result = await page.evaluate<{ nodesVisible: number; interactive: number; longTasks: number }>(`(async () => {
        const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
        while (document.querySelectorAll('[data-node-id]').length < ${NODES}) await frame();
        const nodesVisible = performance.now();
        for (;;) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          const last = window.__longTasks.at(-1)?.end ?? 0;
          if (performance.now() - Math.max(last, nodesVisible) >= 500) break;
        }
        const last = window.__longTasks.at(-1)?.end ?? 0;
        return { nodesVisible, interactive: Math.max(nodesVisible, last), longTasks: window.__longTasks.length };
      })()`);
      samples.push(result);
      progress(`round ${round + 1}: nodes drawn ${Math.round(result.nodesVisible)} ms, interactive ${Math.round(result.interactive)} ms`);
    }

    progress(`panning (${PAN_STEPS} pointer moves) and zooming`);
    const box = (await page.locator('.canvas-svg').boundingBox())!;
    await recordFrames(page);
    // Middle button pans from anywhere, nodes included.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down({ button: 'middle' });
    for (let i = 0; i < PAN_STEPS; i++) {
      const angle = (i / PAN_STEPS) * Math.PI * 4;
      await page.mouse.move(box.x + box.width / 2 + Math.cos(angle) * 200, box.y + box.height / 2 + Math.sin(angle) * 150);
    }
    await page.mouse.up({ button: 'middle' });
    for (let i = 0; i < 20; i++) await page.mouse.wheel(0, i < 10 ? -120 : 120);
    const frames = await stopFrames(page);
    const moved = await page.locator('.canvas-svg > g').getAttribute('transform');

    const replay = await benchReplay({ gql, token: signUp.token, bus, context, progress });
    const scrub = replay.scrubFrames;

    const interactive = samples.map((s) => s.interactive);
    const report = {
      generatedAt: new Date().toISOString(),
      machine: machineInfo(),
      nodes: NODES,
      bundle: { ...size, targetFirstPageJsGzipKb: FIRST_PAGE_TARGET_KB, meetsTarget: size.firstPageJsGzipBytes < FIRST_PAGE_TARGET_KB * 1024 },
      editor: {
        timeToInteractiveMs: { median: percentile(interactive, 50), samples: interactive },
        nodesDrawnMs: {
          median: percentile(
            samples.map((s) => s.nodesVisible),
            50,
          ),
          samples: samples.map((s) => s.nodesVisible),
        },
      },
      panning: {
        frames: frames.length,
        frameMs: { p50: percentile(frames, 50), p95: percentile(frames, 95), max: Math.max(...frames) },
        framesOver50ms: frames.filter((f) => f > 50).length,
        viewportAfter: moved,
      },
      replay: {
        events: replay.events,
        firstPaintMs: { median: percentile(replay.firstPaintMs, 50), samples: replay.firstPaintMs },
        scrubbing: {
          frames: scrub.length,
          frameMs: { p50: percentile(scrub, 50), p95: percentile(scrub, 95), max: Math.max(...scrub) },
          // The target is "median under 16 ms"; a requestAnimationFrame interval is never
          // shorter than one display frame (16.67 ms at 60 Hz), so this measure meets it when the
          // median interval is one frame: no frame dropped at the median.
          targetMedianMs: 16,
          meetsTarget: percentile(scrub, 50) < 16.7,
          framesOver50ms: scrub.filter((f) => f > 50).length,
        },
      },
      durationSeconds: (Date.now() - started) / 1000,
    };
    console.log('');
    console.log(
      table(
        [
          ['measure', 'value'],
          ['first page JS (gzip)', `${kb(size.firstPageJsGzipBytes)} KB (target < ${FIRST_PAGE_TARGET_KB} KB)`],
          ['first page CSS (gzip)', `${kb(size.firstPageCssGzipBytes)} KB`],
          ['all JS chunks (gzip)', `${kb(size.allJsGzipBytes)} KB`],
          [`editor TTI, ${NODES} nodes (median of 3)`, `${Math.round(report.editor.timeToInteractiveMs.median)} ms`],
          [`editor nodes drawn, ${NODES} nodes`, `${Math.round(report.editor.nodesDrawnMs.median)} ms`],
          [
            'pan frame time p50 / p95 / max',
            `${report.panning.frameMs.p50.toFixed(1)} / ${report.panning.frameMs.p95.toFixed(1)} / ${report.panning.frameMs.max.toFixed(1)} ms`,
          ],
          ['pan frames over 50 ms', `${report.panning.framesOver50ms} of ${frames.length}`],
          [`replay, ${replay.events} events: whole run shown (median of 3)`, `${Math.round(report.replay.firstPaintMs.median)} ms`],
          [
            'replay scrub frame time p50 / p95 / max',
            `${report.replay.scrubbing.frameMs.p50.toFixed(1)} / ${report.replay.scrubbing.frameMs.p95.toFixed(1)} / ${report.replay.scrubbing.frameMs.max.toFixed(1)} ms (target: median of one 60 Hz frame, 16.7 ms)`,
          ],
          ['replay scrub frames over 50 ms', `${report.replay.scrubbing.framesOver50ms} of ${scrub.length}`],
        ],
        (column) => column === 1,
      ),
    );
    writeJsonReport(report, RESULTS);
    console.log(`\nreport: ${RESULTS}`);
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

await main();
