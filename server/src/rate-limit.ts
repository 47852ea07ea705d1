import { apiError } from './errors.js';

/**
 * A fixed-window counter per key (in memory, per server): enough to slow password guessing
 * and sign-up floods. Several servers each apply it, so the real bound is per instance.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one attempt for `key`; throws RATE_LIMITED when the window's limit is spent. */
  take(key: string, what: string): void {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      if (this.windows.size >= this.maxKeys) this.evictExpired(now);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count++;
    if (window.count > this.limit) {
      const retryAfterMs = window.start + this.windowMs - now;
      throw apiError('RATE_LIMITED', `too many ${what}; try again in ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs });
    }
  }

  private evictExpired(now: number): void {
    for (const [key, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(key);
    if (this.windows.size >= this.maxKeys) this.windows.clear();
  }
}
