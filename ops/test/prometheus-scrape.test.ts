import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { REPO_ROOT } from '@tandem/ops';
import { eventually } from '../../test-support/eventually.js';
import { freePort } from '../../test-support/free-port.js';
import { deployWorkflow, startTandemProcess, tandemGql, type StartedTandem } from '../../test-support/tandem-process.js';
import { dashboardQueries, PROMETHEUS_DIR } from './deploy/dashboard.js';

// A real Prometheus (Debian's binary, on loopback, 1 s scrapes) scraping a real Tandem as
// `npm start` runs it (API server, worker process with its own /metrics, both behind the
// metrics token) with Tandem's alert rules loaded. After a known mix of runs, Tandem's series
// read back through Prometheus's HTTP API count exactly those runs, and every query of the
// Grafana dashboard evaluates.

const PROMETHEUS = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';
const MISSING = !existsSync(PROMETHEUS);
if (MISSING) console.warn(`SKIPPED prometheus-scrape.test.ts: ${PROMETHEUS} is missing (apt-get install prometheus; CI installs it).`);

const TOKEN = 'scrape-secret-for-the-test';
const COMPLETED = 3;
const FAILED = 2;

let scratch: string;
let tandem: StartedTandem | undefined;
let prometheus: ChildProcess | undefined;
let tandemUrl: string;
let prometheusUrl: string;
let prometheusOutput = '';

/** Waits for a child's output to show `text`; fails at once (with the output) if it exits. */
async function started(child: ChildProcess, read: () => string, text: string, name: string): Promise<void> {
  await eventually(
    () => {
      if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}):\n${read()}`);
      expect(read()).toContain(text);
    },
    { timeoutMs: 120_000, intervalMs: 100 },
  );
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query through Prometheus's HTTP API; an error status fails the test with Prometheus's message. */
async function query(promql: string): Promise<Sample[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: promql })}`);
  const body = (await response.json()) as { status: string; error?: string; data?: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
  return body.data!.result;
}

/** The query's result as label value → number, for a query aggregated by one label. */
async function byLabel(promql: string, label: string): Promise<Record<string, number>> {
  return Object.fromEntries((await query(promql)).map((sample) => [sample.metric[label] ?? '', Number(sample.value[1])]));
}

function gql<T>(document: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  return tandemGql<T>(tandemUrl, document, variables, token);
}

function workflow(last: { type: string; config: Record<string, unknown> }): unknown {
  return {
    format: 'tandem.workflow/v1',
    name: 'w',
    description: '',
    nodes: [
      { id: 't', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
      { id: 'last', type: last.type, position: { x: 200, y: 0 }, config: last.config },
    ],
    edges: [{ id: 'e', source: 't', target: 'last' }],
  };
}

describe.skipIf(MISSING)('Prometheus scraping a running Tandem', () => {
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'tandem-prometheus-'));
    // What `npm start` does first.
    execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
    execFileSync(process.execPath, [join(REPO_ROOT, 'worker/dist/write-bundle.js')], { cwd: REPO_ROOT, stdio: 'inherit' });

    const [apiPort, workerMetricsPort, prometheusPort] = [await freePort(), await freePort(), await freePort()];
    prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    tandem = await startTandemProcess({
      port: apiPort,
      dataDir: join(scratch, 'tandem'),
      temporalAddress: inject('temporalAddress'),
      env: { TANDEM_METRICS_TOKEN: TOKEN, TANDEM_WORKER_METRICS_ADDRESS: `127.0.0.1:${workerMetricsPort}` },
    });
    tandemUrl = tandem.url;
    await started(tandem.process, tandem.output, `Worker metrics at http://127.0.0.1:${workerMetricsPort}/metrics`, 'npm start');

    // The scrape jobs of ops/prometheus/prometheus.yml, pointed at this Tandem, with the token as documented.
    const tokenFile = join(scratch, 'tandem-metrics-token');
    writeFileSync(tokenFile, TOKEN);
    const job = (name: string, port: number) => ({
      job_name: name,
      metrics_path: '/metrics',
      authorization: { credentials_file: tokenFile },
      static_configs: [{ targets: [`127.0.0.1:${port}`] }],
    });
    writeFileSync(
      join(scratch, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [join(PROMETHEUS_DIR, 'rules/tandem.yml')],
        scrape_configs: [job('tandem-api', apiPort), job('tandem-worker', workerMetricsPort)],
      }),
    );
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(scratch, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(scratch, 'prometheus-data')}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout!.on('data', (chunk: Buffer) => (prometheusOutput += chunk.toString()));
    prometheus.stderr!.on('data', (chunk: Buffer) => (prometheusOutput += chunk.toString()));
    await started(prometheus, () => prometheusOutput, 'Server is ready to receive web requests.', 'prometheus');
  }, 600_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await tandem?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  it('scrapes the API server and the worker, with the metrics token', async () => {
    await eventually(async () => expect(await byLabel('up', 'job')).toEqual({ 'tandem-api': 1, 'tandem-worker': 1 }), { timeoutMs: 30_000, intervalMs: 250 });
    // Without the token Tandem refuses the scrape: the token is what Prometheus sent.
    expect((await fetch(`${tandemUrl}/metrics`)).status).toBe(401);
    expect(await byLabel('tandem_worker_running', 'job')).toEqual({ 'tandem-worker': 1 });
  });

  it('reads back, through Prometheus, exactly the runs made: started, and ended by status', async () => {
    const { signUp } = await gql<{ signUp: { token: string } }>(
      'mutation { signUp(email: "ops@example.com", password: "correct horse battery", name: "Ops") { token } }',
    );
    const token = signUp.token;
    const deploy = (definition: unknown) => deployWorkflow(tandemUrl, definition, token);
    const succeeding = await deploy(workflow({ type: 'output', config: { expression: '1 + 1' } }));
    const failing = await deploy(workflow({ type: 'fail', config: { message: 'boom' } }));
    const runs = [...Array<string>(COMPLETED).fill(succeeding), ...Array<string>(FAILED).fill(failing)];
    const ids = await Promise.all(
      runs.map(async (workflowId) => {
        const { startExecution } = await gql<{ startExecution: { id: string } }>(
          'mutation($id: ID!) { startExecution(workflowId: $id, input: {}) { id } }',
          { id: workflowId },
          token,
        );
        return startExecution.id;
      }),
    );
    const statuses = await eventually(
      async () => {
        const ended = await Promise.all(
          ids.map(
            async (id) => (await gql<{ execution: { status: string } }>('query($id: ID!) { execution(id: $id) { status } }', { id }, token)).execution.status,
          ),
        );
        expect(ended.every((status) => status === 'COMPLETED' || status === 'FAILED')).toBe(true);
        return ended;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(statuses.sort()).toEqual([...Array<string>(COMPLETED).fill('COMPLETED'), ...Array<string>(FAILED).fill('FAILED')]);

    await eventually(
      async () => {
        // CANCELLED is there at 0 from the start: rate() would miss a status's first run otherwise.
        expect(await byLabel('sum by (status) (tandem_runs_finished_total{job="tandem-api"})', 'status')).toEqual({ COMPLETED, FAILED, CANCELLED: 0 });
        expect(await byLabel('sum(tandem_runs_started_total{job="tandem-api"})', '')).toEqual({ '': COMPLETED + FAILED });
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    // Steps by node type and status, and runs' durations by status, count the same runs.
    expect(await byLabel('sum by (status) (tandem_step_duration_seconds_count{node_type="fail"})', 'status')).toEqual({ FAILED });
    expect(await byLabel('sum by (status) (tandem_step_duration_seconds_count{node_type="output"})', 'status')).toEqual({ COMPLETED });
    expect(await byLabel('sum by (status) (tandem_run_duration_seconds_count)', 'status')).toEqual({ COMPLETED, FAILED });
    // The API counted the GraphQL operations that made them.
    expect(await byLabel('sum by (operation) (tandem_graphql_operation_duration_seconds_count{operation="startExecution"})', 'operation')).toEqual({
      startExecution: COMPLETED + FAILED,
    });
  });

  it("evaluates the alert rules' recording rules on Tandem's series", async () => {
    await eventually(
      async () => {
        const [ratio] = await query('tandem:run_failure_ratio:rate5m');
        expect(Number(ratio?.value[1])).toBeCloseTo(FAILED / (COMPLETED + FAILED), 5);
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const [pollers] = await query('max(tandem_task_queue_pollers{type="workflow"})');
    expect(Number(pollers?.value[1])).toBeGreaterThan(0);
  });

  it('answers every query of the Grafana dashboard, and the run panels show the runs', async () => {
    for (const { panel, expr } of dashboardQueries()) await expect(query(expr), panel).resolves.toBeInstanceOf(Array);
    const ended = await byLabel(dashboardQueries().find(({ expr }) => expr.startsWith('sum by (status) (rate(tandem_runs_finished_total'))!.expr, 'status');
    expect(ended.COMPLETED).toBeGreaterThan(0);
    expect(ended.FAILED).toBeGreaterThan(0);
    expect(ended.CANCELLED).toBe(0);
  });

  it('npm run dashboards prints the URLs of this Tandem and this Prometheus, each answering', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'ops/dist/print-dashboards.js')], {
      env: { PATH: process.env.PATH ?? '', TANDEM_URL: tandemUrl, PROMETHEUS_URL: prometheusUrl },
    });
    expect(stdout).toContain(`Tandem dashboard   ${tandemUrl}/dashboard\n`);
    const alerts = new RegExp(`^Prometheus alerts  (${prometheusUrl}/(?:classic/)?alerts)$`, 'm').exec(stdout)?.[1];
    expect(alerts, stdout).toBeDefined();
    expect((await fetch(alerts!)).status).toBe(200);
  });
});
