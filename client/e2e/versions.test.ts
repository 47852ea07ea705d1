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

const V1_EXPRESSION = "{ 'total': input.a + input.b }";
const V2_EXPRESSION = "{ 'total': input.a * input.b }";
const version = (expression: string, outAt: { x: number; y: number }) => ({
  format: 'tandem.workflow/v1',
  name: 'Pricing',
  description: '',
  nodes: [
    { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    { id: 'add', type: 'transform', position: { x: 240, y: 0 }, config: { expression } },
    { id: 'out', type: 'output', position: outAt, config: { expression: 'nodes.add.total' } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'add' },
    { id: 'e2', source: 'add', target: 'out' },
  ],
});

const tokenOf = (page: Page) => page.evaluate<string>("localStorage.getItem('tandem.token')");

/** The expression of node `id` as the person's inspector shows it (the node selected first). */
async function expressionShown(page: Page, id: string): Promise<string> {
  await page.locator(`[data-node-id="${id}"]`).focus();
  await page.keyboard.press('Enter');
  return page.getByLabel(/^Expression/).inputValue();
}

describe('version history in the browser', () => {
  it('compares two versions with the changed node marked, restores one while a co-editor watches, and undoes it', async () => {
    const ada = await tandem.person({ width: 1400, height: 860 });
    const bob = await tandem.person();
    await signUp(ada.page, 'Ada');
    const bobEmail = await signUp(bob.page, 'Bob');
    await ada.page.getByLabel('New workflow name').fill('Pricing');
    await ada.page.getByRole('button', { name: 'Create' }).click();
    await ada.page.locator('[data-node-id="start"]').waitFor();
    const workflowId = /\/workflows\/([^/?#]+)/.exec(ada.page.url())![1]!;
    const token = await tokenOf(ada.page);

    // Two deployed versions (through the API, as an integrator would), and a run of each.
    const gql = <T>(query: string, variables: Record<string, unknown>) => tandem.gql<T>(query, { id: workflowId, ...variables }, token);
    const update = (d: unknown) => gql('mutation($id: ID!, $d: JSON!) { updateWorkflowDefinition(id: $id, definition: $d) { id } }', { d });
    const deploy = (m: string) => gql('mutation($id: ID!, $m: String) { deployWorkflow(id: $id, message: $m) { number } }', { m });
    await gql('mutation($id: ID!, $e: String!) { shareWorkflow(workflowId: $id, email: $e, role: EDITOR) { role } }', { e: bobEmail });
    await update(version(V1_EXPRESSION, { x: 480, y: 0 }));
    await deploy('Sum the inputs');
    await update(version(V2_EXPRESSION, { x: 520, y: 120 }));
    await deploy('Multiply instead');
    for (const v of [1, 2]) await gql('mutation($id: ID!, $v: Int) { startExecution(workflowId: $id, version: $v, input: { a: 2, b: 3 }) { id } }', { v });
    await eventually(
      async () => {
        const data = await gql<{ workflow: { versions: { edges: Array<{ node: { finishedRunCount: number } }> } } }>(
          'query($id: ID!) { workflow(id: $id) { versions { edges { node { finishedRunCount } } } } }',
          {},
        );
        return data.workflow.versions.edges.every((e) => e.node.finishedRunCount === 1);
      },
      { timeoutMs: 20_000, what: 'both runs finished' },
    );

    // The versions tab lists both, with their runs.
    await ada.page.getByRole('link', { name: 'Versions' }).click();
    const list = ada.page.getByRole('complementary', { name: 'Versions' });
    await list.getByLabel('Version 2').getByText('“Multiply instead”').waitFor();
    await list.getByLabel('Version 1').getByText('1 run · 100% succeeded').waitFor();
    // By default: the draft against the live version (nothing changed yet).
    await ada.page.getByRole('heading', { name: 'Changes from version 2 to the draft' }).waitFor();
    await ada.page.getByText('No differences.').waitFor();

    // What version 2 changed: the transform (changed) and the output (moved), marked and listed.
    await list.getByRole('button', { name: 'Changes in version 2' }).click();
    await ada.page.getByRole('heading', { name: 'Changes from version 1 to version 2' }).waitFor();
    await ada.page.locator('[data-node-id="add"][data-diff="changed"]').waitFor();
    await ada.page.locator('[data-node-id="out"][data-diff="moved"]').waitFor();
    await ada.page.locator('[data-ghost-of="out"]').waitFor({ state: 'attached' });
    expect(await ada.page.locator('[data-node-id="start"]').getAttribute('data-diff')).toBeNull();
    await ada.page.getByRole('list', { name: 'Legend' }).getByText('Changed').waitFor();
    await ada.page.getByRole('button', { name: /changed node add \(expression\)/ }).click();
    const details = ada.page.getByLabel('Changes of node add');
    await expect.poll(() => details.locator('del').allTextContents()).toEqual(['+']);
    await expect.poll(() => details.locator('ins').allTextContents()).toEqual(['*']);
    expect(await ada.page.locator('[data-node-id="add"]').getAttribute('aria-pressed')).toBe('true');
    await screenshot(ada.page, 'versions-compare');
    expect(await axeViolations(ada.page)).toEqual([]);

    // One version read-only.
    await list.getByRole('button', { name: 'View version 1' }).click();
    await ada.page.getByRole('heading', { name: 'Version 1 (read-only)' }).waitFor();
    await ada.page.locator('[data-node-id="add"]').focus();
    await ada.page.keyboard.press('Enter');
    await ada.page.getByRole('complementary', { name: 'Changes' }).getByText("'total': input.a + input.b").waitFor();

    // Bob is in the editor; Ada restores version 1 into the draft: both see it.
    await bob.page.goto(`/workflows/${workflowId}`);
    await bob.page.getByText('Connected').waitFor();
    await expect.poll(() => expressionShown(bob.page, 'add')).toBe(V2_EXPRESSION);
    await list.getByRole('button', { name: 'Restore version 1 into the draft' }).click();
    const restoredNotice = ada.page.getByRole('status').filter({ hasText: 'Restored version 1 into the draft' });
    await restoredNotice.waitFor();
    await expect.poll(() => expressionShown(ada.page, 'add')).toBe(V1_EXPRESSION);
    await expect.poll(() => bob.page.getByLabel(/^Expression/).inputValue()).toBe(V1_EXPRESSION);
    await screenshot(ada.page, 'versions-restored');

    // One undo (the notice's) takes the whole restore back, for everyone.
    await restoredNotice.getByRole('button', { name: 'Undo' }).click();
    await ada.page.getByText('Undid the restore of version 1.').waitFor();
    await expect.poll(() => ada.page.getByLabel(/^Expression/).inputValue()).toBe(V2_EXPRESSION);
    await expect.poll(() => bob.page.getByLabel(/^Expression/).inputValue()).toBe(V2_EXPRESSION);

    // Before deploying a changed draft, the deploy dialog checks it against the live version's runs.
    await update(version(V1_EXPRESSION, { x: 520, y: 120 }));
    await expect.poll(() => ada.page.getByLabel(/^Expression/).inputValue()).toBe(V1_EXPRESSION);
    await ada.page.getByRole('button', { name: 'Deploy', exact: true }).click();
    const dialog = ada.page.getByRole('dialog');
    const preview = dialog.getByRole('region', { name: 'Check against recent runs' });
    await preview.getByText('1 recent run of version 2: 1 different result.').waitFor();
    const row = preview.getByRole('listitem', { name: /^Run [0-9a-f]{8}: Different result$/ });
    await row.getByText('Different result').click();
    await expect.poll(() => row.getByLabel('Result differences').locator('del').allTextContents()).toEqual(['6']);
    await expect.poll(() => row.getByLabel('Result differences').locator('ins').allTextContents()).toEqual(['5']);
    await screenshot(ada.page, 'versions-deploy-preview');
    expect(await axeViolations(ada.page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await update(version(V2_EXPRESSION, { x: 520, y: 120 }));

    // Roll back: version 1 deployed again as version 3.
    await ada.page.getByRole('link', { name: 'Versions' }).click();
    await list.getByRole('button', { name: 'Roll back to version 1' }).click();
    await ada.page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
    await list.getByLabel('Version 3').getByText('“Roll back to version 1”').waitFor();
    await ada.page.getByText('Rolled back: version 3 is version 1 deployed again.').waitFor();
    await screenshot(ada.page, 'versions-rolled-back');
    // Compare any two: version 3 is version 1's document.
    await list.getByRole('combobox', { name: /^From/ }).selectOption('1');
    await list.getByRole('combobox', { name: /^To/ }).selectOption('3');
    await list.getByRole('button', { name: 'Compare', exact: true }).click();
    await ada.page.getByRole('heading', { name: 'Changes from version 1 to version 3' }).waitFor();
    await ada.page.getByText('No differences.').waitFor();

    // Someone else deploys: Ada's list shows the new version without a reload.
    const bobToken = await tokenOf(bob.page);
    await tandem.gql('mutation($id: ID!) { deployWorkflow(id: $id, message: "Bob was here") { number } }', { id: workflowId }, bobToken);
    await list.getByLabel('Version 4').getByText('“Bob was here”').waitFor();
  });
});
