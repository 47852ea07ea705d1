import { readFileSync } from 'node:fs';
import puppeteer, { type Browser, type BrowserContext, type ElementHandle, type KeyInput, type Page as PuppeteerPage } from 'puppeteer-core';
import type { Box, Context, Locator, Page, TextMatch } from './page.js';

/**
 * The e2e page API (page.ts) over puppeteer-core, for Firefox over WebDriver BiDi. Elements are
 * found in the page by locate.js; clicks, keys and files go through the protocol's input, like a
 * person's; reading and filling go through the DOM, as Playwright's do.
 */

const LOCATE = readFileSync(new URL('./locate.js', import.meta.url), 'utf8')
  .trim()
  .replace(/;$/, '');
const TIMEOUT_MS = 20_000;
const POLL_MS = 50;

type Text = { text: string } | { regex: string; flags: string };
type Step =
  | { kind: 'css'; selector: string }
  | { kind: 'testid'; id: string }
  | { kind: 'role'; role: string; name?: Text; exact?: boolean }
  | { kind: 'label' | 'text'; text: Text; exact?: boolean }
  | { kind: 'hasText'; text: Text }
  | { kind: 'nth'; index: number };

const text = (match: TextMatch): Text => (typeof match === 'string' ? { text: match } : { regex: match.source, flags: match.flags });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Page script (with `el` in scope) armed just before a click: the click's first press decides.
 * On `el`, nothing more is done; elsewhere, the press and the rest of the click are swallowed
 * before the page sees them, and `__tandemClickMissed()` answers true.
 */
const ARM_CLICK_GUARD = `
  const types = ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click', 'auxclick', 'dblclick', 'contextmenu'];
  const state = { decided: false, missed: false };
  let clicked;
  const ended = new Promise((resolve) => (clicked = resolve));
  const disarm = () => {
    types.forEach((type) => removeEventListener(type, guard, true));
    clicked();
  };
  function guard(event) {
    if (!state.decided) {
      state.decided = true;
      state.missed = !el.isConnected || !(event.target === el || el.contains(event.target));
      if (!state.missed) return disarm();
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    // A missed click is swallowed whole: the guard stays until its click has gone by.
    if (event.type === 'click') disarm();
  }
  types.forEach((type) => addEventListener(type, guard, true));
  // Answers once the click has been decided and, when missed, swallowed (or after 500 ms at most).
  window.__tandemClickMissed = async () => {
    if (!state.decided || state.missed) await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 500))]);
    disarm();
    delete window.__tandemClickMissed;
    return state.missed;
  };`;

/** What the page reports about a locator's first element. */
interface Probe {
  count: number;
  visible: boolean;
  enabled: boolean;
}

class BidiLocator implements Locator {
  constructor(
    private readonly page: BidiPage,
    private readonly steps: Step[],
  ) {}

  private with(step: Step): BidiLocator {
    return new BidiLocator(this.page, [...this.steps, step]);
  }
  getByRole(role: string, options: { name?: TextMatch; exact?: boolean } = {}): Locator {
    return this.with({ kind: 'role', role, ...(options.name !== undefined ? { name: text(options.name) } : {}), exact: options.exact ?? false });
  }
  getByLabel(label: TextMatch, options: { exact?: boolean } = {}): Locator {
    return this.with({ kind: 'label', text: text(label), exact: options.exact ?? false });
  }
  getByText(match: TextMatch, options: { exact?: boolean } = {}): Locator {
    return this.with({ kind: 'text', text: text(match), exact: options.exact ?? false });
  }
  getByTestId(id: string): Locator {
    return this.with({ kind: 'testid', id });
  }
  locator(selector: string, options: { hasText?: TextMatch } = {}): Locator {
    const found = this.with({ kind: 'css', selector });
    return options.hasText === undefined ? found : found.filter({ hasText: options.hasText });
  }
  first(): Locator {
    return this.with({ kind: 'nth', index: 0 });
  }
  last(): Locator {
    return this.with({ kind: 'nth', index: -1 });
  }
  nth(index: number): Locator {
    return this.with({ kind: 'nth', index });
  }
  filter(options: { hasText: TextMatch }): Locator {
    return this.with({ kind: 'hasText', text: text(options.hasText) });
  }

  /** JavaScript run in the page with `found` (the matching elements) and `el` (the first) in scope. */
  private script(body: string): string {
    return `(async () => { const found = (${LOCATE})(${JSON.stringify(this.steps)}); const el = found[0]; ${body} })()`;
  }
  private run<T>(body: string): Promise<T> {
    return this.page.raw.evaluate(this.script(body)) as Promise<T>;
  }
  private describe(): string {
    return JSON.stringify(this.steps);
  }

  private probe(): Promise<Probe> {
    return this.run<Probe>(`
      if (!el) return { count: 0, visible: false, enabled: false };
      const box = el.getBoundingClientRect();
      const visible = box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
      const enabled = !(el.disabled || el.closest('fieldset:disabled') || el.getAttribute('aria-disabled') === 'true');
      return { count: found.length, visible, enabled };`);
  }

  /** Waits until the probe satisfies `ready`; more than one match is an error, as in Playwright's strict mode. */
  private async until(ready: (probe: Probe) => boolean, what: string, timeout = TIMEOUT_MS, strict = true): Promise<Probe> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const probe = await this.probe().catch(() => ({ count: 0, visible: false, enabled: false }));
      if (strict && probe.count > 1) throw new Error(`strict mode violation: ${this.describe()} matches ${probe.count} elements`);
      if (ready(probe)) return probe;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${this.describe()} to be ${what} (${JSON.stringify(probe)})`);
      await sleep(POLL_MS);
    }
  }
  private async actionable(): Promise<ElementHandle> {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      await this.until((p) => p.count === 1 && p.visible && p.enabled, 'visible and enabled', Math.max(0, deadline - Date.now()));
      const handle = (await this.page.raw.evaluateHandle(this.script('return el;'))).asElement();
      if (handle) return handle as ElementHandle;
      // Rendered anew between the probe and the lookup (a list that re-renders on every presence update): look again.
      if (Date.now() > deadline) throw new Error(`${this.describe()} is gone`);
      await sleep(POLL_MS);
    }
  }
  private attached(): Promise<Probe> {
    return this.until((p) => p.count === 1, 'attached');
  }

  async click(): Promise<void> {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const handle = await this.actionable();
      // Into view when it is not (puppeteer's own scrollIntoViewIfNeeded is not public).
      // Each step finds the element again: one that was rendered anew in between is looked for once more.
      await this.run(`
        if (!el) return;
        const r = el.getBoundingClientRect();
        if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) el.scrollIntoView({ block: 'center', inline: 'center' });`);
      const point = await handle.clickablePoint().catch(() => null);
      if (!point) {
        await handle.dispose();
        if (Date.now() > deadline) throw new Error(`${this.describe()} kept being replaced before it could be clicked`);
        continue;
      }
      const { x, y } = point;
      // Stable (the same box over two animation frames) and not covered, as Playwright checks.
      const hit = await this.run<string>(`
        if (!el) return 'nothing (it was rendered anew)';
        const box = () => JSON.stringify(el.getBoundingClientRect());
        const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
        const before = box();
        await frame();
        await frame();
        if (box() !== before) return 'it moved';
        const at = document.elementFromPoint(${x}, ${y});
        if (!at || !(at === el || el.contains(at))) return (at?.outerHTML ?? 'nothing').slice(0, 120);
        ${ARM_CLICK_GUARD}
        return '';`);
      if (!hit) {
        // The page can still change between this check and the click (a list re-rendered, a panel
        // grown above the target); like Playwright, a press that lands elsewhere is swallowed and tried again.
        let missed = false;
        try {
          await this.page.raw.mouse.click(x, y);
        } finally {
          await handle.dispose();
          // Always asked, so the guard never outlives its click; a page that navigated away has none (not missed).
          missed = (await this.page.raw.evaluate('window.__tandemClickMissed?.() ?? false').catch(() => false)) === true;
        }
        if (!missed) return;
        if (Date.now() > deadline) throw new Error(`${this.describe()} kept moving away from the click`);
        continue;
      }
      await handle.dispose();
      if (Date.now() > deadline) throw new Error(`${this.describe()} does not get the click at (${x}, ${y}): ${hit} is there`);
      await sleep(POLL_MS);
    }
  }
  async fill(value: string): Promise<void> {
    // As Playwright: the value set through the DOM, with the events typing would fire, once the field is editable.
    await this.retried<true>(
      'editable',
      `
      if (!el || el.readOnly) return false;
      el.focus();
      const proto = el.localName === 'textarea' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
      Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, ${JSON.stringify(value)});
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return true;`,
    );
  }
  /**
   * Runs `body` (which answers false until it has acted) on the actionable element until it acts:
   * an element rendered anew between the wait and the script is looked for again.
   */
  private async retried<T>(what: string, body: string): Promise<T> {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      await (await this.actionable()).dispose();
      const acted = await this.run<T | false>(body);
      if (acted !== false) return acted;
      if (Date.now() > deadline) throw new Error(`timed out after ${TIMEOUT_MS} ms waiting for ${this.describe()} to be ${what}`);
      await sleep(POLL_MS);
    }
  }
  async press(key: string): Promise<void> {
    await this.focus();
    await this.page.keyboard.press(key);
  }
  async focus(): Promise<void> {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      await this.attached();
      if (await this.run<boolean>('if (!el) return false; el.focus(); return true;')) return;
      if (Date.now() > deadline) throw new Error(`${this.describe()} is gone`);
      await sleep(POLL_MS);
    }
  }
  async check(): Promise<void> {
    if (!(await this.run<boolean>('return el?.checked === true;'))) await this.click();
  }
  async uncheck(): Promise<void> {
    if (await this.run<boolean>('return el?.checked === true;')) await this.click();
  }
  async selectOption(value: string): Promise<string[]> {
    // As Playwright: waits for the option too (options often come with a later answer of the server).
    const chosen = await this.retried<string>(
      `a select with an option "${value}"`,
      `
      const option = el && [...el.options].find((o) => o.value === ${JSON.stringify(value)} || o.label === ${JSON.stringify(value)});
      if (!option) return false;
      el.value = option.value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return option.value;`,
    );
    return [chosen];
  }
  async setInputFiles(path: string): Promise<void> {
    await this.attached();
    const handle = (await this.page.raw.evaluateHandle(this.script('return el;'))).asElement();
    // An input element's handle (the tests have no DOM types to say so).
    await (handle as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(path);
    await handle?.dispose();
  }
  async dragTo(target: Locator, options: { targetPosition?: { x: number; y: number } } = {}): Promise<void> {
    // HTML drag and drop, dispatched as the browser would (WebDriver input does not start a native drag session everywhere).
    await this.actionable();
    const to = await target.boundingBox();
    if (!to) throw new Error('the drop target is not on the page');
    const at = options.targetPosition ?? { x: to.width / 2, y: to.height / 2 };
    // The mouse press that starts a drag focuses what it presses (a palette button), as a person's does.
    await this.run(`
      el.focus();
      const data = new DataTransfer();
      const point = { bubbles: true, cancelable: true, dataTransfer: data, clientX: ${to.x + at.x}, clientY: ${to.y + at.y} };
      el.dispatchEvent(new DragEvent('dragstart', { bubbles: true, cancelable: true, dataTransfer: data }));
      const drop = document.elementFromPoint(point.clientX, point.clientY);
      for (const type of ['dragenter', 'dragover', 'drop']) drop.dispatchEvent(new DragEvent(type, point));
      el.dispatchEvent(new DragEvent('dragend', { bubbles: true, dataTransfer: data }));`);
  }
  async waitFor(options: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number } = {}): Promise<void> {
    const state = options.state ?? 'visible';
    const ready: Record<typeof state, (p: Probe) => boolean> = {
      attached: (p) => p.count > 0,
      detached: (p) => p.count === 0,
      visible: (p) => p.count > 0 && p.visible,
      hidden: (p) => p.count === 0 || !p.visible,
    };
    await this.until(ready[state], state, options.timeout, state === 'attached' || state === 'visible');
  }
  count(): Promise<number> {
    return this.run('return found.length;');
  }
  async textContent(): Promise<string | null> {
    await this.attached();
    return this.run('return el.textContent;');
  }
  allTextContents(): Promise<string[]> {
    return this.run('return found.map((e) => e.textContent ?? "");');
  }
  async evaluate<T>(fn: string): Promise<T> {
    await this.attached();
    return this.run(`return (${fn})(el);`);
  }
  async getAttribute(name: string): Promise<string | null> {
    await this.attached();
    return this.run(`return el.getAttribute(${JSON.stringify(name)});`);
  }
  async inputValue(): Promise<string> {
    await this.attached();
    return this.run('return el.value;');
  }
  async isDisabled(): Promise<boolean> {
    return !(await this.attached()).enabled;
  }
  async isVisible(): Promise<boolean> {
    return (await this.probe()).visible;
  }
  async boundingBox(): Promise<Box | null> {
    await this.attached();
    return this.run('if (!el) return null; const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height };');
  }
}

/** Playwright's "Shift+Tab" spelling: modifiers held around the key. */
async function pressChord(page: PuppeteerPage, chord: string): Promise<void> {
  const keys = chord.split('+').map((key) => (key === 'Control' || key === 'ControlOrMeta' ? 'Control' : key)) as KeyInput[];
  const key = keys.pop()!;
  for (const modifier of keys) await page.keyboard.down(modifier);
  await page.keyboard.press(key);
  for (const modifier of keys.reverse()) await page.keyboard.up(modifier);
}

class BidiPage implements Page {
  private viewport: { width: number; height: number };
  constructor(
    readonly raw: PuppeteerPage,
    private readonly baseURL: string,
    viewport: { width: number; height: number },
  ) {
    this.viewport = viewport;
  }
  private root(): BidiLocator {
    return new BidiLocator(this, []);
  }
  getByRole(role: string, options?: { name?: TextMatch; exact?: boolean }): Locator {
    return this.root().getByRole(role, options);
  }
  getByLabel(label: TextMatch, options?: { exact?: boolean }): Locator {
    return this.root().getByLabel(label, options);
  }
  getByText(match: TextMatch, options?: { exact?: boolean }): Locator {
    return this.root().getByText(match, options);
  }
  getByTestId(id: string): Locator {
    return this.root().getByTestId(id);
  }
  locator(selector: string, options?: { hasText?: TextMatch }): Locator {
    return this.root().locator(selector, options);
  }

  goto(path: string): Promise<unknown> {
    return this.raw.goto(new URL(path, this.baseURL).href);
  }
  reload(): Promise<unknown> {
    return this.raw.reload();
  }
  goBack(): Promise<unknown> {
    return this.raw.goBack();
  }
  url(): string {
    return this.raw.url();
  }
  title(): Promise<string> {
    return this.raw.title();
  }
  async waitForURL(url: string | RegExp | ((url: URL) => boolean)): Promise<void> {
    const test = (href: string) =>
      typeof url === 'string' ? href === new URL(url, this.baseURL).href : url instanceof RegExp ? url.test(href) : url(new URL(href));
    const deadline = Date.now() + TIMEOUT_MS;
    while (!test(this.raw.url())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for the URL ${String(url)}; at ${this.raw.url()}`);
      await sleep(POLL_MS);
    }
  }
  evaluate<T>(expression: string): Promise<T> {
    return this.raw.evaluate(expression) as Promise<T>;
  }
  readonly keyboard = {
    press: (key: string) => pressChord(this.raw, key),
    type: (value: string) => this.raw.keyboard.type(value),
  };
  readonly mouse = {
    // WebDriver refuses a pointer outside the viewport (Playwright's Chromium lets it go there): a
    // drag past the window's edge stops at the edge, where the page sees it anyway.
    move: (x: number, y: number, options?: { steps?: number }) =>
      this.raw.mouse.move(Math.min(Math.max(x, 0), this.viewport.width - 1), Math.min(Math.max(y, 0), this.viewport.height - 1), options),
    down: () => this.raw.mouse.down(),
    up: () => this.raw.mouse.up(),
  };
  async setViewportSize(size: { width: number; height: number }): Promise<void> {
    this.viewport = size;
    await this.raw.setViewport(size);
  }
  viewportSize(): { width: number; height: number } {
    return this.viewport;
  }
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown> {
    return this.raw.screenshot({ path: options.path as `${string}.png`, fullPage: options.fullPage ?? false });
  }
  once(_event: 'dialog', handler: (dialog: { accept(): Promise<void> }) => void): unknown {
    return this.raw.once('dialog', (dialog) => handler({ accept: () => dialog.accept() }));
  }
  /** Set once close() is called (puppeteer's isClosed() only turns when the browser has reported it). */
  closed = false;
  close(): Promise<void> {
    this.closed = true;
    return this.raw.close();
  }
}

class BidiContext implements Context {
  readonly pages: BidiPage[] = [];
  private offline = false;
  constructor(
    private readonly context: BrowserContext,
    private readonly baseURL: string,
    private readonly viewport: { width: number; height: number },
  ) {}
  async newPage(): Promise<BidiPage> {
    // A window of its own, not a tab: each person's page stays visible (a background tab's timers
    // and rendering are throttled, which no person at their own computer sees).
    const raw = await this.context.newPage({ type: 'window' });
    raw.setDefaultTimeout(TIMEOUT_MS);
    await raw.setViewport(this.viewport);
    // Offline is the profile's state, as in Playwright: a page opened meanwhile is offline too.
    if (this.offline) await raw.setOfflineMode(true);
    const page = new BidiPage(raw, this.baseURL, this.viewport);
    this.pages.push(page);
    return page;
  }
  async setOffline(offline: boolean): Promise<void> {
    this.offline = offline;
    for (const page of this.pages) if (!page.closed && !page.raw.isClosed()) await page.raw.setOfflineMode(offline);
  }
  // Firefox has no clipboard permissions to grant: writing needs the click that asks for it, as
  // in every browser, and reading back (which would show a "Paste" prompt) is let through by a
  // testing preference set at launch (see launchFirefox).
  async grantPermissions(): Promise<void> {}
  close(): Promise<void> {
    return this.context.close();
  }
}

export interface BidiFirefox {
  newContext(baseURL: string, viewport: { width: number; height: number }): Promise<BidiContext>;
  close(): Promise<void>;
}

export function firefoxPath(): string {
  return process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
}

/** Starts a headless Firefox ESR over WebDriver BiDi; downloads land in `downloadDir` without asking. */
export async function launchFirefox(downloadDir: string): Promise<BidiFirefox> {
  const browser: Browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: firefoxPath(),
    headless: true,
    extraPrefsFirefox: {
      'browser.download.folderList': 2,
      'browser.download.dir': downloadDir,
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
      'browser.helperApps.neverAsk.saveToDisk': 'application/json',
      // navigator.clipboard.readText() without the paste prompt, so a test reads what "Copy…" wrote.
      'dom.events.testing.asyncClipboard': true,
    },
  });
  return {
    async newContext(baseURL, viewport) {
      return new BidiContext(await browser.createBrowserContext(), baseURL, viewport);
    },
    close: () => browser.close(),
  };
}
