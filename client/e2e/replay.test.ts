import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from './driver/page.js';
import { screenshot, signUp, startTandem, type Tandem } from './harness.js';

// The replay viewer (issue 10): scrub a finished run, play it, follow a live one, explain a failure.

let tandem: Tandem;
beforeAll(async () => {
  tandem = await startTandem();
});
afterAll(async () => {
  await tandem?.close();
});

const token = (page: Page) => page.evaluate<string>('localStorage.getItem("tandem.token")');

async function deployed(page: Page, name: string, nodes: unknown[], edges: unknown[]): Promise<string> {
  const auth = await token(page);
  const { createWorkflow } = await tandem.gql<{ createWorkflow: { id: string } }>(
    'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
    { input: { name, definition: { format: 'tandem.workflow/v1', name, nodes, edges } } },
    auth,
  );
  await tandem.gql('mutation($id: ID!) { deployWorkflow(id: $id, message: "e2e") { number } }', { id: createWorkflow.id }, auth);
  return createWorkflow.id;
}

async function start(page: Page, workflowId: string, input: unknown): Promise<string> {
  const { startExecution } = await tandem.gql<{ startExecution: { id: string } }>(
    'mutation($id: ID!, $input: JSON) { startExecution(workflowId: $id, input: $input) { id } }',
    { id: workflowId, input },
    await token(page),
  );
  return startExecution.id;
}

async function events(page: Page, executionId: string): Promise<Array<{ sequence: number; type: string; nodeId: string | null }>> {
  const { execution } = await tandem.gql<{ execution: { events: { edges: Array<{ node: { sequence: number; type: string; nodeId: string | null } }> } } }>(
    'query($id: ID!) { execution(id: $id) { events(first: 500) { edges { node { sequence type nodeId } } } } }',
    { id: executionId },
    await token(page),
  );
  return execution.events.edges.map((e) => e.node);
}

const state = (page: Page, nodeId: string) => page.locator(`[data-node-id="${nodeId}"]`).getAttribute('data-state');
const position = async (page: Page) => Number(await page.getByRole('slider', { name: 'Run timeline: the cursor' }).getAttribute('aria-valuenow'));

const pipeline = {
  nodes: [
    { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    { id: 'add', type: 'transform', position: { x: 250, y: 0 }, config: { expression: "{ 'total': input.a + input.b }" } },
    { id: 'keep', type: 'set', position: { x: 500, y: 0 }, config: { variables: { total: 'nodes.add.total' } } },
    { id: 'out', type: 'output', position: { x: 750, y: 0 }, config: { expression: 'vars.total * 2' } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'add' },
    { id: 'e2', source: 'add', target: 'keep' },
    { id: 'e3', source: 'keep', target: 'out' },
  ],
};

describe('replaying runs', () => {
  it('scrubs a finished run: node states and values at chosen moments, a link that restores the moment, and playback', async () => {
    const { page } = await tandem.person();
    await signUp(page, 'Ada');
    const workflowId = await deployed(page, 'Sum', pipeline.nodes, pipeline.edges);
    const runId = await start(page, workflowId, { a: 2, b: 40 });
    await page.goto(`/runs/${runId}`);
    await page.getByTestId('run-result').getByText('84').waitFor();
    const all = await events(page, runId);
    const addDone = all.find((e) => e.type === 'STEP_COMPLETED' && e.nodeId === 'add')!;

    // Before the first event: nothing has run.
    await page.keyboard.press('Home');
    await expect.poll(() => position(page)).toBe(0);
    expect(await state(page, 'add')).not.toBe('succeeded');

    // The moment `add` completed: add succeeded, keep and out not yet; the link says where.
    await page.goto(`/runs/${runId}?at=${addDone.sequence}&node=add`);
    await page.locator('[data-node-id="add"][data-state="succeeded"]').waitFor();
    expect(await state(page, 'out')).not.toBe('succeeded');
    const inspector = page.getByRole('region', { name: 'Inspector: add' });
    await inspector.getByRole('tree', { name: 'Output' }).getByText('total').waitFor();
    await expect.poll(() => inspector.getByRole('tree', { name: 'Output' }).textContent()).toContain('42');
    await expect.poll(() => page.getByTestId('replay-moment').textContent()).toContain(`#${addDone.sequence} STEP_COMPLETED add`);

    // One event forward at a time with the keyboard, until keep has set vars.total.
    await page.getByRole('slider', { name: 'Run timeline: the cursor' }).focus();
    const keepDone = all.findIndex((e) => e.type === 'STEP_COMPLETED' && e.nodeId === 'keep') + 1;
    for (let at = await position(page); at < keepDone; at++) await page.keyboard.press('ArrowRight');
    await expect.poll(() => position(page)).toBe(keepDone);
    const vars = inspector.getByRole('tree', { name: 'Variables' });
    await expect.poll(() => vars.textContent()).toContain('42');
    expect(await vars.locator('.json-entry.changed[data-path="vars.total"]').count()).toBe(1);
    await expect.poll(() => new URL(page.url()).searchParams.get('at')).toBe(String(all[keepDone - 1]!.sequence));
    await screenshot(page, 'replay-scrub');

    // Play from the start at 16x: the cursor reaches the end and every node succeeded.
    await page.keyboard.press('Home');
    await page.getByLabel('Speed').selectOption('16');
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await expect.poll(() => position(page), { timeout: 15_000 }).toBe(all.length);
    await page.locator('[data-node-id="out"][data-state="succeeded"]').waitFor();
    await page.getByRole('button', { name: 'Play', exact: true }).waitFor(); // stopped at the end
  });

  it('follows a live run until the cursor is moved; Live returns to the end', async () => {
    const { page } = await tandem.person();
    await signUp(page, 'Lin');
    const workflowId = await deployed(
      page,
      'Approval',
      [
        { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
        { id: 'approval', type: 'wait.signal', position: { x: 250, y: 0 }, config: { signal: 'approve' } },
        { id: 'out', type: 'output', position: { x: 500, y: 0 }, config: { expression: 'nodes.approval.by' } },
      ],
      [
        { id: 'e1', source: 'start', target: 'approval' },
        { id: 'e2', source: 'approval', target: 'out' },
      ],
    );
    const runId = await start(page, workflowId, {});
    await page.goto(`/runs/${runId}`);
    await page.locator('[data-node-id="approval"][data-state="waiting"]').waitFor();
    expect(await page.getByRole('button', { name: 'Live' }).getAttribute('aria-pressed')).toBe('true');

    // Moving the cursor back holds it there while the run goes on.
    await page.getByRole('slider', { name: 'Run timeline: the cursor' }).focus();
    await page.keyboard.press('ArrowLeft');
    const held = await position(page);
    expect(await page.getByRole('button', { name: 'Live' }).getAttribute('aria-pressed')).toBe('false');
    await tandem.gql('mutation($id: ID!) { signalExecution(id: $id, name: "approve", payload: { by: "Grace" }) { id } }', { id: runId }, await token(page));
    await page.getByRole('status').getByText('Completed').waitFor();
    expect(await position(page)).toBe(held);
    expect(await state(page, 'out')).not.toBe('succeeded');

    // Live: back to the end, following again.
    await page.getByRole('button', { name: 'Live' }).click();
    await page.locator('[data-node-id="out"][data-state="succeeded"]').waitFor();
    expect(await page.getByRole('button', { name: 'Live' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('opens a failed run on its failure, explains it, copies a report and opens the node in the editor', async () => {
    const { page, context } = await tandem.person();
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signUp(page, 'Kim');
    const workflowId = await deployed(page, 'Sum', pipeline.nodes, pipeline.edges);
    const runId = await start(page, workflowId, { a: 2, b: 'forty' });
    await page.goto(`/runs/${runId}`);
    const overlay = page.getByRole('dialog', { name: 'Node add failed' });
    await overlay.waitFor();
    await page.locator('[data-node-id="add"][data-state="failed"][aria-pressed="true"]').waitFor();
    expect(await overlay.getByTestId('overlay-kind').textContent()).toBe('ExpressionError');
    expect(await overlay.getByTestId('overlay-message').textContent()).toMatch(/must evaluate to a number/);
    expect(await overlay.getByTestId('overlay-hint').textContent()).toMatch(/missing \(or of another type\)/);
    // JSONata points at the operator whose right side was not a number.
    expect(await overlay.getByTestId('failing-part').textContent()).toBe('+');
    await expect.poll(() => overlay.getByRole('tree', { name: 'Step input' }).textContent()).toContain('forty');
    // The cursor stands on the failure, and the link says so.
    const all = await events(page, runId);
    const failedAt = all.findIndex((e) => e.type === 'STEP_FAILED' && e.nodeId === 'add') + 1;
    expect(await position(page)).toBe(failedAt);
    await screenshot(page, 'replay-error-overlay');

    await overlay.getByRole('button', { name: 'Copy report' }).click();
    await overlay.getByText('Report copied.').waitFor();
    const report = await page.evaluate<string>('navigator.clipboard.readText()');
    expect(report).toContain('### Run failed at node `add` (transform)');
    expect(report).toContain('- Kind: `ExpressionError`');
    expect(report).toContain('"b": "forty"');

    await overlay.getByRole('link', { name: 'Open in editor' }).click();
    await page.waitForURL(new RegExp(`/workflows/${workflowId}\\?node=add`));
    await page.locator('[data-node-id="add"][aria-pressed="true"]').waitFor();
  });

  it("debugs together: a viewer of the run sees the owner's cursor and follows their playback", async () => {
    const owner = await tandem.person();
    await signUp(owner.page, 'Ada');
    const viewer = await tandem.person();
    const viewerEmail = await signUp(viewer.page, 'Bob');
    const workflowId = await deployed(owner.page, 'Sum', pipeline.nodes, pipeline.edges);
    await tandem.gql(
      'mutation($id: ID!, $email: String!) { shareWorkflow(workflowId: $id, email: $email, role: VIEWER) { role } }',
      { id: workflowId, email: viewerEmail },
      await token(owner.page),
    );
    const runId = await start(owner.page, workflowId, { a: 1, b: 2 });
    await owner.page.goto(`/runs/${runId}`);
    await owner.page.getByTestId('run-result').getByText('6').waitFor();
    await viewer.page.goto(`/runs/${runId}`);
    await viewer.page.getByTestId('run-result').getByText('6').waitFor();

    // The owner goes back to the start; the viewer sees where, and follows.
    await owner.page.keyboard.press('Home');
    const others = viewer.page.getByRole('list', { name: 'Also looking at this run' });
    await others.getByText('at #0').waitFor();
    await others.getByRole('button', { name: 'Follow Ada' }).click();
    await expect.poll(() => position(viewer.page)).toBe(0);
    expect(await state(viewer.page, 'add')).not.toBe('succeeded');

    // The owner steps forward: the viewer's graph moves with them.
    const all = await events(owner.page, runId);
    const addDone = all.findIndex((e) => e.type === 'STEP_COMPLETED' && e.nodeId === 'add') + 1;
    await owner.page.getByRole('slider', { name: 'Run timeline: the cursor' }).focus();
    for (let i = 0; i < addDone; i++) await owner.page.keyboard.press('ArrowRight');
    await expect.poll(() => position(viewer.page)).toBe(addDone);
    await viewer.page.locator('[data-node-id="add"][data-state="succeeded"]').waitFor();
    expect(await state(viewer.page, 'out')).not.toBe('succeeded');
    await screenshot(viewer.page, 'replay-together');

    // Moving one's own cursor stops following.
    await viewer.page.getByRole('slider', { name: 'Run timeline: the cursor' }).focus();
    await viewer.page.keyboard.press('End');
    await others.getByRole('button', { name: 'Follow Ada' }).waitFor();
    await owner.page.keyboard.press('Home');
    await others.getByText('at #0').waitFor();
    expect(await position(viewer.page)).toBe(all.length);
  });
});
