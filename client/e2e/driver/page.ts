/**
 * The browser-driver seam of the end-to-end tests: the part of Playwright's Page and Locator the
 * tests use. Chromium runs on playwright-core, whose objects have this shape already; Firefox runs
 * on puppeteer-core over WebDriver BiDi (bidi-page.ts), which implements it with the same meaning.
 * A test written against these types runs unchanged in both browsers.
 */
export type BrowserName = 'chromium' | 'firefox';

export type TextMatch = string | RegExp;
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
type WaitState = 'attached' | 'detached' | 'visible' | 'hidden';

export interface Locate {
  /** An element by ARIA role and accessible name (a string matches a part, case-insensitively, unless exact). */
  getByRole(role: string, options?: { name?: TextMatch; exact?: boolean }): Locator;
  /** A form control by its label (label element, aria-label or aria-labelledby). */
  getByLabel(text: TextMatch, options?: { exact?: boolean }): Locator;
  /** The innermost elements whose text matches. */
  getByText(text: TextMatch, options?: { exact?: boolean }): Locator;
  getByTestId(id: string): Locator;
  locator(selector: string, options?: { hasText?: TextMatch }): Locator;
}

export interface Locator extends Locate {
  first(): Locator;
  last(): Locator;
  nth(index: number): Locator;
  filter(options: { hasText: TextMatch }): Locator;
  /** Actions wait until exactly one element matches and is visible (and enabled, to act on it). */
  click(): Promise<void>;
  fill(value: string): Promise<void>;
  press(key: string): Promise<void>;
  focus(): Promise<void>;
  check(): Promise<void>;
  uncheck(): Promise<void>;
  selectOption(value: string): Promise<string[]>;
  setInputFiles(path: string): Promise<void>;
  dragTo(target: Locator, options?: { targetPosition?: { x: number; y: number } }): Promise<void>;
  waitFor(options?: { state?: WaitState; timeout?: number }): Promise<void>;
  count(): Promise<number>;
  textContent(): Promise<string | null>;
  allTextContents(): Promise<string[]>;
  /** Calls a function, given as its source text (the tests have no DOM types), with the element. */
  evaluate<T>(fn: string): Promise<T>;
  getAttribute(name: string): Promise<string | null>;
  inputValue(): Promise<string>;
  isDisabled(): Promise<boolean>;
  isVisible(): Promise<boolean>;
  boundingBox(): Promise<Box | null>;
}

export interface Page extends Locate {
  goto(path: string): Promise<unknown>;
  reload(): Promise<unknown>;
  goBack(): Promise<unknown>;
  url(): string;
  title(): Promise<string>;
  waitForURL(url: string | RegExp | ((url: URL) => boolean)): Promise<void>;
  /** Evaluates a JavaScript expression in the page (a string: the tests have no DOM types). */
  evaluate<T>(expression: string): Promise<T>;
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void> };
  mouse: { move(x: number, y: number, options?: { steps?: number }): Promise<void>; down(): Promise<void>; up(): Promise<void> };
  setViewportSize(size: { width: number; height: number }): Promise<void>;
  viewportSize(): { width: number; height: number } | null;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  /** Accepts the next window.confirm/alert the page opens. */
  once(event: 'dialog', handler: (dialog: { accept(): Promise<void> }) => void): unknown;
  close(): Promise<void>;
}

/** One person's browser profile (its own storage). */
export interface Context {
  newPage(): Promise<Page>;
  setOffline(offline: boolean): Promise<void>;
  /** Lets the pages of this profile read and write the clipboard (a test of "Copy …" buttons reads it back). */
  grantPermissions(permissions: Array<'clipboard-read' | 'clipboard-write'>): Promise<void>;
  close(): Promise<void>;
}

/** The browser the e2e tests drive: `TANDEM_E2E_BROWSER` (set per vitest project), Chromium by default. */
export function e2eBrowser(): BrowserName {
  const name = process.env.TANDEM_E2E_BROWSER ?? 'chromium';
  if (name !== 'chromium' && name !== 'firefox') throw new Error(`TANDEM_E2E_BROWSER must be chromium or firefox, not "${name}"`);
  return name;
}
