import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTandem, type Page, type Tandem } from './harness.js';

// A person without a pointer: Tab, Shift+Tab, Enter, typing and arrow keys only. Every stop on
// the way must show where focus is (:focus-visible), and no pointer event may reach the page.

let tandem: Tandem;
beforeAll(async () => {
  tandem = await startTandem();
});
afterAll(async () => {
  await tandem?.close();
});

/**
 * The focused element's accessible name, roughly as a screen reader would read it; '' when focus
 * is on the body or outside the page (Firefox's Tab order leaves the page for the browser's own
 * toolbar after the last stop and comes back at the first, Chromium's headless one wraps).
 */
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!document.hasFocus() || !el || el === document.body) return '';
  const labels = [...(el.labels ?? [])].map((l) => l.firstChild?.textContent ?? '').join(' ');
  return (el.getAttribute('aria-label') || labels || el.textContent || '').replace(/\\s+/g, ' ').trim();
})()`;

/** Where focus is among the page's Tab stops (DOM order; Tandem uses no positive tabindex). */
const PLACE = `(() => {
  const stops = [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')].filter(
    (el) => el.tabIndex >= 0 && !el.disabled && !el.closest('[inert]') && el.type !== 'hidden' && el.checkVisibility({ visibilityProperty: true }),
  );
  const at = stops.indexOf(document.activeElement);
  return at < 0 ? 'none' : at === 0 ? 'first' : at === stops.length - 1 ? 'last' : 'middle';
})()`;

/**
 * Presses Tab until the focused element's name matches; each stop must show its focus. At the
 * page's last stop the person turns round (Shift+Tab), and again at its first: past them the next
 * press would leave the page for the browser's own toolbar (Firefox), whose stops are not the page's.
 */
async function tabTo(page: Page, name: RegExp, max = 120): Promise<void> {
  const seen: string[] = [];
  let key = 'Tab';
  for (let i = 0; i < max; i++) {
    const place = await page.evaluate<string>(PLACE);
    if (place === 'last') key = 'Shift+Tab';
    if (place === 'first') key = 'Tab';
    await page.keyboard.press(key);
    const focused = await page.evaluate<string>(FOCUSED);
    seen.push(focused);
    if (focused && !(await page.evaluate<boolean>('document.activeElement.matches(":focus-visible")'))) throw new Error(`focus on "${focused}" is not visible`);
    if (name.test(focused)) return;
  }
  throw new Error(`no Tab stop named ${name} within ${max} presses; stops: ${seen.join(' | ')}`);
}

/** Focus reaches `name`, then Enter activates it. */
async function activate(page: Page, name: RegExp): Promise<void> {
  await tabTo(page, name);
  await page.keyboard.press('Enter');
}

describe('keyboard alone', () => {
  it('creates, builds, connects, configures, deploys, runs, follows and approves a workflow without a pointer', async () => {
    const { page } = await tandem.person();
    await page.goto('/signup');
    await page.evaluate(
      'window.__pointer = 0; for (const type of ["pointerdown", "mousedown", "click"]) addEventListener(type, (e) => { if (e.isTrusted && e.detail > 0) window.__pointer++; }, true)',
    );

    await tabTo(page, /^Name$/);
    await page.keyboard.type('Kai');
    await page.keyboard.press('Tab');
    await page.keyboard.type(`kai-${Date.now()}@example.com`);
    await page.keyboard.press('Tab');
    await page.keyboard.type('correct horse battery');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Workflows' }).waitFor();

    // Create a workflow: its editor opens with a manual trigger.
    await tabTo(page, /^New workflow name$/);
    await page.keyboard.type('Keyboard flow');
    await page.keyboard.press('Enter');
    await page.locator('[data-node-id="start"]').waitFor();

    // Add a transform and configure it; the new node is selected, its form next in the tab order.
    await activate(page, /^Add Transform$/);
    await page.locator('[data-node-id="transform1"]').waitFor();
    await tabTo(page, /^Expression/);
    await page.keyboard.type("{ 'doubled': input.n * 2 }");
    // Add the approval step and name its signal.
    await activate(page, /^Add Wait for signal$/);
    const waitId = 'signal1';
    await page.locator(`[data-node-id="${waitId}"]`).waitFor();
    await tabTo(page, /^Signal$/);
    await page.keyboard.type('approve');

    // Connect start → transform1 → the wait step: focus a node on the canvas, select it, "Connect to".
    for (const [from, to] of [
      ['start', 'transform1'],
      ['transform1', waitId],
    ] as const) {
      await tabTo(page, new RegExp(`^${from} `));
      await page.keyboard.press('Enter');
      await tabTo(page, /^Connect to/);
      await page.keyboard.type(to);
      await activate(page, /^Connect$/);
    }
    await expect.poll(() => page.locator('[data-edge-id]').count()).toBe(2);
    // Edges are named for a screen reader, and nodes carry type, name and state.
    await page.getByRole('button', { name: `Edge from start to transform1` }).waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'transform1 transform, not run' }).waitFor({ state: 'attached' });
    await expect.poll(() => page.locator('.node.invalid').count()).toBe(0);

    // Deploy: the dialog takes focus (its message field), Enter submits it.
    await activate(page, /^Deploy$/);
    await page.getByRole('dialog').waitFor();
    expect(await page.evaluate<boolean>('!!document.activeElement.closest("[role=dialog]")')).toBe(true);
    await page.keyboard.type('by keyboard');
    await page.keyboard.press('Enter');
    await page.getByText('Deployed version 1.').waitFor();
    // Focus came back from the closed dialog to the page, not lost on the body.
    expect(await page.evaluate<string>(FOCUSED)).not.toBe('');

    // Run with an input and follow the run.
    await activate(page, /^Run$/);
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('{ "n": 21 }');
    await activate(page, /^Start run$/);
    await page.waitForURL(/\/runs\//);
    await page.getByRole('button', { name: `${waitId} waiting, wait.signal` }).waitFor();
    await page.getByRole('button', { name: 'transform1 ✓ succeeded, transform' }).waitFor();

    // Approve the waiting step.
    await tabTo(page, /^Payload \(JSON\)/);
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('{ "by": "Kai" }');
    await activate(page, /^Send "approve"$/);
    await page.getByRole('button', { name: `${waitId} ✓ succeeded, wait.signal` }).waitFor();
    // The run completes: its result panel shows.
    await page.getByTestId('run-result').waitFor();

    expect(await page.evaluate<number>('window.__pointer')).toBe(0);
  });
});
