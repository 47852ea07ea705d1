// k6 as the load generator: built once into .tools/bin by ops/scripts/install-k6.sh, then run
// per read phase with benchmarks/k6/reads.js; the figures come from its --summary-export JSON.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@tandem/ops';
import type { LoadFigures } from './loops.js';
import type { HttpLoadSpec } from './node-load.js';

export const K6_BIN = join(REPO_ROOT, '.tools', 'bin', 'k6');
const K6_SCRIPT = join(REPO_ROOT, 'benchmarks', 'k6', 'reads.js');
const INSTALL_SCRIPT = join(REPO_ROOT, 'ops', 'scripts', 'install-k6.sh');

/** Stops a k6 build still running (the benchmark is stopped while building). */
let stopBuild: (() => void) | undefined;
export function stopK6Build(): void {
  stopBuild?.();
}

export type K6Availability = { ok: true; version: string; buildSeconds: number } | { ok: false; reason: string; buildSeconds: number };

/** Builds k6 unless it is already built; gives up after `timeoutSeconds` (stopping the build). */
export function ensureK6(timeoutSeconds: number, log: (line: string) => void): Promise<K6Availability> {
  const startedAt = Date.now();
  const elapsed = () => (Date.now() - startedAt) / 1_000;
  return new Promise((resolve) => {
    // Its own process group, so a build that takes too long is stopped with everything it started.
    const child = spawn('bash', [INSTALL_SCRIPT], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-2_000);
      for (const line of text.split('\n')) if (line.startsWith('Building') || line.includes('failed')) log(line);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    stopBuild = () => killGroup('SIGKILL');
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 5_000).unref();
    }, timeoutSeconds * 1_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      stopBuild = undefined;
      resolve({ ok: false, reason: `could not run ${INSTALL_SCRIPT}: ${error.message}`, buildSeconds: elapsed() });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      stopBuild = undefined;
      if (timedOut) return resolve({ ok: false, reason: `the k6 build took longer than ${timeoutSeconds} s and was stopped`, buildSeconds: elapsed() });
      if (code !== 0)
        return resolve({
          ok: false,
          reason: `the k6 build failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' | ')}`,
          buildSeconds: elapsed(),
        });
      try {
        const version = execFileSync(K6_BIN, ['version'], { encoding: 'utf8', timeout: 10_000 }).trim().split('\n')[0]!;
        resolve({ ok: true, version, buildSeconds: elapsed() });
      } catch (error) {
        resolve({ ok: false, reason: `k6 was built but does not run: ${(error as Error).message}`, buildSeconds: elapsed() });
      }
    });
  });
}

/** A trend in the summary export: flat (`{ "p(95)": … }`) or, in newer formats, under `values`. */
type ExportedMetric = Record<string, unknown> & { values?: Record<string, unknown> };

function metric(summary: { metrics?: Record<string, ExportedMetric> }, name: string): Record<string, unknown> {
  const found = summary.metrics?.[name];
  if (!found) throw new Error(`the k6 summary has no metric "${name}" (has: ${Object.keys(summary.metrics ?? {}).join(', ')})`);
  return found.values ?? found;
}

function num(values: Record<string, unknown>, key: string, name: string): number {
  const value = values[key];
  if (typeof value !== 'number') throw new Error(`the k6 summary's "${name}" has no number "${key}"`);
  return value;
}

/** One read phase with k6; its figures are those of the `phase:measure` scenario. */
export async function runK6(spec: HttpLoadSpec): Promise<LoadFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-k6-'));
  const summaryFile = join(dir, 'summary.json');
  try {
    const args = ['run', '--quiet', '--no-color', '--no-usage-report', '--summary-export', summaryFile, K6_SCRIPT];
    const env = {
      ...process.env,
      API_URL: spec.endpoint,
      API_TOKEN: spec.token,
      QUERY: spec.read.query,
      VARIABLES: JSON.stringify(spec.read.variables),
      DATA_FIELD: spec.read.field,
      VUS: String(spec.clients),
      WARMUP_SECONDS: String(spec.warmupSeconds),
      DURATION_SECONDS: String(spec.seconds),
      K6_NO_USAGE_REPORT: 'true',
    };
    await new Promise<void>((resolve, reject) => {
      const child = spawn(K6_BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000));
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`k6 exited with code ${code}:\n${output.trim()}`))));
    });
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { metrics?: Record<string, ExportedMetric> };
    const durationName = 'http_req_duration{phase:measure}';
    const duration = metric(summary, durationName);
    const checksName = 'checks{phase:measure}';
    const checks = metric(summary, checksName);
    const passes = num(checks, 'passes', checksName);
    const fails = num(checks, 'fails', checksName);
    const count = num(duration, 'count', durationName);
    return {
      requests: passes,
      failed: fails,
      seconds: spec.seconds,
      throughput: passes / spec.seconds,
      latency: {
        count,
        min: num(duration, 'min', durationName),
        mean: num(duration, 'avg', durationName),
        p50: num(duration, 'med', durationName),
        p95: num(duration, 'p(95)', durationName),
        p99: num(duration, 'p(99)', durationName),
        max: num(duration, 'max', durationName),
      },
      errors: fails > 0 ? [`${fails} responses failed the check (status 200, data.${spec.read.field}, no errors)`] : [],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
