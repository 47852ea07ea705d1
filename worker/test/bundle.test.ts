import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bundleIsCurrent } from '../src/bundle.js';

describe('the prebuilt workflow bundle', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function files(): { bundle: string; sources: string; touch: (path: string, secondsAgo: number) => void } {
    dir = mkdtempSync(join(tmpdir(), 'tandem-bundle-'));
    const sources = join(dir, 'workflows');
    mkdirSync(join(sources, 'nodes'), { recursive: true });
    const touch = (path: string, secondsAgo: number) => {
      writeFileSync(path, '');
      const at = new Date(Date.now() - secondsAgo * 1000);
      utimesSync(path, at, at);
    };
    return { bundle: join(dir, 'workflow-bundle.js'), sources, touch };
  }

  it('is used when no module it was made from changed since', () => {
    const { bundle, sources, touch } = files();
    touch(join(sources, 'index.js'), 60);
    touch(join(sources, 'nodes', 'set.js'), 50);
    touch(bundle, 10);
    expect(bundleIsCurrent(bundle, [sources])).toBe(true);
  });

  it('is stale once a module is rebuilt after it, however deep (npm run dev recompiles in place)', () => {
    const { bundle, sources, touch } = files();
    touch(join(sources, 'index.js'), 60);
    touch(bundle, 10);
    touch(join(sources, 'nodes', 'set.js'), 1);
    expect(bundleIsCurrent(bundle, [sources])).toBe(false);
  });

  it('is not used when it was never built', () => {
    const { bundle, sources, touch } = files();
    touch(join(sources, 'index.js'), 60);
    expect(bundleIsCurrent(bundle, [sources])).toBe(false);
  });

  it('ignores files that are not modules (declarations and maps are rewritten by every build)', () => {
    const { bundle, sources, touch } = files();
    touch(join(sources, 'index.js'), 60);
    touch(bundle, 10);
    touch(join(sources, 'index.js.map'), 1);
    expect(bundleIsCurrent(bundle, [sources])).toBe(true);
  });
});
