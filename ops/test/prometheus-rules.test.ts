import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { githubSlug, REPO_ROOT } from '@tandem/ops';
import { readRules } from './deploy/dashboard.js';

const run = promisify(execFile);
const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';
// Debian's prometheus-alertmanager package ships amtool.
const AMTOOL = process.env.AMTOOL_PATH ?? '/usr/bin/amtool';
const dir = fileURLToPath(new URL('../prometheus/', import.meta.url));

it('has valid recording and alert rules (promtool check rules)', async () => {
  const { stdout } = await run(PROMTOOL, ['check', 'rules', 'rules/tandem.yml'], { cwd: dir });
  expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
});

it('fires each alert when and only when its condition holds long enough (promtool test rules)', async () => {
  const { stdout, stderr } = await run(PROMTOOL, ['test', 'rules', 'tandem.test.yml'], { cwd: `${dir}tests` }).catch(
    (error: { stdout: string; stderr: string }) => {
      throw new Error(`promtool test rules failed:\n${error.stdout}${error.stderr}`);
    },
  );
  expect(`${stdout}${stderr}`).toContain('SUCCESS');
});

it('has a valid scrape config (promtool check config)', async () => {
  // The rule files it names live at their in-container paths; check the config without them.
  const { stdout, stderr } = await run(PROMTOOL, ['check', 'config', '--syntax-only', 'prometheus.yml'], { cwd: dir });
  expect(`${stdout}${stderr}`).toMatch(/SUCCESS/);
});

it('has a valid Alertmanager config whose routes all reach a defined receiver (amtool check-config)', async () => {
  const { stdout, stderr } = await run(AMTOOL, ['check-config', 'alertmanager.yml'], { cwd: dir }).catch((error: { stdout: string; stderr: string }) => {
    throw new Error(`amtool check-config failed:\n${error.stdout}${error.stderr}`);
  });
  expect(`${stdout}${stderr}`).toContain('SUCCESS');
});

it("links each alert's runbook to its own section of docs/operations/monitoring.md", () => {
  const page = readFileSync(join(REPO_ROOT, 'docs/operations/monitoring.md'), 'utf8');
  const anchors = new Set([...page.matchAll(/^#{1,6} (.+)$/gm)].map((match) => githubSlug(match[1]!)));
  const alerts = readRules().filter((rule) => rule.alert);
  expect(alerts.length).toBeGreaterThan(0);
  for (const alert of alerts) {
    expect(alert.annotations?.summary, alert.alert).toBeTruthy();
    expect(alert.annotations?.description, alert.alert).toBeTruthy();
    expect(alert.annotations?.runbook_url, alert.alert).toBe(`docs/operations/monitoring.md#${alert.alert!.toLowerCase()}`);
    expect(anchors.has(alert.alert!.toLowerCase()), `no section "${alert.alert}" in monitoring.md`).toBe(true);
  }
});
