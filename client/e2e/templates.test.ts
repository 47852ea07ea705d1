import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, screenshot, signUp, startTandem, type Tandem } from './harness.js';

let tandem: Tandem;
beforeAll(async () => {
  tandem = await startTandem();
});
afterAll(async () => {
  await tandem?.close();
});

describe('templates in the browser', () => {
  it('instantiates a built-in template with its parameter form, runs it, and saves a workflow as a template', async () => {
    const { page } = await tandem.person();
    await signUp(page, 'Mia');
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('heading', { name: 'Approval flow' }).waitFor();
    await screenshot(page, 'templates');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Search').fill('approval');
    await expect.poll(() => page.locator('.template-card').count()).toBe(1);

    await page.getByRole('button', { name: 'Use template Approval flow' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Workflow name').fill('Purchase approval');
    await dialog.getByLabel(/^approvers/).fill('["Grace"]');
    await screenshot(page, 'template-instantiate');
    await dialog.getByRole('button', { name: 'Create workflow' }).click();
    await page.waitForURL(/\/workflows\//);
    await page.getByText('No problems: this workflow can be deployed.').waitFor();

    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Deploy' }).click();
    await page.getByText('Deployed version 1.').waitFor();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByLabel('Input (JSON)').fill('{ "item": "laptop", "amount": 1200 }');
    await page.getByRole('button', { name: 'Start run' }).click();
    const panel = page.getByRole('region', { name: 'Waiting for a signal' });
    await panel.getByLabel('Payload (JSON)').fill('{ "approved": true, "by": "Grace" }');
    await panel.getByRole('button', { name: 'Send "approval"' }).click();
    await expect.poll(() => page.getByTestId('run-result').textContent(), { timeout: 20_000 }).toContain('"approved"');

    // Save the workflow as a template of one's own.
    await page.getByRole('link', { name: 'Purchase approval' }).click();
    await page.getByRole('button', { name: 'Save as template' }).click();
    await page.getByRole('dialog').getByLabel('Name', { exact: true }).first().fill('My purchase approval');
    await page.getByRole('dialog').getByLabel('Tags (comma-separated)').fill('mine, approvals');
    await page.getByRole('dialog').getByRole('button', { name: 'Save template' }).click();
    await page.getByText('Saved as the template "My purchase approval".').waitFor();
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByLabel('Tag').selectOption('mine');
    await page.getByRole('heading', { name: 'My purchase approval' }).waitFor();
    // The heading shows before the tag filter has narrowed the list.
    await expect.poll(() => page.locator('.template-card').count()).toBe(1);
  });
});
