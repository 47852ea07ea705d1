// `npm run test:load`: against TANDEM_URL, or a Tandem started here as `npm start` runs it
// (built, `node ops/dist/start.js`, SQLite in a scratch directory, on a Temporal dev server).
// Seeds a user and a workflow that waits for a signal, then runs benchmarks/k6/load.js and
// exits with k6's status: non-zero when a threshold is missed.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, REPO_ROOT, startTemporal } from '@tandem/ops';
import { K6_BIN, ensureK6 } from '../api/k6.js';
import { gql } from '../api/http.js';
import { CREATE_WORKFLOW, DEPLOY_WORKFLOW } from '../api/queries.js';
import { signUp } from '../api/seed.js';
import { machineInfo } from '../machine.js';
import { WAITING_WORKFLOW } from '../webhook/flow.js';
import { buildTandem, startTandem } from '../webhook/processes.js';
import { readLoadTestConfig } from './config.js';

/** The runs it holds: WAITING_WORKFLOW (trigger -> wait.signal -> output) waits for this signal. */
const RELEASE_SIGNAL = 'go';

const log = (line: string) => console.error(`[test:load] ${line}`);
const cleanups: Array<() => Promise<void>> = [];
const cleanUp = async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => log(`cleanup: ${(error as Error).message}`));
};

async function main(): Promise<number> {
  const config = readLoadTestConfig(process.argv.slice(2), process.env);
  const machine = machineInfo();
  const k6 = await ensureK6(1_800, log);
  if (!k6.ok) throw new Error(`k6 is needed: ${k6.reason}`);

  let url = config.url;
  if (!url) {
    if (!config.skipBuild) {
      log('building (npm run build), as npm start does');
      buildTandem();
    }
    const temporal = await startTemporal(process.env.TEMPORAL_ADDRESS?.trim() || undefined);
    cleanups.push(() => temporal.stop());
    const dataDir = mkdtempSync(join(tmpdir(), 'tandem-load-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    // This Tandem is measured, not read: no documentation build beside it.
    process.env.TANDEM_DOCS_BUILD = 'off';
    log(`starting Tandem (node ops/dist/start.js, SQLite in ${dataDir}) on Temporal at ${temporal.address}`);
    if (config.cpuProfileDir) mkdirSync(config.cpuProfileDir, { recursive: true });
    const tandem = await startTandem({ temporalAddress: temporal.address, port: await freePort(), dataDir, cpuProfileDir: config.cpuProfileDir, log });
    cleanups.push(() => tandem.stop());
    url = tandem.url;
  }

  const user = await signUp(url);
  const created = await gql<{ createWorkflow: { id: string } }>(url, user.token, CREATE_WORKFLOW, {
    input: { name: 'test:load: held until released', definition: WAITING_WORKFLOW },
  });
  const workflowId = created.createWorkflow.id;
  await gql(url, user.token, DEPLOY_WORKFLOW, { id: workflowId });
  log(`${url}: ${config.inFlight} runs in flight, ${config.readers} readers, ${config.subscribers} subscribers; ${k6.version}`);

  const loadBefore = loadavg()[0]!;
  const status = await new Promise<number>((resolve, reject) => {
    const child = spawn(K6_BIN, ['run', '--quiet', join(REPO_ROOT, 'benchmarks', 'k6', 'load.js')], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        API_URL: `${url}/graphql`,
        API_TOKEN: user.token,
        WORKFLOW_ID: workflowId,
        SIGNAL: RELEASE_SIGNAL,
        IN_FLIGHT: String(config.inFlight),
        READERS: String(config.readers),
        SUBSCRIBERS: String(config.subscribers),
        RELEASERS: String(config.releasers),
        HOLD_SECONDS: String(config.holdSeconds),
        P95_MS: String(config.p95Ms),
        ...(config.output ? { SUMMARY_JSON: config.output } : {}),
        K6_NO_USAGE_REPORT: 'true',
      },
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
  console.log(
    `machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; load average (1 min) ${loadBefore.toFixed(2)} before the run, ${loadavg()[0]!.toFixed(2)} after`,
  );
  console.log(status === 0 ? 'test:load: every threshold held' : `test:load: a threshold was missed or k6 failed (exit ${status})`);
  return status;
}

process.on('SIGINT', () => void cleanUp().then(() => process.exit(130)));
try {
  const status = await main();
  await cleanUp();
  process.exit(status);
} catch (error) {
  console.error(`test:load: ${(error as Error).message}`);
  await cleanUp();
  process.exit(1);
}
