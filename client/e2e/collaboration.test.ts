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

/** How many updates the page's local copies (y-indexeddb databases) hold. */
const localUpdates = (page: Page) =>
  page.evaluate<number>(`(async () => {
    let total = 0;
    for (const { name } of await indexedDB.databases()) {
      if (!name || !name.startsWith('tandem-draft:')) continue;
      const db = await new Promise((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      total += await new Promise((resolve, reject) => {
        const count = db.transaction('updates').objectStore('updates').count();
        count.onsuccess = () => resolve(count.result);
        count.onerror = () => reject(count.error);
      });
      db.close();
    }
    return total;
  })()`);

const nodeIds = (page: Page) => page.evaluate<string[]>(`[...document.querySelectorAll('[data-node-id]')].map((n) => n.getAttribute('data-node-id')).sort()`);

describe('co-editing in two browsers', () => {
  it('two editors see each other’s edits and presence; undo takes back only one’s own; a viewer cannot edit', async () => {
    const ada = await tandem.person();
    const bob = await tandem.person();
    const carol = await tandem.person({ width: 390, height: 844 });
    await signUp(ada.page, 'Ada');
    const bobEmail = await signUp(bob.page, 'Bob');
    const carolEmail = await signUp(carol.page, 'Carol');

    // Ada creates a workflow and shares it: Bob edits, Carol views.
    await ada.page.getByLabel('New workflow name').fill('Shared flow');
    await ada.page.getByRole('button', { name: 'Create' }).click();
    await ada.page.locator('[data-node-id="start"]').waitFor();
    await ada.page.getByText('Connected').waitFor();
    await ada.page.getByRole('button', { name: 'Share' }).click();
    const dialog = ada.page.getByRole('dialog');
    await dialog.getByLabel('Email').fill(bobEmail);
    await dialog.getByLabel('Role').selectOption('EDITOR');
    await dialog.getByRole('button', { name: 'Share', exact: true }).click();
    await dialog.getByText(bobEmail).waitFor();
    await dialog.getByLabel('Email').fill(carolEmail);
    await dialog.getByLabel('Role').selectOption('VIEWER');
    await dialog.getByRole('button', { name: 'Share', exact: true }).click();
    await dialog.getByText(carolEmail).waitFor();
    await screenshot(ada.page, 'share-dialog');
    await dialog.getByRole('button', { name: 'Close' }).click();
    const url = ada.page.url();

    // Bob opens it: both see each other.
    await bob.page.goto(url);
    await bob.page.locator('[data-node-id="start"]').waitFor();
    await ada.page.locator('.presence [aria-label="Bob"]').waitFor();
    await bob.page.locator('.presence [aria-label="Ada"]').waitFor();

    // Ada adds a node; Bob sees it and configures it; Ada sees his edit.
    await ada.page.getByRole('button', { name: 'Add Transform' }).click();
    await bob.page.locator('[data-node-id="transform1"]').waitFor();
    await bob.page.locator('[data-node-id="transform1"]').focus();
    await bob.page.keyboard.press('Enter');
    await bob.page.getByLabel(/^Expression/).fill('input.value * 2');
    await expect.poll(() => ada.page.getByLabel(/^Expression/).inputValue()).toBe('input.value * 2');
    // Bob's selection shows on Ada's canvas in his colour.
    await ada.page.locator('[data-node-id="transform1"] .remote-selection').waitFor();

    // Bob adds an output; Ada's undo takes back her transform only (and its edits), never Bob's output.
    await bob.page.getByRole('button', { name: 'Add Output' }).click();
    await ada.page.locator('[data-node-id="output1"]').waitFor();
    await ada.page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => nodeIds(ada.page)).toEqual(['output1', 'start']);
    await expect.poll(() => nodeIds(bob.page)).toEqual(['output1', 'start']);
    await ada.page.getByRole('button', { name: 'Redo' }).click();
    await expect.poll(() => nodeIds(bob.page)).toEqual(['output1', 'start', 'transform1']);
    await ada.page.getByText('All changes saved').waitFor();
    await bob.page.getByText('All changes saved').waitFor();
    await screenshot(ada.page, 'co-editing');
    expect(await axeViolations(ada.page)).toEqual([]);

    // Carol, a viewer, on a phone: she sees the graph and edits as they happen, but cannot edit.
    await carol.page.goto(url);
    await carol.page.getByText('Read-only (viewer)').waitFor();
    await expect.poll(() => nodeIds(carol.page)).toEqual(['output1', 'start', 'transform1']);
    expect(await carol.page.getByRole('button', { name: 'Add Transform' }).count()).toBe(0);
    expect(await carol.page.getByRole('button', { name: 'Deploy' }).isDisabled()).toBe(true);
    await carol.page.locator('[data-node-id="output1"]').focus();
    await carol.page.keyboard.press('Enter');
    await carol.page.keyboard.press('Delete');
    // Her socket's messages arrive in order: once her next one (her cursor) reaches Ada, a
    // deletion sent before it would have too.
    const carolsCanvas = (await carol.page.locator('.canvas-svg').boundingBox())!;
    await carol.page.mouse.move(carolsCanvas.x + 30, carolsCanvas.y + 30);
    await carol.page.mouse.move(carolsCanvas.x + 50, carolsCanvas.y + 40, { steps: 3 });
    await ada.page.locator('.remote-cursor', { hasText: 'Carol' }).waitFor();
    expect(await nodeIds(ada.page)).toEqual(['output1', 'start', 'transform1']);
    expect(await carol.page.getByLabel(/^Expression/).getAttribute('readonly')).not.toBeNull();
    await ada.page.getByRole('button', { name: 'Add Delay' }).click();
    await carol.page.locator('[data-node-id="delay1"]').waitFor();
    await screenshot(carol.page, 'viewer-phone');
    expect(await axeViolations(carol.page)).toEqual([]);

    // Bob's cursor shows on Ada's canvas with his name; his drag moves the node for Ada too.
    const box = (await bob.page.locator('.canvas-svg').boundingBox())!;
    await bob.page.mouse.move(box.x + 40, box.y + 40);
    await bob.page.mouse.move(box.x + 60, box.y + 50, { steps: 3 });
    await ada.page.locator('.remote-cursor', { hasText: 'Bob' }).waitFor();
    const before = await ada.page.locator('[data-node-id="transform1"]').getAttribute('transform');
    const node = (await bob.page.locator('[data-node-id="transform1"] .node-box').boundingBox())!;
    await bob.page.mouse.move(node.x + 60, node.y + 20);
    await bob.page.mouse.down();
    await bob.page.mouse.move(node.x + 60, node.y + 160, { steps: 10 });
    await bob.page.mouse.up();
    await expect.poll(() => ada.page.locator('[data-node-id="transform1"]').getAttribute('transform')).not.toBe(before);

    // Offline edits are kept and sync when the connection returns.
    await bob.context.setOffline(true);
    await bob.page.getByText(/Offline/).waitFor({ timeout: 30_000 });
    await bob.page.getByRole('button', { name: 'Add Fail' }).click();
    await bob.page.getByText('Saving…').waitFor();
    await bob.context.setOffline(false);
    await ada.page.locator('[data-node-id="fail1"]').waitFor({ timeout: 30_000 });
    await bob.page.getByText('All changes saved').waitFor({ timeout: 30_000 });

    // A reload keeps the document (it is the server's).
    await bob.page.reload();
    await expect.poll(() => nodeIds(bob.page)).toEqual(['delay1', 'fail1', 'output1', 'start', 'transform1']);
  });

  it('keeps offline edits in the browser when the tab is closed, and saves them on the next visit', async () => {
    const dana = await tandem.person();
    await signUp(dana.page, 'Dana');
    await dana.page.getByLabel('New workflow name').fill('Travel plan');
    await dana.page.getByRole('button', { name: 'Create' }).click();
    await dana.page.locator('[data-node-id="start"]').waitFor();
    await dana.page.getByText('All changes saved').waitFor();
    const path = new URL(dana.page.url()).pathname;
    const token = await dana.page.evaluate<string | null>('localStorage.getItem("tandem.token")');
    const id = path.split('/')[2]!;

    await dana.context.setOffline(true);
    await dana.page.getByText(/Offline/).waitFor({ timeout: 30_000 });
    const kept = await localUpdates(dana.page);
    await dana.page.getByRole('button', { name: 'Add Fail' }).click();
    await dana.page.getByText('Saving…').waitFor();
    // The local copy (IndexedDB) is written asynchronously: wait until it holds the edit.
    await eventually(async () => (await localUpdates(dana.page)) > kept, { what: 'the local copy stores the edit' });
    await dana.page.close();
    const stored = () =>
      tandem
        .gql<{ workflow: { definition: { nodes: Array<{ id: string }> } } }>('query($id: ID!) { workflow(id: $id) { definition } }', { id }, token!)
        .then((r) => r.workflow.definition.nodes.map((n) => n.id));
    expect(await stored()).not.toContain('fail1');

    // Back online, later, in a new tab: the edit is there and reaches the server.
    await dana.context.setOffline(false);
    const page = await dana.context.newPage();
    await page.goto(path);
    await page.locator('[data-node-id="fail1"]').waitFor({ timeout: 30_000 });
    await page.getByText('All changes saved').waitFor({ timeout: 30_000 });
    await expect.poll(stored, { timeout: 10_000 }).toContain('fail1');
  });
});
