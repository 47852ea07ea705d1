import type { Page } from 'playwright-core';

/** Starts recording `requestAnimationFrame` intervals in the page. */
export async function recordFrames(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__recording = true;
    let previous = performance.now();
    const tick = (now) => {
      window.__frames.push(now - previous);
      previous = now;
      if (window.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
}

/** Stops recording; the frame intervals in milliseconds (the first, partial one dropped). */
export async function stopFrames(page: Page): Promise<number[]> {
  return page.evaluate<number[]>(`(() => {
    window.__recording = false;
    return window.__frames.slice(1);
  })()`);
}
