import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The outside services http.request calls, as the worker's own tests stand them up (as server/test/replay.test.ts does).
// eslint-disable-next-line no-restricted-imports
import { json, startHttpServer, type TestHttpServer } from '../../worker/test/http-server.js';
import type { Page } from './driver/page.js';
import { screenshot, signUp, startTandem, type Tandem } from './harness.js';

// Retry from the failed step (issue 10): a run fails on a wrong URL; the person fixes the node in
// the editor, deploys, and retries the failed run on the new version from the failed step.

let tandem: Tandem;
let http: TestHttpServer;
beforeAll(async () => {
  http = await startHttpServer({
    '/lookup': (_req, res) => json(res, 200, { customer: 'c-42' }),
    '/charge': (_req, res, body) => json(res, 200, { ok: true, sent: JSON.parse(body || 'null') }),
  });
  tandem = await startTandem({ httpAllow: ['127.0.0.1'] });
});
afterAll(async () => {
  await tandem?.close();
  await http?.close();
});

const token = (page: Page) => page.evaluate<string>('localStorage.getItem("tandem.token")');
const short = (id: string) => id.slice(0, 8);
const runIdOf = (page: Page) => new URL(page.url()).pathname.split('/').at(-1)!;

/** start → lookup (GET /lookup) → charge (POST to `chargePath`) → out. */
function shop(chargePath: string) {
  const node = (id: string, type: string, config: Record<string, unknown>, x: number) => ({ id, type, position: { x, y: 0 }, config });
  return {
    format: 'tandem.workflow/v1',
    name: 'Shop',
    nodes: [
      node('start', 'trigger.manual', {}, 0),
      node('lookup', 'http.request', { method: 'GET', url: `${http.url}/lookup`, retry: { maxAttempts: 1 } }, 250),
      node(
        'charge',
        'http.request',
        { method: 'POST', url: `${http.url}${chargePath}`, bodyExpression: "{ 'order': input.order }", retry: { maxAttempts: 1 } },
        500,
      ),
      node('out', 'output', { expression: "{ 'customer': nodes.lookup.body.customer, 'charged': nodes.charge.body.ok }" }, 750),
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'lookup' },
      { id: 'e2', source: 'lookup', target: 'charge' },
      { id: 'e3', source: 'charge', target: 'out' },
    ],
  };
}

describe('retrying a failed run', () => {
  it('fix the node, deploy, retry from the failed step on the new version: earlier steps are not called again; both runs link to each other; run again', async () => {
    const { page } = await tandem.person({ width: 1280, height: 1000 });
    await signUp(page, 'Ada');
    const auth = await token(page);
    // Version 1 posts to a misspelt path: the test server answers 404 and the charge fails.
    const { createWorkflow } = await tandem.gql<{ createWorkflow: { id: string } }>(
      'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
      { input: { name: 'Shop', definition: shop('/chrage') } },
      auth,
    );
    const workflowId = createWorkflow.id;
    await tandem.gql('mutation($id: ID!) { deployWorkflow(id: $id, message: "first") { number } }', { id: workflowId }, auth);
    const { startExecution } = await tandem.gql<{ startExecution: { id: string } }>(
      'mutation($id: ID!) { startExecution(workflowId: $id, input: { order: 7 }) { id } }',
      { id: workflowId },
      auth,
    );
    const failedId = startExecution.id;

    // The failed run opens on its failure.
    await page.goto(`/runs/${failedId}`);
    let overlay = page.getByRole('dialog', { name: 'Node charge failed' });
    await overlay.waitFor();
    await expect.poll(() => overlay.getByTestId('overlay-message').textContent()).toMatch(/404/);
    expect(http.hits.get('/lookup')).toBe(1);
    expect(http.hits.get('/chrage')).toBe(1);

    // Fix the URL in the editor (through the overlay's "Open in editor") and deploy version 2.
    await overlay.getByRole('link', { name: 'Open in editor' }).click();
    await page.waitForURL(new RegExp(`/workflows/${workflowId}\\?node=charge`));
    await page.locator('[data-node-id="charge"][aria-pressed="true"]').waitFor();
    const url = page.getByLabel(/^url/i);
    await expect.poll(() => url.inputValue()).toBe(`${http.url}/chrage`);
    await url.fill(`${http.url}/charge`);
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByLabel('Message').fill('Fix the charge URL');
    await page.getByRole('dialog').getByRole('button', { name: 'Deploy' }).click();
    await page.getByText('Deployed version 2.').waitFor();

    // Back to the failed run from the runs list; retry it from the failed step on version 2.
    await page.goto(`/workflows/${workflowId}/runs`);
    await page.getByRole('link', { name: short(failedId), exact: true }).click();
    await page.waitForURL(new RegExp(`/runs/${failedId}(\\?|$)`));
    overlay = page.getByRole('dialog', { name: 'Node charge failed' });
    await overlay.waitFor();
    const version = overlay.getByLabel('Version');
    // The newest version is offered first, the run's own after it.
    await expect.poll(() => version.locator('option').allTextContents()).toEqual(['v2 (newest) “Fix the charge URL”', "v1 (this run's) “first”"]);
    await version.selectOption('2');
    await version.focus(); // scrolls the overlay down to the retry
    await screenshot(page, 'retry-overlay');
    await overlay.getByRole('button', { name: 'Retry from the failed step' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/runs/') && !u.pathname.endsWith(failedId));
    const retryId = runIdOf(page);
    await expect.poll(() => page.getByTestId('run-result').textContent(), { timeout: 30_000 }).toContain('c-42');
    expect(await page.getByTestId('run-result').textContent()).toContain('"charged": true');
    await page.locator('.run-status').getByText('Completed').waitFor();
    // The lookup before the failed step was reused, not called again; the fixed charge was called once.
    expect(http.hits.get('/lookup')).toBe(1);
    expect(http.hits.get('/charge')).toBe(1);
    expect(http.hits.get('/chrage')).toBe(1);
    const lineage = page.getByRole('region', { name: 'Retries' });
    await expect.poll(() => lineage.getByTestId('retry-of').textContent()).toMatch(new RegExp(`Retry of #${short(failedId)} v1 Failed from node charge`));
    // The inspector says which steps were taken from the failed run.
    await page.getByRole('table', { name: 'Steps' }).getByRole('button', { name: 'lookup', exact: true }).click();
    await page.getByRole('region', { name: 'Inspector: lookup' }).getByTestId('inspector-reused').waitFor();
    await page.getByRole('table', { name: 'Steps' }).getByRole('button', { name: 'charge', exact: true }).click();
    await page.getByRole('region', { name: 'Inspector: charge' }).getByText('Full values from the server.').waitFor();
    expect(await page.getByTestId('inspector-reused').count()).toBe(0);
    await page.getByRole('table', { name: 'Steps' }).getByRole('button', { name: 'lookup', exact: true }).click();
    await page.getByRole('region', { name: 'Inspector: lookup' }).getByTestId('inspector-reused').waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'retry-completed');

    // The runs list links the two runs both ways, and each link opens the right run.
    await page.goto(`/workflows/${workflowId}/runs`);
    const retryRow = page.locator('tr', { hasText: 'retry of' });
    const originalRow = page.locator('tr', { hasText: 'retried as' });
    await expect.poll(() => retryRow.textContent()).toContain(`${short(retryId)} retry of #${short(failedId)}`);
    await expect.poll(() => originalRow.textContent()).toContain(`${short(failedId)} retried as #${short(retryId)}`);
    expect(await retryRow.count()).toBe(1);
    expect(await originalRow.count()).toBe(1);
    await screenshot(page, 'retry-runs-list');
    await retryRow.getByRole('link', { name: `#${short(failedId)}`, exact: true }).click();
    await page.waitForURL(new RegExp(`/runs/${failedId}(\\?|$)`));
    await page.getByRole('dialog', { name: 'Node charge failed' }).waitFor();
    await page.goBack();
    await originalRow.getByRole('link', { name: `#${short(retryId)}`, exact: true }).click();
    await page.waitForURL(new RegExp(`/runs/${retryId}(\\?|$)`));
    await expect.poll(() => page.getByTestId('run-result').textContent()).toContain('c-42');

    // The original run's page lists its retry too; the link opens it.
    await page.goto(`/runs/${failedId}`);
    const started = page.getByRole('region', { name: 'Retries' }).getByTestId('retried-as');
    await expect.poll(() => started.textContent()).toContain(`#${short(retryId)} v2 Completed retry from charge`);
    await started.getByRole('link', { name: `#${short(retryId)}`, exact: true }).click();
    await page.waitForURL(new RegExp(`/runs/${retryId}(\\?|$)`));

    // "Run again with the same input" from the retried run: every step runs again, on version 2.
    await page.getByTestId('run-result').getByText('c-42').waitFor();
    const runAgain = page.getByRole('region', { name: 'Retries' });
    await expect.poll(() => runAgain.getByLabel('Version').locator('option').allTextContents()).toEqual(["v2 (this run's) “Fix the charge URL”"]);
    await runAgain.getByRole('button', { name: 'Run again with the same input' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/runs/') && !u.pathname.endsWith(retryId));
    const againId = runIdOf(page);
    expect(againId).not.toBe(failedId);
    await expect.poll(() => page.getByTestId('run-result').textContent(), { timeout: 30_000 }).toContain('c-42');
    await expect
      .poll(() => page.getByRole('region', { name: 'Retries' }).getByTestId('retry-of').textContent())
      .toMatch(new RegExp(`Run again of #${short(retryId)} v2 Completed`));
    expect(http.hits.get('/lookup')).toBe(2);
    expect(http.hits.get('/charge')).toBe(2);
    // The charge went out with the recorded input each time.
    const { execution } = await tandem.gql<{ execution: { input: unknown; versionNumber: number } }>(
      'query($id: ID!) { execution(id: $id) { input versionNumber } }',
      { id: againId },
      auth,
    );
    expect(execution).toEqual({ input: { order: 7 }, versionNumber: 2 });
  });
});
