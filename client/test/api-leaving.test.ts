import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, gql } from '../src/lib/api.js';

const settledWithin = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    new Promise((resolve) => setTimeout(() => resolve('pending'), ms)),
  ]);

describe('gql when Tandem cannot be reached', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    window.dispatchEvent(new Event('pageshow'));
  });

  it('fails with a NETWORK error that says so while the page is in use', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('NetworkError when attempting to fetch resource.')));
    const error = await gql('{ me { id } }').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('NETWORK');
    expect((error as ApiError).message).toMatch(/cannot be reached/);
  });

  it('never settles a request the page’s own navigation aborted (no uncaught error while leaving)', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('NetworkError when attempting to fetch resource.')));
    window.dispatchEvent(new Event('pagehide'));
    expect(await settledWithin(gql('{ me { id } }'), 50)).toBe('pending');
    // Restored from the back-forward cache: failures are reported again.
    window.dispatchEvent(new Event('pageshow'));
    expect(await settledWithin(gql('{ me { id } }'), 50)).toMatchObject({ error: expect.any(ApiError) });
  });
});
