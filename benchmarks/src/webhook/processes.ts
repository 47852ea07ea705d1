// The two programs `npm run bench:webhook` compares, each in its own process tree:
// - Tandem as `npm start` runs it: built (`tsc -b`), `node ops/dist/start.js` (API server in
//   that process, the worker in a supervised child, events over IPC), SQLite in a fresh data
//   directory, on the benchmark's Temporal server (TEMPORAL_ADDRESS);
// - the hand-written program (handwritten-main.ts), compiled with swc and run with plain node.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from '@swc/core';
import { REPO_ROOT } from '@tandem/ops';
import { gql } from '../api/http.js';
import { signUp, type SeededUser } from '../api/seed.js';
import { DEPLOY_WORKFLOW } from '../api/queries.js';

export interface Program {
  /** Root process id (its tree is what is measured). */
  pid: number;
  url: string;
  stop(): Promise<void>;
  /** The last lines it printed. */
  output(): string;
}

function outputKeeper(child: ChildProcess, onLine: (line: string) => void): () => string {
  let kept = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    kept = (kept + text).slice(-6_000);
    for (const line of text.split('\n')) if (line.trim()) onLine(line);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => kept;
}

function stopper(child: ChildProcess, graceMs = 30_000): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(force);
  };
}

/** `npm start`'s build step: `tsc -b tsconfig.build.json` into each package's dist. */
export function buildTandem(): void {
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status})`);
}

export interface TandemOptions {
  temporalAddress: string;
  port: number;
  dataDir: string;
  /** Write V8 CPU profiles of the API process and the worker child here (`--cpu-prof`). */
  cpuProfileDir?: string;
  log: (line: string) => void;
}

/** `node ops/dist/start.js` with TEMPORAL_ADDRESS set; resolves once it is ready (/readyz: database, Temporal, a polling worker; its log level may hide the start line). */
export async function startTandem(options: TandemOptions): Promise<Program> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: options.temporalAddress,
    PORT: String(options.port),
    HOST: '127.0.0.1',
    TANDEM_DATA_DIR: options.dataDir,
    // The documentation site is never read here; its background build would count as Tandem's CPU and memory.
    TANDEM_DOCS_BUILD: 'off',
  };
  for (const name of ['REDIS_URL', 'DATABASE_URL', 'TEMPORAL_TASK_QUEUE', 'NODE_OPTIONS', 'TANDEM_SECRETS_KEY', 'TANDEM_SECRETS_KEYS']) delete env[name];
  // The worker child is forked with this process's execArgv, so it is profiled too.
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, join(REPO_ROOT, 'ops', 'dist', 'start.js')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = `http://127.0.0.1:${options.port}`;
  const output = outputKeeper(child, (line) => {
    if (/error|fail|died/i.test(line)) options.log(`tandem: ${line}`);
  });
  let exitedEarly: Error | undefined;
  child.once('exit', (code) => (exitedEarly = new Error(`Tandem exited (code ${code}) before it was running:\n${output()}`)));
  for (;;) {
    if (exitedEarly) throw exitedEarly;
    const healthy = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { pid: child.pid!, url, stop: stopper(child), output };
}

export interface SeededTandem {
  user: SeededUser;
  webhook: { workflowId: string; secret: string; url: string };
  waitingWorkflowId: string;
  sumWorkflowId: string;
}

/** Creates a workflow through the API and deploys it. */
export async function createDeployedWorkflow(url: string, token: string, name: string, definition: unknown): Promise<{ id: string; webhookSecret: string }> {
  const created = await gql<{ createWorkflow: { id: string; webhookSecret: string } }>(
    url,
    token,
    'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id webhookSecret } }',
    { input: { name, definition } },
  );
  await gql(url, token, DEPLOY_WORKFLOW, { id: created.createWorkflow.id });
  return created.createWorkflow;
}

/** A user, and the deployed workflows the scenarios use, created through the API. */
export async function seedTandem(url: string, definitions: { webhook: unknown; waiting: unknown; sum: unknown }, hookPath: string): Promise<SeededTandem> {
  const user = await signUp(url);
  const create = (name: string, definition: unknown) => createDeployedWorkflow(url, user.token, name, definition);
  const webhook = await create('Webhook bench', definitions.webhook);
  const waiting = await create('Held runs', definitions.waiting);
  const sum = await create('Sum', definitions.sum);
  return {
    user,
    webhook: { workflowId: webhook.id, secret: webhook.webhookSecret, url: `${url}/hooks/${webhook.id}/${hookPath}` },
    waitingWorkflowId: waiting.id,
    sumWorkflowId: sum.id,
  };
}

const HANDWRITTEN_SOURCE = fileURLToPath(new URL('./handwritten-main.ts', import.meta.url));
export const HANDWRITTEN_WORKFLOWS = fileURLToPath(new URL('./handwritten-workflow.ts', import.meta.url));
/** Compiled next to the other packages' builds (git-ignored); bare imports resolve from the repository's node_modules. */
const HANDWRITTEN_BUILT = join(REPO_ROOT, 'benchmarks', 'dist', 'webhook', 'handwritten-main.js');

/** The hand-written program, compiled to JavaScript and run with plain node; resolves once it listens. */
export async function startHandwritten(temporalAddress: string, taskQueue: string, log: (line: string) => void, cpuProfileDir?: string): Promise<Program> {
  const compiled = await swc.transform(readFileSync(HANDWRITTEN_SOURCE, 'utf8'), {
    filename: HANDWRITTEN_SOURCE,
    swcrc: false,
    configFile: false,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
  });
  mkdirSync(dirname(HANDWRITTEN_BUILT), { recursive: true });
  writeFileSync(HANDWRITTEN_BUILT, compiled.code);
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: temporalAddress, TASK_QUEUE: taskQueue, WORKFLOWS_PATH: HANDWRITTEN_WORKFLOWS };
  delete env.NODE_OPTIONS;
  // Profiled like Tandem's processes, so the two sides' profiles can be compared.
  const nodeArgs = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, HANDWRITTEN_BUILT], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let listening!: (port: number) => void;
  const ready = new Promise<number>((resolve) => (listening = resolve));
  const output = outputKeeper(child, (line) => {
    const match = /^listening (\d+)/.exec(line);
    if (match) listening(Number(match[1]));
    else if (/error|fail/i.test(line)) log(`hand-written: ${line}`);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the hand-written program exited (code ${code}):\n${output()}`))),
  );
  const port = await Promise.race([ready, exited]);
  exited.catch(() => {});
  return { pid: child.pid!, url: `http://127.0.0.1:${port}/`, stop: stopper(child), output };
}
