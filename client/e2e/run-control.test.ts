import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test-support/eventually.js';
import { axeViolations, screenshot, signUp, startTandem, type Page, type Tandem } from './harness.js';

let tandem: Tandem;
beforeAll(async () => {
  tandem = await startTandem();
});
afterAll(async () => {
  await tandem?.close();
});

async function createDeployed(page: Page, name: string, nodes: unknown[], edges: unknown[]): Promise<string> {
  const token = await page.evaluate<string | null>('localStorage.getItem("tandem.token")');
  const { createWorkflow } = await tandem.gql<{ createWorkflow: { id: string } }>(
    'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
    { input: { name, definition: { format: 'tandem.workflow/v1', name, nodes, edges } } },
    token!,
  );
  await tandem.gql('mutation($id: ID!) { deployWorkflow(id: $id, message: "e2e") { number } }', { id: createWorkflow.id }, token!);
  return createWorkflow.id;
}

async function runFromEditor(page: Page, workflowId: string, input: string): Promise<void> {
  await page.goto(`/workflows/${workflowId}`);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByLabel('Input (JSON)').fill(input);
  await page.getByRole('button', { name: 'Start run' }).click();
  await page.waitForURL(/\/runs\//);
}

describe('controlling runs from the browser', () => {
  it('approves a waiting run with a JSON payload', async () => {
    const { page } = await tandem.person();
    await signUp(page, 'Ada');
    const id = await createDeployed(
      page,
      'Approval',
      [
        { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
        { id: 'approval', type: 'wait.signal', position: { x: 250, y: 0 }, config: { signal: 'approve' } },
        { id: 'out', type: 'output', position: { x: 500, y: 0 }, config: { expression: "{ 'amount': nodes.start.amount, 'by': nodes.approval.by }" } },
      ],
      [
        { id: 'e1', source: 'start', target: 'approval' },
        { id: 'e2', source: 'approval', target: 'out' },
      ],
    );
    await runFromEditor(page, id, '{ "amount": 1200 }');
    await page.locator('[data-node-id="approval"][data-state="waiting"]').waitFor();
    const panel = page.getByRole('region', { name: 'Waiting for a signal' });
    await panel.getByText('waits for the signal').waitFor();
    await screenshot(page, 'run-waiting');
    expect(await axeViolations(page)).toEqual([]);
    await panel.getByLabel('Payload (JSON)').fill('{ "by": "Grace" ');
    expect(await panel.getByRole('button', { name: 'Send "approve"' }).isDisabled()).toBe(true);
    await panel.getByLabel('Payload (JSON)').fill('{ "by": "Grace" }');
    await panel.getByRole('button', { name: 'Send "approve"' }).click();
    await page.locator('[data-node-id="out"][data-state="succeeded"]').waitFor();
    await expect.poll(() => page.getByTestId('run-result').textContent()).toContain('"by": "Grace"');
  });

  it('pauses and resumes a run', async () => {
    const { page } = await tandem.person();
    await signUp(page, 'Lin');
    const id = await createDeployed(
      page,
      'Slow',
      [
        { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
        { id: 'wait', type: 'delay', position: { x: 250, y: 0 }, config: { durationMs: 2500 } },
        { id: 'out', type: 'output', position: { x: 500, y: 0 }, config: { expression: "'done'" } },
      ],
      [
        { id: 'e1', source: 'start', target: 'wait' },
        { id: 'e2', source: 'wait', target: 'out' },
      ],
    );
    await runFromEditor(page, id, '{}');
    await page.locator('[data-node-id="wait"][data-state="running"]').waitFor();
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('status').getByText('Paused', { exact: true }).waitFor();
    // Paused: the delay finishes, but the next step does not start. The run's own state, read
    // once it has handled the end of the delay, is the signal: unpaused, the output would have
    // run in that same workflow task.
    await page.locator('[data-node-id="wait"][data-state="succeeded"]').waitFor({ timeout: 10_000 });
    const runId = new URL(page.url()).pathname.split('/')[2]!;
    const token = await page.evaluate<string | null>('localStorage.getItem("tandem.token")');
    const live = await eventually(
      async () => {
        const { execution } = await tandem.gql<{ execution: { liveState: { status: string; completedNodes: string[] } | null } }>(
          'query($id: ID!) { execution(id: $id) { liveState } }',
          { id: runId },
          token!,
        );
        return execution.liveState?.completedNodes.includes('wait') === true && execution.liveState;
      },
      { what: 'the run has handled the end of its delay' },
    );
    expect(live).toMatchObject({ status: 'PAUSED' });
    expect(live.completedNodes).not.toContain('out');
    expect(await page.locator('[data-node-id="out"]').getAttribute('data-state')).not.toBe('succeeded');
    await screenshot(page, 'run-paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('[data-node-id="out"][data-state="succeeded"]').waitFor();
    await expect.poll(() => page.getByTestId('run-result').textContent()).toContain('done');
  });

  it('exports a workflow and imports it back; an invalid file shows its problems and creates nothing', async () => {
    const { page } = await tandem.person();
    await signUp(page, 'Kim');
    await createDeployed(
      page,
      'Round trip',
      [
        { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
        { id: 'double', type: 'transform', position: { x: 250, y: 0 }, config: { expression: 'input.n * 2' } },
      ],
      [{ id: 'e1', source: 'start', target: 'double' }],
    );
    await page.goto('/');
    const file = await tandem.download(page, () => page.getByRole('button', { name: 'Export Round trip' }).click());
    expect(basename(file)).toBe('Round-trip.tandem.json');
    const dir = mkdtempSync(join(tmpdir(), 'tandem-export-'));
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { format: string; nodes: Array<{ id: string }> };
    expect(exported.format).toBe('tandem.workflow/v1');
    expect(exported.nodes.map((n) => n.id)).toEqual(['start', 'double']);

    // An invalid file: problems, named by node, and nothing created.
    const broken = join(dir, 'broken.json');
    writeFileSync(
      broken,
      JSON.stringify({ ...exported, nodes: [...exported.nodes, { id: 'bad', type: 'no.such.type', position: { x: 0, y: 0 }, config: {} }] }),
    );
    await page.getByLabel('Import a workflow file').setInputFiles(broken);
    const region = page.getByRole('region', { name: 'Import' });
    await region.getByText('nothing was created').waitFor();
    await region
      .getByText(/unknown node type|no.such.type/)
      .first()
      .waitFor();
    expect(await region.locator('li').first().textContent()).toContain('node bad');
    await screenshot(page, 'import-problems');
    await region.getByRole('button', { name: 'Close' }).click();
    expect(await page.locator('tbody tr').count()).toBe(1);

    // The exported file imports back.
    await page.getByLabel('Import a workflow file').setInputFiles(file);
    await region.getByText('The file is a valid workflow.').waitFor();
    await region.getByLabel('Name').fill('Round trip (imported)');
    await region.getByRole('button', { name: 'Import workflow' }).click();
    await page.waitForURL(/\/workflows\//);
    await page.locator('[data-node-id="double"]').waitFor();
    await page.goto('/');
    await page.getByRole('link', { name: 'Round trip (imported)' }).waitFor();
    // Search narrows the list.
    await page.getByLabel('Search').fill('imported');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);

    // The versions tab lists the deployed versions; any of them can be run.
    await page.getByLabel('Search').fill('');
    await page.getByRole('link', { name: 'Round trip', exact: true }).click();
    await page.getByRole('link', { name: 'Versions' }).click();
    await page.getByText('Versions (1)').waitFor();
    await page.getByText('“e2e”').waitFor();
    await page.getByRole('button', { name: 'Run version 1' }).click();
    await page.getByLabel('Input (JSON)').fill('{ "n": 21 }');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.locator('[data-node-id="double"][data-state="succeeded"]').waitFor();
    await page.getByRole('button', { name: 'double', exact: true }).click();
    await page.getByRole('region', { name: 'Inspector: double' }).getByText('42', { exact: true }).first().waitFor();
  });

  it('creates an API token in the settings, which works until revoked', async () => {
    const { page } = await tandem.person();
    await signUp(page, 'Ira');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Token name').fill('CI');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = (await page.getByTestId('token-secret').textContent())!.trim();
    expect(await axeViolations(page)).toEqual([]);
    expect((await tandem.gql<{ me: { name: string } }>('{ me { name } }', {}, secret)).me.name).toBe('Ira');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke CI' }).click();
    await page.getByText(/revoked/).waitFor();
    await expect(tandem.gql('{ me { name } }', {}, secret)).rejects.toThrow();
  });
});
