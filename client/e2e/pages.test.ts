import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTEFACTS, axeViolations, signUp, startTandem, type Page, type Tandem } from './harness.js';

// Every page the app links to, found by following its links (so pages added later are covered),
// at desktop and phone sizes: no horizontal scrolling of the page, no serious or critical axe
// violation, and every dialog a page opens keeps focus inside and gives it back on close.
// Screenshots of every page at every size go to test-results/screenshots/<browser>/<size>/<page>-<browser>.png
// (git-ignored test artefacts; the browser's name is in the file's name too, so copies stay told apart).

const SIZES = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
  { width: 360, height: 740 },
];
const PHONE = SIZES[1]!;

let tandem: Tandem;
beforeAll(async () => {
  tandem = await startTandem();
});
afterAll(async () => {
  await tandem?.close();
});

/** A route's shape: ids become `:id`, so one workflow or run stands for all. */
const routeOf = (url: string) => {
  const { pathname } = new URL(url);
  return pathname.replace(/\/[0-9a-f]{8}-[0-9a-f-]{27,}|\/[A-Za-z0-9_-]{20,}/g, '/:id');
};

/** Waits until the page's text stops changing (data loaded, lazy screens mounted). */
async function settle(page: Page): Promise<void> {
  let last = '';
  for (let i = 0; i < 50; i++) {
    const now = await page.evaluate<string>('document.body.innerText');
    if (now === last && now.trim() && !/Loading/.test(now)) return;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** How far the page itself scrolls sideways (0: it fits). */
const overflowOf = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth - innerWidth');

/** Same-origin links on the page, without the ones that only download or sign out. */
const linksOf = (page: Page, origin: string) =>
  page.evaluate<string[]>(
    `[...document.querySelectorAll('a[href]')].map((a) => a.href).filter((href) => href.startsWith(${JSON.stringify(origin)}) && !href.includes('#'))`,
  );

async function shoot(page: Page, route: string, size: { width: number; height: number }): Promise<void> {
  const dir = join(ARTEFACTS, '..', 'screenshots', tandem.browserName, `${size.width}x${size.height}`);
  mkdirSync(dir, { recursive: true });
  const name = route.replace(/^\//, '').replace(/[/:]+/g, '_') || 'home';
  await page.screenshot({ path: join(dir, `${name}-${tandem.browserName}.png`), fullPage: true });
}

/** A workflow waiting for approval: the editor, versions, runs and run pages all have something to show. */
async function seed(page: Page): Promise<void> {
  const token = (await page.evaluate<string | null>('localStorage.getItem("tandem.token")'))!;
  const name = 'Purchase approval with a rather long name that could push the page wider on a phone';
  const nodes = [
    { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    { id: 'approval', type: 'wait.signal', position: { x: 250, y: 0 }, config: { signal: 'approve' } },
    { id: 'out', type: 'output', position: { x: 500, y: 0 }, config: { expression: 'nodes.approval' } },
  ];
  const edges = [
    { id: 'e1', source: 'start', target: 'approval' },
    { id: 'e2', source: 'approval', target: 'out' },
  ];
  const { createWorkflow } = await tandem.gql<{ createWorkflow: { id: string } }>(
    'mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }',
    { input: { name, description: 'Asks a person before money is spent', definition: { format: 'tandem.workflow/v1', name, nodes, edges } } },
    token,
  );
  await tandem.gql('mutation($id: ID!) { deployWorkflow(id: $id, message: "first") { number } }', { id: createWorkflow.id }, token);
  await tandem.gql('mutation($id: ID!) { startExecution(workflowId: $id, input: { amount: 1200 }) { id } }', { id: createWorkflow.id }, token);
}

/** Opens each dialog the page offers (buttons marked aria-haspopup="dialog") and checks it. */
async function checkDialogs(page: Page, route: string, problems: string[]): Promise<void> {
  const openers = page.locator('button[aria-haspopup="dialog"]:not(:disabled)');
  const count = await openers.count();
  for (let i = 0; i < count; i++) {
    const opener = openers.nth(i);
    const label = `${route} dialog of "${((await opener.textContent()) ?? '').trim() || (await opener.getAttribute('aria-label'))}"`;
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // Focus moves in, and Tab cycles inside the dialog however often it is pressed.
    const focusables = await dialog.locator('input, select, textarea, button:not(:disabled), a[href]').count();
    for (let tab = 0; tab <= focusables; tab++) {
      if (!(await page.evaluate<boolean>('!!document.activeElement?.closest("[role=dialog]")')))
        problems.push(`${label}: focus left the dialog after ${tab} Tab(s)`);
      await page.keyboard.press('Tab');
    }
    for (const v of await axeViolations(page)) problems.push(`${label}: axe ${v.id} (${v.impact}) at ${v.nodes.join(', ')}`);
    const overflow = await overflowOf(page);
    if (overflow > 0) problems.push(`${label}: the page scrolls ${overflow} px sideways`);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    if (!(await page.evaluate<boolean>(`document.activeElement?.matches('button[aria-haspopup="dialog"]') ?? false`)))
      problems.push(`${label}: focus did not return to the button that opened it`);
  }
}

/** Visits a page at every size: overflow and screenshot; axe and dialogs at desktop and phone width (360 px adds no new layout for axe). */
async function checkPage(page: Page, url: string, route: string, problems: string[]): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.goto(url);
    await settle(page);
    const overflow = await overflowOf(page);
    if (overflow > 0) problems.push(`${route} at ${size.width} px: the page scrolls ${overflow} px sideways`);
    await shoot(page, route, size);
    if (size !== SIZES[0] && size !== PHONE) continue;
    for (const v of await axeViolations(page)) problems.push(`${route} at ${size.width} px: axe ${v.id} (${v.impact}) at ${v.nodes.join(', ')}`);
    await checkDialogs(page, `${route} at ${size.width} px`, problems);
  }
}

/** WCAG contrast ratio of two `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (rgb: string) => {
    const [r, g, bl] = rgb
      .match(/\d+(\.\d+)?/g)!
      .slice(0, 3)
      .map((c) => {
        const v = Number(c) / 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe('every page at desktop and phone sizes', () => {
  it("a node's text keeps a 4.5:1 contrast on every run state's colour", async () => {
    const { page } = await tandem.person();
    await page.goto('/signin');
    await page.getByRole('heading', { name: /sign in/i }).waitFor();
    // Nodes in each state, drawn with the app's own stylesheet.
    const colours = await page.evaluate<Array<{ state: string; box: string; title: string; type: string }>>(`(() => {
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      document.body.append(svg);
      const out = ['none', 'pending', 'running', 'waiting', 'succeeded', 'failed', 'skipped'].map((state) => {
        const g = document.createElementNS(svg.namespaceURI, 'g');
        g.setAttribute('class', 'node state-' + state);
        g.innerHTML = '<rect class="node-box"/><text><tspan class="node-title">t</tspan><tspan class="node-type">s</tspan></text>';
        svg.append(g);
        const fill = (selector) => getComputedStyle(g.querySelector(selector)).fill;
        return { state, box: fill('.node-box'), title: fill('.node-title'), type: fill('.node-type') };
      });
      svg.remove();
      return out;
    })()`);
    const weak = colours.flatMap(({ state, box, title, type }) =>
      [
        ['title', title],
        ['state text', type],
      ]
        .filter(([, text]) => contrast(text!, box) < 4.5)
        .map(([what, text]) => `${state}: ${what} ${text} on ${box} is ${contrast(text!, box).toFixed(2)}:1`),
    );
    expect(weak).toEqual([]);
  });

  it('signed out: sign-in and sign-up fit a phone and pass axe', async () => {
    const { page } = await tandem.person();
    const problems: string[] = [];
    for (const route of ['/signin', '/signup']) await checkPage(page, route, route, problems);
    expect(problems).toEqual([]);
  });

  // A crawl of every page at three sizes: longer than one journey.
  it('signed in: every page the app links to fits a phone, passes axe, and its dialogs keep focus', { timeout: 600_000 }, async () => {
    const { page } = await tandem.person();
    await signUp(page, 'Ada');
    await seed(page);
    const origin = new URL(tandem.url).origin;
    const seen = new Map<string, string>([[routeOf(`${origin}/`), `${origin}/`]]);
    const queue = [`${origin}/`];
    const problems: string[] = [];
    // Breadth first from the workflow list; one URL per route shape.
    while (queue.length) {
      const url = queue.shift()!;
      const route = routeOf(url);
      await page.setViewportSize(SIZES[0]!);
      await page.goto(url);
      await settle(page);
      for (const link of await linksOf(page, origin)) {
        if (!seen.has(routeOf(link))) {
          seen.set(routeOf(link), link);
          queue.push(link);
        }
      }
      await checkPage(page, url, route, problems);
    }
    console.log(`[pages] ${tandem.browserName}: ${[...seen.keys()].join(' ')}`);
    // The seeded workflow gives the editor, its tabs and a run page; the crawl must reach them.
    expect([...seen.keys()]).toEqual(expect.arrayContaining(['/', '/templates', '/settings', '/workflows/:id', '/workflows/:id/runs', '/runs/:id']));
    expect(problems).toEqual([]);
  });
});
