import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test-support/eventually.js';
import { axeViolations, screenshot, signUp, startTandem, type Tandem } from './harness.js';

let tandem: Tandem;
beforeAll(async () => {
  tandem = await startTandem();
});
afterAll(async () => {
  await tandem?.close();
});

describe('build, deploy and run in the browser', () => {
  it('signs up, builds a workflow by clicking, deploys, runs it and shows the result', async () => {
    const { page } = await tandem.person();
    await signUp(page, 'Ada');
    expect(await page.title()).toContain('Tandem');
    expect(await axeViolations(page)).toEqual([]);

    // Create: the editor opens with a manual trigger.
    await page.getByLabel('New workflow name').fill('Sum in the browser');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('[data-node-id="start"]').waitFor();

    // Palette: a transform and an output.
    await page.getByRole('button', { name: 'Add Transform' }).click();
    await page.locator('[data-node-id="transform1"]').waitFor();
    await page.getByLabel(/^Expression/).fill("{ 'total': input.a + input.b }");
    await page.getByRole('button', { name: 'Add Output' }).click();
    await page.locator('[data-node-id="output1"]').waitFor();
    await page.getByLabel(/^Expression/).fill('nodes.transform1.total +');
    // Parse errors show as you type.
    await expect.poll(() => page.locator('.field-error').first().textContent()).toMatch(/\S/);
    await page.getByLabel(/^Expression/).fill('nodes.transform1.total');
    await expect.poll(() => page.locator('.field-error').first().textContent()).toBe('');

    // A node type dragged from the palette lands where it is dropped; Delete removes the selection.
    await page.getByRole('button', { name: 'Add Fail' }).dragTo(page.locator('.canvas-svg'), { targetPosition: { x: 120, y: 100 } });
    await page.locator('[data-node-id="fail1"]').waitFor();
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('[data-node-id="fail1"]').count()).toBe(0);

    // Deploying a draft with problems is refused, each problem naming its node.
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Deploy' }).click();
    const refused = page.getByRole('dialog').locator('.problems');
    await refused
      .getByText(/node transform1/)
      .first()
      .waitFor();
    expect(await refused.textContent()).toContain('cannot be reached');
    await screenshot(page, 'deploy-problems');
    await page.keyboard.press('Escape');

    // Connect by dragging from the trigger's output handle onto the transform.
    const placed = () => page.locator('[data-node-id="transform1"]').getAttribute('transform');
    const unplaced = await placed();
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await eventually(async () => (await placed()) !== unplaced, { what: 'the layout moves the nodes' });
    // The view then fits the graph (two animation frames later): wait until the targets hold still.
    const handle = page.locator('[data-node-id="start"] .handle-out');
    const targetBox = page.locator('[data-node-id="transform1"] .node-box');
    let seen = '';
    const [from, to] = await eventually(
      async () => {
        const boxes = [(await handle.boundingBox())!, (await targetBox.boundingBox())!] as const;
        const still = JSON.stringify(boxes) === seen;
        seen = JSON.stringify(boxes);
        return still && boxes;
      },
      { intervalMs: 100, what: 'the view settles' },
    );
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
    await page.mouse.up();
    await page.locator('[data-edge-id]').first().waitFor();

    // Connect with the inspector's form (keyboard-reachable path).
    await page.locator('[data-node-id="transform1"]').focus();
    await page.keyboard.press('Enter');
    // The inspector shows the node Enter selected before its form is used.
    const inspector = page.getByRole('complementary', { name: 'Inspector' });
    await inspector.getByRole('heading', { name: 'transform1', exact: true }).waitFor();
    // Validation runs a moment after the drag's edge; its answer shortens the inspector's problem list and moves the
    // form up. Wait for it, so the click lands on the button and not where the button was.
    await expect.poll(() => inspector.textContent()).not.toContain('cannot be reached');
    await page.getByLabel('Connect to').selectOption('output1');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect.poll(() => page.locator('[data-edge-id]').count()).toBe(2);

    // No problems left; saved.
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await page.locator('[data-node-id="start"]').click();
    await page.keyboard.press('Escape');
    await page.getByText('No problems: this workflow can be deployed.').waitFor();
    await page.getByText('All changes saved').waitFor();
    await screenshot(page, 'editor');
    expect(await axeViolations(page)).toEqual([]);

    // Deploy with a message.
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByLabel('Message').fill('first version');
    await page.getByRole('dialog').getByRole('button', { name: 'Deploy' }).click();
    await page.getByText('Deployed version 1.').waitFor();

    // Run with an input; an invalid JSON input is refused before anything is sent.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByLabel('Input (JSON)').fill('{ "a": 2, "b": ');
    await page.getByText(/Not valid JSON/).waitFor();
    expect(await page.getByRole('button', { name: 'Start run' }).isDisabled()).toBe(true);
    await page.getByLabel('Input (JSON)').fill('{ "a": 2, "b": 40 }');
    await page.getByRole('button', { name: 'Start run' }).click();

    // The run view: nodes turn green, the result is there.
    await page.waitForURL(/\/runs\//);
    for (const id of ['start', 'transform1', 'output1']) {
      await page.locator(`[data-node-id="${id}"][data-state="succeeded"]`).waitFor();
    }
    await expect.poll(() => page.getByTestId('run-result').textContent()).toContain('42');
    await page.getByRole('button', { name: 'transform1' }).first().click();
    await page.getByRole('region', { name: 'Inspector: transform1' }).getByText('42', { exact: true }).first().waitFor();
    await screenshot(page, 'run-completed');
    expect(await axeViolations(page)).toEqual([]);

    // The run keeps its state after a reload (events resumed by cursor).
    await page.reload();
    await page.locator('[data-node-id="output1"][data-state="succeeded"]').waitFor();
    await expect.poll(() => page.getByTestId('run-result').textContent()).toContain('42');

    // The list shows the last run's status.
    await page.goto('/');
    await page.getByRole('link', { name: /Last run of Sum in the browser: COMPLETED/ }).waitFor();
    await screenshot(page, 'workflow-list');

    // On a phone: the run view and the list stay usable.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'workflow-list-phone');
    await page.goBack();
    await page.locator('[data-node-id="output1"][data-state="succeeded"]').waitFor();
    await screenshot(page, 'run-phone');
    expect(await axeViolations(page)).toEqual([]);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it('a failing run shows the failing node and its message', async () => {
    const { page } = await tandem.person();
    await signUp(page, 'Grace');
    const token = await page.evaluate<string | null>('localStorage.getItem("tandem.token")');
    const created = await tandem.gql<{ createWorkflow: { id: string } }>(
      'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
      {
        input: {
          name: 'Refuses small amounts',
          definition: {
            format: 'tandem.workflow/v1',
            name: 'x',
            nodes: [
              { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
              { id: 'reject', type: 'fail', position: { x: 250, y: 0 }, config: { message: 'amount too small: {{ input.amount }}' } },
            ],
            edges: [{ id: 'e1', source: 'start', target: 'reject' }],
          },
        },
      },
      token!,
    );
    await page.goto(`/workflows/${created.createWorkflow.id}`);
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Deploy' }).click();
    await page.getByText('Deployed version 1.').waitFor();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByLabel('Input (JSON)').fill('{ "amount": 5 }');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.locator('[data-node-id="reject"][data-state="failed"]').waitFor();
    const outcome = page.locator('.outcome.failed');
    await outcome.locator('.error-message').getByText('amount too small: 5').waitFor();
    expect(await outcome.textContent()).toContain('reject');
    await screenshot(page, 'run-failed');

    // The runs list filters by status.
    await page.getByRole('link', { name: 'All runs' }).click();
    await page.getByLabel('Status').selectOption('FAILED');
    await page.getByRole('cell', { name: 'Failed' }).waitFor();
    await page.getByLabel('Status').selectOption('COMPLETED');
    await page.getByText('No runs with this status.').waitFor();
  });
});
