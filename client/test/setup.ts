import { cleanup } from '@solidjs/testing-library';
import { afterEach } from 'vitest';

// jsdom lacks a few browser APIs the client uses.
class NoopResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
globalThis.ResizeObserver ??= NoopResizeObserver as unknown as typeof ResizeObserver;
globalThis.requestAnimationFrame ??= ((callback: FrameRequestCallback) =>
  setTimeout(() => callback(performance.now()), 0)) as unknown as typeof requestAnimationFrame;
globalThis.cancelAnimationFrame ??= ((id: number) => clearTimeout(id)) as typeof cancelAnimationFrame;

// Unmount what each test rendered (auto-cleanup needs vitest globals, which this suite does not use).
afterEach(() => cleanup());
