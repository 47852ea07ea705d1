import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// ops/scripts/audit.sh, fed saved `npm audit --json` reports (the advisory service is not needed).
const SCRIPT = fileURLToPath(new URL('../scripts/audit.sh', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tandem-audit-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(report: unknown, allow: string[] = [], env: Record<string, string> = {}) {
  const reportFile = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  const allowFile = join(dir, `allow-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(reportFile, typeof report === 'string' ? report : JSON.stringify(report));
  writeFileSync(allowFile, ['# explained in the report', ...allow.map((id) => `${id}  # why`)].join('\n'));
  const result = spawnSync('bash', [SCRIPT], { encoding: 'utf8', env: { ...process.env, AUDIT_JSON: reportFile, AUDIT_ALLOW: allowFile, ...env } });
  return { status: result.status, output: result.stdout + result.stderr };
}

const advisory = (name: string, severity: string, ghsa: string) => ({
  source: 1,
  name,
  dependency: name,
  title: `a ${severity} problem in ${name}`,
  url: `https://github.com/advisories/${ghsa}`,
  severity,
  range: '<1.2.3',
});

const report = (...advisories: ReturnType<typeof advisory>[]) => ({
  auditReportVersion: 2,
  vulnerabilities: Object.fromEntries(
    advisories.map((a) => [
      a.name,
      {
        name: a.name,
        severity: a.severity,
        isDirect: false,
        via: [a],
        effects: ['parent'],
        range: a.range,
        nodes: [`node_modules/${a.name}`],
        fixAvailable: true,
      },
    ]),
  ),
  metadata: {
    vulnerabilities: { info: 0, low: 0, moderate: 0, high: advisories.filter((a) => a.severity === 'high').length, critical: 0, total: advisories.length },
  },
});

describe('ops/scripts/audit.sh', () => {
  it('passes a clean report', () => {
    const result = run(report());
    expect(result.status).toBe(0);
    expect(result.output).toContain('no unexplained high or critical advisory');
  });

  it('passes moderate and low advisories', () => {
    expect(run(report(advisory('ajv', 'moderate', 'GHSA-2g4f-4pwh-qvx6'), advisory('cookie', 'low', 'GHSA-pxg6-pf52-xh8x'))).status).toBe(0);
  });

  it('fails on a high or critical advisory, naming it', () => {
    const result = run(report(advisory('ws', 'high', 'GHSA-3h5v-q93c-6h6q')));
    expect(result.status).toBe(1);
    expect(result.output).toContain('HIGH GHSA-3h5v-q93c-6h6q in ws <1.2.3');
    expect(run(report(advisory('sha.js', 'critical', 'GHSA-95m3-7q98-8xr5'))).status).toBe(1);
  });

  it('lets an explained advisory pass by its id, and only that one', () => {
    const ws = advisory('ws', 'high', 'GHSA-3h5v-q93c-6h6q');
    expect(run(report(ws), ['GHSA-3h5v-q93c-6h6q']).status).toBe(0);
    const both = run(report(ws, advisory('qs', 'high', 'GHSA-6rw7-vpxm-498p')), ['GHSA-3h5v-q93c-6h6q']);
    expect(both.status).toBe(1);
    expect(both.output).toContain('GHSA-6rw7-vpxm-498p');
    expect(both.output).toContain('allowed GHSA-3h5v-q93c-6h6q');
  });

  it('says loudly when the advisory service gave no report, and fails then only when required', () => {
    const refused = { message: '405 Method Not Allowed - POST …/advisories/bulk', statusCode: 405 };
    const lenient = run(refused);
    expect(lenient.status).toBe(0);
    expect(lenient.output).toContain('NOT CHECKED');
    expect(run(refused, [], { TANDEM_AUDIT_REQUIRED: '1' }).status).toBe(1);
    expect(run('not json', [], { TANDEM_AUDIT_REQUIRED: '1' }).status).toBe(1);
  });
});
