import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

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
