import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTandem, type Page, type Tandem } from './harness.js';

// What the other browser tests rely on from the page API in both browsers: Playwright's own
// auto-waiting in Chromium, client/e2e/driver/bidi-page.ts in Firefox.

let tandem: Tandem;
beforeAll(async () => {
  tandem = await startTandem();
});
afterAll(async () => {
  await tandem?.close();
});

/** A page of its own markup (the app's page, emptied), with every button click recorded in `window.clicks`. */
async function stage(page: Page, html: string, script = ''): Promise<void> {
  await page.goto('/');
  await page.evaluate(`(() => {
    document.body.innerHTML = ${JSON.stringify(html)};
    window.clicks = [];
    for (const button of document.querySelectorAll('button')) button.addEventListener('click', () => window.clicks.push(button.id));
    ${script}
  })()`);
}

describe('the page driver', () => {
  it('clicks a button that moved as the pointer came, not what took its place', async () => {
    const { page } = await tandem.person();
    // The first time the pointer comes over it, the button moves down and another takes its place:
    // a panel that grows above a button between the check that it is there and the press.
    await stage(
      page,
      `<div style="position: relative">
         <button id="decoy" style="position: absolute; top: 0; left: 0; width: 200px; height: 40px; display: none">Delete everything</button>
         <button id="target" style="position: absolute; top: 0; left: 0; width: 200px; height: 40px">Connect</button>
       </div>`,
      `const target = document.getElementById('target');
       target.addEventListener('pointermove', () => {
         target.style.top = '60px';
         document.getElementById('decoy').style.display = 'block';
       }, { once: true });`,
    );
    await page.locator('#target').click();
    await expect.poll(() => page.evaluate<string[]>('window.clicks')).toEqual(['target']);
  });

  it('selects an option that arrives after the select', async () => {
    const { page } = await tandem.person();
    await stage(
      page,
      '<label>Tag <select id="tag"><option value="">All</option></select></label>',
      `setTimeout(() => document.getElementById('tag').append(new Option('mine', 'mine')), 300);`,
    );
    await page.getByLabel('Tag').selectOption('mine');
    expect(await page.evaluate<string>(`document.getElementById('tag').value`)).toBe('mine');
  });

  it('fills a field once it is editable', async () => {
    const { page } = await tandem.person();
    // As the app's forms do: what is typed into a read-only field is not taken.
    await stage(
      page,
      '<label>Name <input id="name" readonly></label>',
      `const name = document.getElementById('name');
       name.addEventListener('input', () => { if (!name.readOnly) window.taken = name.value; });
       setTimeout(() => (name.readOnly = false), 300);`,
    );
    await page.getByLabel('Name').fill('Ada');
    expect(await page.evaluate<string>('window.taken')).toBe('Ada');
  });
});
