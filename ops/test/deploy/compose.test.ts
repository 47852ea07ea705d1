import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../src/config.js';

// The production compose setup, resolved by Debian's docker-compose (`config` needs no daemon;
// .ci/run installs it) through `npm run deploy:prod -- --dry-run`, the command operators run.

const COMPOSE_DIR = join(REPO_ROOT, 'deploy/compose');
const REQUIRED = ['TANDEM_DOMAIN', 'TANDEM_ACME_EMAIL', 'TANDEM_SECRETS_KEY', 'POSTGRES_PASSWORD'];
const KEY = Buffer.alloc(32, 7).toString('base64');

interface Service {
  image?: string;
  build?: { target?: string };
  // docker-compose prints a port with a host address in the short form (`127.0.0.1:3000:3000/tcp`).
  ports?: Array<{ published: number | string; target: number; protocol?: string } | string>;
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  deploy?: { replicas?: number };
  stop_grace_period?: string;
  depends_on?: Record<string, { condition: string }>;
}

/** Runs `ops/scripts/prod.sh` with an env file of these settings. */
function prod(args: string[], settings: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-compose-'));
  const envFile = join(dir, '.env');
  writeFileSync(
    envFile,
    Object.entries(settings)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, TANDEM_ENV_FILE: envFile };
  return spawnSync('bash', [join(REPO_ROOT, 'ops/scripts/prod.sh'), ...args], { cwd: REPO_ROOT, env, encoding: 'utf8' });
}

const complete = { TANDEM_DOMAIN: 'tandem.example.com', TANDEM_ACME_EMAIL: 'ops@example.com', TANDEM_SECRETS_KEY: KEY, POSTGRES_PASSWORD: 'secret' };

function resolved(settings: Record<string, string>): { services: Record<string, Service> } {
  const result = prod(['deploy', '--dry-run'], settings);
  if (result.error || /command not found|not installed/.test(result.stderr)) {
    throw new Error(`docker-compose is needed to check the compose file: apt-get install -y docker-compose (${result.stderr || result.error?.message})`);
  }
  expect(result.stderr).not.toMatch(/error|invalid/i);
  expect(result.status).toBe(0);
  return parse(result.stdout) as { services: Record<string, Service> };
}

describe('the production compose setup', () => {
  // docker-compose takes seconds to start: resolve once, with optional settings changed from their defaults.
  let services: Record<string, Service>;
  beforeAll(() => {
    services = resolved({ ...complete, TANDEM_API_REPLICAS: '3', TANDEM_WORKER_REPLICAS: '5', TANDEM_SHUTDOWN_GRACE_MS: '40000' }).services;
  });

  it('resolves to Caddy, API servers and workers by replica count, Temporal on PostgreSQL, PostgreSQL and Redis', () => {
    expect(Object.keys(services).sort()).toEqual(['alertmanager', 'api', 'caddy', 'grafana', 'postgres', 'prometheus', 'redis', 'temporal', 'worker']);
    expect(services.api!.deploy?.replicas).toBe(3);
    expect(services.worker!.deploy?.replicas).toBe(5);
    expect(services.api!.build?.target).toBe('api');
    expect(services.worker!.build?.target).toBe('worker');
    expect(services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres', POSTGRES_PWD: 'secret' });
    for (const name of ['api', 'worker']) {
      expect(services[name]!.environment, name).toMatchObject({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://tandem:secret@postgres:5432/tandem',
        REDIS_URL: 'redis://redis:6379',
        TEMPORAL_ADDRESS: 'temporal:7233',
        TANDEM_SECRETS_KEY: KEY,
      });
      expect(Object.keys(services[name]!.depends_on ?? {}).sort(), name).toEqual(['postgres', 'redis', 'temporal']);
    }
    expect(services.api!.environment).toMatchObject({ TANDEM_PUBLIC_URL: 'https://tandem.example.com', TANDEM_TRUST_PROXY: '1' });
  });

  it('publishes only Caddy (80 and 443, with UDP for HTTP/3); the monitoring UIs on the host’s loopback only; everything else stays internal', () => {
    const published = (name: string) =>
      services[name]!.ports!.map((p) => (typeof p === 'string' ? p : `${p.published}:${p.target}/${p.protocol ?? 'tcp'}`)).sort();
    expect(published('caddy')).toEqual(['443:443/tcp', '443:443/udp', '80:80/tcp']);
    expect(published('prometheus')).toEqual(['127.0.0.1:9090:9090/tcp']);
    expect(published('alertmanager')).toEqual(['127.0.0.1:9093:9093/tcp']);
    expect(published('grafana')).toEqual(['127.0.0.1:3000:3000/tcp']);
    for (const [name, service] of Object.entries(services))
      if (!['caddy', 'prometheus', 'alertmanager', 'grafana'].includes(name)) expect(service.ports, name).toBeUndefined();
    expect(services.caddy!.environment).toEqual({ TANDEM_DOMAIN: 'tandem.example.com', TANDEM_ACME_EMAIL: 'ops@example.com' });
    // /metrics is served on a port of its own, which Caddy (proxying port 4000) never reaches.
    expect(services.api!.environment!.TANDEM_METRICS_ADDRESS).toMatch(/^0\.0\.0\.0:(?!4000$)\d+$/);
  });

  it('gives a stopping worker longer than its grace period, so activities in flight finish', () => {
    const seconds = (duration: string) => Number(/^(\d+)s$/.exec(duration)?.[1]);
    expect(services.worker!.environment!.TANDEM_SHUTDOWN_GRACE_MS).toBe('40000');
    expect(seconds(services.worker!.stop_grace_period!) * 1000).toBeGreaterThan(40_000);
    expect(seconds(services.api!.stop_grace_period!)).toBeGreaterThanOrEqual(10);
  });

  it('refuses to deploy while a required setting is missing, naming each one', () => {
    const result = prod(['deploy'], { TANDEM_DOMAIN: 'tandem.example.com', TANDEM_SECRETS_KEY: '' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/^Refusing to deploy: TANDEM_ACME_EMAIL TANDEM_SECRETS_KEY POSTGRES_PASSWORD not set in /);
  });

  it('refuses a secrets key that is not 32 bytes of base64 before anything starts', () => {
    const result = prod(['deploy'], { ...complete, TANDEM_SECRETS_KEY: 'not-a-key' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/TANDEM_SECRETS_KEY .* must be base64 of 32 random bytes/);
  });

  it('says where the settings file should be when there is none', () => {
    const result = spawnSync('bash', [join(REPO_ROOT, 'ops/scripts/prod.sh'), 'logs'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', TANDEM_ENV_FILE: '/nonexistent/.env' },
      encoding: 'utf8',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/No settings file at \/nonexistent\/\.env: copy deploy\/compose\/\.env\.example/);
  });

  it('documents every setting the compose file reads in .env.example, the required ones among them', () => {
    const compose = readFileSync(join(COMPOSE_DIR, 'docker-compose.prod.yml'), 'utf8');
    const read = new Set([...compose.matchAll(/\$\{(\w+)/g)].map((m) => m[1]!));
    const required = new Set([...compose.matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]!));
    const example = readFileSync(join(COMPOSE_DIR, '.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^(\w+)=/gm)].map((m) => m[1]!));
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
    expect([...required].sort()).toEqual([...REQUIRED].sort());
    expect(readFileSync(join(REPO_ROOT, 'ops/scripts/prod.sh'), 'utf8')).toContain(`REQUIRED=(${REQUIRED.join(' ')})`);
  });
});

describe.each([
  ['the production compose setup', () => resolved(complete).services],
  [
    'the root docker-compose.yml',
    () => {
      const result = spawnSync('docker-compose', ['-f', join(REPO_ROOT, 'docker-compose.yml'), 'config'], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), TANDEM_SECRETS_KEY: KEY },
        encoding: 'utf8',
      });
      expect(result.stderr).not.toMatch(/error|invalid/i);
      expect(result.status).toBe(0);
      return (parse(result.stdout) as { services: Record<string, Service> }).services;
    },
  ],
])('monitoring in %s', (_name, resolve) => {
  let services: Record<string, Service>;
  beforeAll(() => {
    services = resolve();
  });
  /** Where the service mounts a file or folder of the repository (`volumes` as docker-compose prints them: source:target:mode). */
  const mountOf = (service: string, source: string) =>
    (services[service]!.volumes ?? []).map((volume) => volume.split(':')).find(([from]) => from === join(REPO_ROOT, source))?.[1];
  const scrapeConfig = parse(readFileSync(join(REPO_ROOT, 'ops/prometheus/prometheus.yml'), 'utf8')) as {
    rule_files: string[];
    alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
    scrape_configs: Array<{ job_name: string; dns_sd_configs?: Array<{ names: string[]; type: string; port: number }> }>;
  };

  it('runs Prometheus on ops/prometheus: its scrape config and the rules where the config reads them', () => {
    expect(services.prometheus!.command).toContain(`--config.file=${mountOf('prometheus', 'ops/prometheus/prometheus.yml')}`);
    expect(mountOf('prometheus', 'ops/prometheus/prometheus.yml')).toBe('/etc/prometheus/prometheus.yml');
    expect(scrapeConfig.rule_files).toEqual([`${mountOf('prometheus', 'ops/prometheus/rules')}/*.yml`]);
  });

  it('scrapes every API server and worker replica on the port each serves /metrics on', () => {
    const jobs = Object.fromEntries(scrapeConfig.scrape_configs.map((job) => [job.job_name, job.dns_sd_configs?.[0]]));
    for (const [job, service, setting] of [
      ['tandem-api', 'api', 'TANDEM_METRICS_ADDRESS'],
      ['tandem-worker', 'worker', 'TANDEM_WORKER_METRICS_ADDRESS'],
    ] as const) {
      // An A lookup of the service name answers every replica's address.
      expect(jobs[job], job).toMatchObject({ names: [service], type: 'A' });
      expect(services[service]!.environment![setting], service).toBe(`0.0.0.0:${jobs[job]!.port}`);
    }
  });

  it('sends alerts to Alertmanager, configured from ops/prometheus/alertmanager.yml', () => {
    expect(scrapeConfig.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual(['alertmanager:9093']);
    const config = mountOf('alertmanager', 'ops/prometheus/alertmanager.yml');
    expect(services.alertmanager!.command).toContain(`--config.file=${config}`);
  });

  it('provisions Grafana with the datasource and the dashboard from ops/grafana', () => {
    expect(mountOf('grafana', 'ops/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    const provider = parse(readFileSync(join(REPO_ROOT, 'ops/grafana/provisioning/dashboards/tandem.yml'), 'utf8')) as {
      providers: Array<{ options: { path: string } }>;
    };
    expect(mountOf('grafana', 'ops/grafana/dashboards')).toBe(provider.providers[0]!.options.path);
    expect(services.grafana!.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${provider.providers[0]!.options.path}/tandem.json`);
    const datasource = parse(readFileSync(join(REPO_ROOT, 'ops/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
      datasources: Array<{ url: string }>;
    };
    expect(datasource.datasources[0]!.url).toBe('http://prometheus:9090');
  });
});

describe('the Caddyfile', () => {
  const caddyfile = readFileSync(join(COMPOSE_DIR, 'Caddyfile'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean);
  const has = (pattern: RegExp) => caddyfile.some((line) => pattern.test(line));

  it('serves the domain with automatic certificates: no internal CA, no HTTPS switched off', () => {
    expect(caddyfile).toContain('{$TANDEM_DOMAIN} {');
    expect(has(/^email \{\$TANDEM_ACME_EMAIL\}$/)).toBe(true);
    expect(has(/auto_https\s+off|tls\s+internal|^http:\/\//)).toBe(false);
    expect(has(/^protocols\b/)).toBe(false); // HTTP/1.1, HTTP/2 and HTTP/3 are Caddy's default
  });

  it('compresses, and caches the client’s hashed assets for a year', () => {
    expect(has(/^encode\b.*\bzstd\b/) && has(/^encode\b.*\bgzip\b/)).toBe(true);
    expect(caddyfile).toContain('@assets path /assets/*');
    expect(caddyfile).toContain('header @assets Cache-Control "public, max-age=31536000, immutable"');
    // Vite writes hashed files under assets/ unless told otherwise.
    expect(readFileSync(join(REPO_ROOT, 'client/vite.config.ts'), 'utf8')).not.toMatch(/assetsDir/);
  });

  it('proxies to every API replica, moving on from one that drains', () => {
    expect(caddyfile).toContain('dynamic a api 4000 {');
    expect(has(/^lb_try_duration \d+s$/)).toBe(true);
    expect(has(/^unhealthy_status 503$/)).toBe(true);
    // Braces balance: a typo here would stop Caddy at start.
    const blocks = caddyfile.join('\n').replace(/\{\$\w+\}/g, '');
    expect(blocks.split('{').length).toBe(blocks.split('}').length);
  });
});
