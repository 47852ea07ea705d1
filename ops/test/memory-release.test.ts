import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { afterInterval, MEMORY_RELEASE_DEFAULTS } from '../src/memory-release.js';

const MiB = 1024 * 1024;
const quietAfterBurst = { busySinceCollection: true };
const quietAll = { busySinceCollection: false };

describe('afterInterval', () => {
  it('does not collect while the thread is busy, and remembers the burst', () => {
    expect(afterInterval(quietAll, 0.6, 500 * MiB)).toEqual({ collect: false, busySinceCollection: true });
  });

  it('collects once when a busy thread has gone quiet with heap to give back', () => {
    const first = afterInterval(quietAfterBurst, 0.01, 100 * MiB);
    expect(first).toEqual({ collect: true, busySinceCollection: false });
    expect(afterInterval({ busySinceCollection: first.busySinceCollection }, 0.01, 100 * MiB).collect).toBe(false);
  });

  it('does not collect a quiet thread that was never busy, nor one with little unused heap', () => {
    expect(afterInterval(quietAll, 0.01, 300 * MiB).collect).toBe(false);
    expect(afterInterval(quietAfterBurst, 0.01, MEMORY_RELEASE_DEFAULTS.minSlackBytes - 1).collect).toBe(false);
  });
});

describe('the full collection', () => {
  it('gives back the heap a burst grew, without --expose-gc on the command line', () => {
    // A child process, so the flag it sets does not reach this test runner.
    const script = `
      const { releaseMemoryWhenIdle } = await import(${JSON.stringify(new URL('../src/memory-release.ts', import.meta.url).href)});
      releaseMemoryWhenIdle({ intervalMs: 200 });
      // A burst that blocks the event loop (busy), then leaves its heap behind as garbage.
      let kept = [];
      for (let round = 0; round < 40; round++) {
        kept.push(Array.from({ length: 100_000 }, (_, n) => ({ n, s: 'x' + n })));
        if (kept.length > 8) kept.shift();
      }
      kept = [];
      const grown = process.memoryUsage().heapTotal;
      setTimeout(() => console.log(JSON.stringify({ grown, after: process.memoryUsage().heapTotal })), 1_500);
    `;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const { grown, after } = JSON.parse(output) as { grown: number; after: number };
    expect(grown).toBeGreaterThan(64 * MiB);
    expect(after).toBeLessThan(grown / 2);
  });
});
