import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, screenshot, signUp, startTandem, type Tandem } from './harness.js';

let tandem: Tandem;
beforeAll(async () => {
  tandem = await startTandem();
});
afterAll(async () => {
  await tandem?.close();
});

describe('the template parameter form', () => {
  it('shows the API’s problems next to the parameters they name, creates nothing, then a schedule template deploys with its schedule', async () => {
    const { page } = await tandem.person();
    await signUp(page, 'Ines');
    const token = (await page.evaluate<string | null>('localStorage.getItem("tandem.token")'))!;
    const workflowCount = async () =>
      (await tandem.gql<{ workflows: { totalCount: number } }>('{ workflows(first: 1) { totalCount } }', {}, token)).workflows.totalCount;
    await page.getByRole('link', { name: 'Templates' }).click();

    // A required JSON parameter left empty: the API names it, the form shows it under the field.
    await page.getByRole('button', { name: 'Use template Approval flow' }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Create workflow' }).click();
    await dialog.getByTestId('param-approvers-problems').getByText('Parameter "approvers" is required').waitFor();
    await dialog.getByText('Some parameters are not right: see the messages under them.').waitFor();
    expect(await dialog.getByText('{').count()).toBe(0);
    expect(await workflowCount()).toBe(0);
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // A config field the parameter fills refuses the value: the message is the field's own.
    await page.getByRole('button', { name: 'Use template Scheduled report via HTTP' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('Workflow name').fill('Morning report');
    await dialog.getByLabel(/^sourceUrl/).fill('https://example.com/data.json');
    await dialog.getByLabel(/^reportUrl/).fill('https://example.com/report');
    await dialog.getByLabel(/^cron/).fill('every morning');
    await dialog.getByRole('button', { name: 'Create workflow' }).click();
    const cronProblems = dialog.getByTestId('param-cron-problems');
    await cronProblems.getByText(/cron must have five fields/i).waitFor();
    await screenshot(page, 'template-parameter-error');
    expect(await axeViolations(page)).toEqual([]);
    expect(await workflowCount()).toBe(0);

    await dialog.getByLabel(/^cron/).fill('0 7 * * 1-5');
    await dialog.getByLabel(/^timezone/).fill('Europe/Paris');
    await dialog.getByRole('button', { name: 'Create workflow' }).click();
    await page.waitForURL(/\/workflows\//);
    await page.getByText('No problems: this workflow can be deployed.').waitFor();
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Deploy' }).click();
    await page.getByText('Deployed version 1.').waitFor();

    // The deploy made the template's schedule: it is listed on the runs tab and can be paused.
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByText('0 7 * * 1-5').waitFor();
    await page.getByText('(Europe/Paris)').waitFor();
    await page.getByRole('button', { name: 'Pause schedule' }).click();
    await page.getByRole('button', { name: 'Resume schedule' }).waitFor();

    // Save it back as a template of one's own, with descriptions and defaults for its parameters.
    await page.getByRole('link', { name: 'Editor' }).click();
    await page.getByRole('button', { name: 'Save as template' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('Morning report kit');
    await dialog.getByLabel('Tags (comma-separated)').fill('Reports, mine');
    const title = dialog.getByRole('group', { name: 'Parameter title' });
    await title.getByLabel('Type').selectOption('number');
    await title.getByLabel('Default').fill('ten');
    await title.getByText('The default must be a number.').waitFor();
    expect(await dialog.getByRole('button', { name: 'Save template' }).isDisabled()).toBe(true);
    await title.getByLabel('Type').selectOption('string');
    await title.getByLabel('Default').fill('Morning numbers');
    await title.getByLabel('Description').fill('The heading of the report');
    await dialog.getByRole('group', { name: 'Parameter sourceUrl' }).getByLabel('Required').check();
    await dialog.getByRole('group', { name: 'Parameter sumField' }).getByRole('checkbox', { name: 'sumField' }).uncheck();
    await screenshot(page, 'save-as-template');
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Save template' }).click();
    await page.getByText('Saved as the template "Morning report kit".').waitFor();

    const { templates } = await tandem.gql<{
      templates: {
        edges: Array<{ node: { tags: string[]; parameters: Array<{ name: string; type: string; required: boolean; description: string; default: unknown }> } }>;
      };
    }>('{ templates(first: 5, tag: "mine") { edges { node { tags parameters { name type required description default } } } } }', {}, token);
    expect(templates.edges).toHaveLength(1);
    const saved = templates.edges[0]!.node;
    expect(saved.tags.sort()).toEqual(['mine', 'reports']);
    expect(saved.parameters.map((p) => p.name)).toEqual(['sourceUrl', 'reportUrl', 'title', 'cron', 'timezone']);
    expect(saved.parameters.find((p) => p.name === 'title')).toEqual({
      name: 'title',
      type: 'string',
      required: false,
      description: 'The heading of the report',
      default: 'Morning numbers',
    });
    expect(saved.parameters.find((p) => p.name === 'sourceUrl')?.required).toBe(true);

    // In the library, its form shows the new description and default.
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByLabel('Search').fill('morning report kit');
    await expect.poll(() => page.locator('.template-card').count()).toBe(1);
    await page.getByRole('button', { name: 'Use template Morning report kit' }).click();
    dialog = page.getByRole('dialog');
    expect(await dialog.getByLabel(/^title/).inputValue()).toBe('Morning numbers');
    await dialog.getByText('The heading of the report').waitFor();
    expect(await dialog.getByLabel(/^sumField/).count()).toBe(0);
  });
});
