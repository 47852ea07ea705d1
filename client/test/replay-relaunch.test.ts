import { describe, expect, it } from 'vitest';
import { versionChoices } from '../src/runs/run-relaunch';

describe('retry and run again: the versions offered', () => {
  it("offers the run's version and every newer one, newest first, never an older one", () => {
    const deployed = [
      { number: 1, message: 'first' },
      { number: 3, message: 'Fix the charge URL' },
      { number: 2, message: '' },
    ];
    expect(versionChoices(2, deployed)).toEqual([
      { number: 3, label: 'v3 (newest) “Fix the charge URL”' },
      { number: 2, label: "v2 (this run's)" },
    ]);
  });

  it("names the run's own version once when it is the newest", () => {
    expect(versionChoices(1, [{ number: 1, message: 'first' }])).toEqual([{ number: 1, label: "v1 (this run's) “first”" }]);
  });

  it("still offers the run's version when the list does not hold it, and cuts long messages", () => {
    const long = 'x'.repeat(60);
    expect(versionChoices(4, [{ number: 5, message: long }])).toEqual([
      { number: 5, label: `v5 (newest) “${'x'.repeat(39)}…”` },
      { number: 4, label: "v4 (this run's)" },
    ]);
  });
});
