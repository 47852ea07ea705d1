import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '../../test-support/eventually.js';
import { axeViolations, screenshot, signUp, startTandem, type Tandem } from './harness.js';

let tandem: Tandem;
beforeAll(async () => {
  tandem = await startTandem();
});
afterAll(async () => {
  await tandem?.close();
});

it('shows the dashboard move while runs happen, on a phone, and lists the runs behind a point', async () => {
  const { page } = await tandem.person({ width: 390, height: 844 });
  await signUp(page, 'Ada');
  const token = (await page.evaluate<string | null>('localStorage.getItem("tandem.token")'))!;
  const { createWorkflow } = await tandem.gql<{ createWorkflow: { id: string } }>(
    'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
    {
      input: {
        name: 'Sum',
        definition: {
          format: 'tandem.workflow/v1',
          name: 'Sum',
          nodes: [
            { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
            { id: 'add', type: 'transform', position: { x: 200, y: 0 }, config: { expression: '{ "total": input.a + input.b }' } },
          ],
          edges: [{ id: 'e1', source: 'start', target: 'add' }],
        },
      },
    },
    token,
  );
  const workflowId = createWorkflow.id;
  await tandem.gql('mutation($id: ID!) { deployWorkflow(id: $id, message: "first") { number } }', { id: workflowId }, token);

  await page.goto('/dashboard');
  const started = page.locator('.metric-cards div', { hasText: 'Runs started' }).locator('dd');
  await expect.poll(() => started.textContent()).toBe('0');
  for (let i = 0; i < 3; i++) {
    await tandem.gql('mutation($id: ID!) { startExecution(workflowId: $id, input: { a: 1, b: 2 }) { id } }', { id: workflowId }, token);
  }
  // Live: the figures change without reloading the page.
  await eventually(async () => expect(await started.textContent()).toBe('3'), { timeoutMs: 20_000, intervalMs: 200 });
  await page.getByRole('link', { name: 'Sum' }).first().waitFor();
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  expect(await page.locator('.chart-canvas canvas').count()).toBeGreaterThanOrEqual(3);
  await screenshot(page, 'dashboard-phone');
  expect(await axeViolations(page)).toEqual([]);

  // The workflow's Metrics tab, by keyboard: the chart's table, then the runs behind the latest point.
  await page.goto(`/workflows/${workflowId}/metrics`);
  const chartTable = page.getByText('Runs over time by status: figures as a table');
  await chartTable.focus();
  await page.keyboard.press('Enter');
  const lastRow = page.locator('.chart').first().locator('tbody tr').last();
  await expect.poll(() => lastRow.locator('td').first().textContent()).toBe('3');
  await lastRow.getByRole('button', { name: 'List runs' }).click();
  const runs = page.getByRole('region', { name: /^Runs from/ }).getByRole('link');
  await expect.poll(() => runs.count()).toBe(3);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  await screenshot(page, 'metrics-tab-phone');
  expect(await axeViolations(page)).toEqual([]);
  await runs.first().click();
  await page.waitForURL(/\/runs\//);
});
