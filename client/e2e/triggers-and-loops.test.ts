import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, screenshot, signUp, startTandem, type Page, type Tandem } from './harness.js';

let tandem: Tandem;
beforeAll(async () => {
  tandem = await startTandem();
});
afterAll(async () => {
  await tandem?.close();
});

async function sessionToken(page: Page): Promise<string> {
  const token = await page.evaluate<string | null>('localStorage.getItem("tandem.token")');
  if (!token) throw new Error('not signed in');
  return token;
}

async function createDeployed(token: string, name: string, nodes: unknown[], edges: unknown[]): Promise<string> {
  const { createWorkflow } = await tandem.gql<{ createWorkflow: { id: string } }>(
    'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
    { input: { name, definition: { format: 'tandem.workflow/v1', name, nodes, edges } } },
    token,
  );
  await tandem.gql('mutation($id: ID!) { deployWorkflow(id: $id, message: "e2e") { number } }', { id: createWorkflow.id }, token);
  return createWorkflow.id;
}

async function schedulePaused(token: string, workflowId: string): Promise<boolean | undefined> {
  const { workflow } = await tandem.gql<{ workflow: { schedules: Array<{ nodeId: string; paused: boolean }> } }>(
    'query($id: ID!) { workflow(id: $id) { schedules { nodeId paused } } }',
    { id: workflowId },
    token,
  );
  return workflow.schedules.find((s) => s.nodeId === 'nightly')?.paused;
}

describe('schedules, webhooks and loops in the browser', () => {
  it('pauses and resumes a schedule from the runs tab; shows webhook URLs, and the secret only to editors and the owner', async () => {
    const { page } = await tandem.person();
    await signUp(page, 'Noor');
    const token = await sessionToken(page);
    const id = await createDeployed(
      token,
      'Nightly sync',
      [
        { id: 'nightly', type: 'trigger.schedule', position: { x: 0, y: 0 }, config: { cron: '30 2 * * *', timezone: 'Europe/Berlin' } },
        { id: 'hook', type: 'trigger.webhook', position: { x: 0, y: 150 }, config: { path: 'orders/new', respond: true } },
        { id: 'out', type: 'output', position: { x: 300, y: 75 }, config: { expression: "{ 'via': input.path ? input.path : 'schedule' }" } },
      ],
      [
        { id: 'e1', source: 'nightly', target: 'out' },
        { id: 'e2', source: 'hook', target: 'out' },
      ],
    );
    await page.goto(`/workflows/${id}/runs`);
    await page.getByText('30 2 * * *').waitFor();
    await page.getByRole('button', { name: 'Pause schedule' }).click();
    await page.getByRole('button', { name: 'Resume schedule' }).waitFor();
    expect(await schedulePaused(token, id)).toBe(true);

    // The webhook URL and its secret, hidden until asked for.
    const hooks = page.getByRole('region', { name: 'Webhooks' });
    const url = (await hooks.getByTestId('webhook-url-hook').textContent())!;
    expect(url).toBe(`${tandem.url}/hooks/${id}/orders/new`);
    expect(await hooks.getByTestId('webhook-secret').textContent()).not.toContain('whsec_');
    await screenshot(page, 'schedules-webhooks');
    expect(await axeViolations(page)).toEqual([]);
    await hooks.getByRole('button', { name: 'Show secret' }).click();
    const secret = (await hooks.getByTestId('webhook-secret').textContent())!;
    expect(secret).toMatch(/^whsec_/);

    // What the panel shows works: a delivery with that URL and secret runs the workflow.
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tandem-webhook-secret': secret }, body: '{}' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { result: unknown }).result).toEqual({ via: 'orders/new' });
    await page
      .getByRole('link', { name: /^[0-9a-f]{8}$/ })
      .first()
      .waitFor();

    await page.getByRole('button', { name: 'Resume schedule' }).click();
    await page.getByRole('button', { name: 'Pause schedule' }).waitFor();
    expect(await schedulePaused(token, id)).toBe(false);

    // A viewer, on a phone, sees the URLs (wrapped to the screen's width) but not the secret.
    const viewer = await tandem.person({ width: 390, height: 844 });
    const viewerEmail = await signUp(viewer.page, 'Vik');
    await tandem.gql(
      'mutation($id: ID!, $email: String!) { shareWorkflow(workflowId: $id, email: $email, role: VIEWER) { role } }',
      { id, email: viewerEmail },
      token,
    );
    await viewer.page.goto(`/workflows/${id}/runs`);
    const viewerHooks = viewer.page.getByRole('region', { name: 'Webhooks' });
    await viewerHooks.getByText('Only editors and the owner can see the webhook secret.').waitFor();
    expect(await viewerHooks.getByTestId('webhook-url-hook').textContent()).toBe(url);
    expect(await viewerHooks.getByTestId('webhook-secret').count()).toBe(0);
    // Viewers see the schedule but get no control the server would refuse.
    await viewer.page.getByText('from node').first().waitFor();
    expect(await viewer.page.getByRole('button', { name: /(Pause|Resume) schedule/ }).count()).toBe(0);
    // Nothing on the runs tab (the runs table included) widens the phone's page.
    const overflow = await viewer.page.evaluate<number>('document.documentElement.scrollWidth - innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    // The panel fits the screen (the runs table beside it is the runs list's own business).
    const box = (await viewerHooks.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    // Read through the page (an expression runs the same in both drivers): the panel does not scroll sideways.
    const hooksOverflow = `(() => { const el = document.querySelector('[aria-label="Webhooks"]'); return el.scrollWidth - el.clientWidth; })()`;
    expect(await viewer.page.evaluate<number>(hooksOverflow)).toBeLessThanOrEqual(0);
    expect(await axeViolations(viewer.page)).toEqual([]);
  });

  it('shows a long loop as "iteration i of n" and its Temporal runs as one timeline', async () => {
    const { page } = await tandem.person();
    await signUp(page, 'Lou');
    const token = await sessionToken(page);
    const id = await createDeployed(
      token,
      'Batch',
      [
        { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
        { id: 'each', type: 'loop', position: { x: 250, y: 0 }, config: { mode: 'forEach', expression: 'input.items', continueAsNewEvery: 10 } },
        { id: 'pause', type: 'delay', position: { x: 500, y: 120 }, config: { durationMs: 150 } },
        { id: 'out', type: 'output', position: { x: 500, y: -80 }, config: { expression: "{ 'iterations': nodes.each.iterations }" } },
      ],
      [
        { id: 'e1', source: 'start', target: 'each' },
        { id: 'e2', source: 'each', sourceHandle: 'body', target: 'pause' },
        { id: 'e3', source: 'pause', target: 'each' },
        { id: 'e4', source: 'each', sourceHandle: 'done', target: 'out' },
      ],
    );
    await page.goto(`/workflows/${id}`);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByLabel('Input (JSON)').fill(JSON.stringify({ items: Array.from({ length: 25 }, (_, i) => i) }));
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/runs\//);
    const loops = page.getByRole('region', { name: 'Loops' });
    // In progress: the list's length is known from the run's input.
    await loops.getByText(/^iteration \d+ of 25$/).waitFor();
    await page.getByRole('region', { name: 'Temporal runs' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'run-loop');
    await expect.poll(() => page.getByTestId('run-result').textContent(), { timeout: 60_000 }).toContain('"iterations": 25');
    expect(await loops.getByTestId('loop-each').textContent()).toBe('25 iterations, done');
    const timeline = page.getByRole('region', { name: 'Temporal runs' });
    // 25 iterations, continuing as new every 10: three Temporal runs, one event log.
    await timeline.getByText('Run 3').waitFor();
    expect(await timeline.locator('.timeline-list li').count()).toBe(3);
    expect(await timeline.locator('.timeline-list li').first().textContent()).toContain('continued as new at loop each, after 10 iterations');
    expect(await timeline.locator('.timeline-list li').last().textContent()).toContain('the execution ended here');
    await screenshot(page, 'run-loop-done');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('links a parent run to its sub-workflow runs and back', async () => {
    const { page } = await tandem.person();
    await signUp(page, 'Sol');
    const token = await sessionToken(page);
    const child = await createDeployed(
      token,
      'Double',
      [
        { id: 't', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
        { id: 'out', type: 'output', position: { x: 250, y: 0 }, config: { expression: 'input.x * 2' } },
      ],
      [{ id: 'e1', source: 't', target: 'out' }],
    );
    const parent = await createDeployed(
      token,
      'Caller',
      [
        { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
        { id: 'call', type: 'subworkflow', position: { x: 250, y: 0 }, config: { workflowId: child, inputExpression: "{ 'x': input.n }" } },
        { id: 'out', type: 'output', position: { x: 500, y: 0 }, config: { expression: "{ 'doubled': nodes.call }" } },
      ],
      [
        { id: 'e1', source: 'start', target: 'call' },
        { id: 'e2', source: 'call', target: 'out' },
      ],
    );
    await page.goto(`/workflows/${parent}`);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByLabel('Input (JSON)').fill('{ "n": 21 }');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/runs\//);
    const parentUrl = page.url();
    await expect.poll(() => page.getByTestId('run-result').textContent(), { timeout: 30_000 }).toContain('"doubled": 42');
    // The child row is stored with the child's first event: a reload may be needed to list it.
    await expect
      .poll(
        async () => {
          if ((await page.getByRole('heading', { name: 'Sub-workflow runs' }).count()) > 0) return true;
          await page.reload();
          return false;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    await page.getByRole('heading', { name: 'Sub-workflow runs' }).locator('..').getByRole('link').first().click();
    await page.waitForURL((url) => url.href !== parentUrl);
    await page.getByRole('link', { name: 'Double' }).waitFor();
    await page.getByText('Started by the').waitFor();
    await expect.poll(() => page.getByTestId('run-result').textContent(), { timeout: 20_000 }).toContain('42');
    expect(await page.getByTestId('run-result').textContent()).not.toContain('doubled');
    await page.getByRole('link', { name: 'parent run' }).click();
    await page.waitForURL(parentUrl);
    await expect.poll(() => page.getByTestId('run-result').textContent(), { timeout: 20_000 }).toContain('"doubled": 42');
  });
});
