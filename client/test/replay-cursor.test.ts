import { describe, expect, it } from 'vitest';
import type { ReplayEvent } from '@tandem/schema';
import {
  BASE_EVENT_MS,
  FOLLOWING,
  REAL_TIME_MAX_WAIT_MS,
  firstFailure,
  holdAt,
  nextFailure,
  nextStepOf,
  playbackDelay,
  positionOfSequence,
  resolve,
  sequenceAt,
  shiftSpeed,
} from '../src/runs/cursor';
import { parseMoment } from '../src/runs/url-state';
import { changedPaths, childPath } from '../src/runs/json-paths';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const events: ReplayEvent[] = [
  ['EXECUTION_STARTED', null, 0],
  ['STEP_STARTED', 'a', 10],
  ['STEP_COMPLETED', 'a', 20],
  ['STEP_STARTED', 'call', 30],
  ['STEP_RETRYING', 'call', 1030],
  ['STEP_FAILED', 'call', 61_030],
  ['STEP_STARTED', 'a', 61_040],
  ['EXECUTION_FAILED', null, 61_050],
].map(([type, nodeId, ms], i) => ({
  sequence: (i + 1) * 10,
  type: type as string,
  nodeId: nodeId as string | null,
  at: new Date(T0 + (ms as number)).toISOString(),
}));

describe('replay cursor', () => {
  it('follows the live end until moved, then holds its place as events arrive', () => {
    const early = events.slice(0, 5);
    expect(resolve(FOLLOWING, early)).toBe(5);
    expect(resolve(FOLLOWING, events)).toBe(8);
    const held = holdAt(3, early);
    expect(held).toEqual({ following: false, sequence: 30 });
    expect(resolve(held, events)).toBe(3);
    expect(resolve(holdAt(99, early), events)).toBe(5);
    expect(resolve(holdAt(-4, early), events)).toBe(0);
    // A link's moment past the events loaded so far: the cursor waits at the last one, then gets there.
    expect(resolve({ following: false, sequence: 70 }, early)).toBe(5);
    expect(resolve({ following: false, sequence: 70 }, events)).toBe(7);
  });

  it('jumps to the next failure and to the next step of a node', () => {
    expect(firstFailure(events)).toBe(5);
    expect(nextFailure(events, 5)).toBe(6);
    expect(nextFailure(events, 6)).toBe(8);
    expect(nextFailure(events, 8)).toBeNull();
    expect(nextStepOf(events, 0, 'a')).toBe(2);
    expect(nextStepOf(events, 2, 'a')).toBe(7);
    expect(nextStepOf(events, 7, 'a')).toBeNull();
    expect(firstFailure(events.slice(0, 3))).toBeNull();
  });

  it('turns sequences into positions and back (links name sequences)', () => {
    expect(positionOfSequence(events, 0)).toBe(0);
    expect(positionOfSequence(events, 30)).toBe(3);
    expect(positionOfSequence(events, 35)).toBe(3);
    expect(positionOfSequence(events, 1000)).toBe(8);
    expect(sequenceAt(events, 3)).toBe(30);
    expect(sequenceAt(events, 0)).toBe(0);
  });

  it('plays evenly at a fixed speed and as the run did in real time, capped', () => {
    expect(playbackDelay(events, 1, 1)).toBe(BASE_EVENT_MS);
    expect(playbackDelay(events, 1, 16)).toBe(BASE_EVENT_MS / 16);
    expect(playbackDelay(events, 1, 0.5)).toBe(BASE_EVENT_MS * 2);
    expect(playbackDelay(events, 4, 'real')).toBe(1000);
    expect(playbackDelay(events, 5, 'real')).toBe(REAL_TIME_MAX_WAIT_MS);
    expect(playbackDelay(events, 0, 'real')).toBe(0);
    expect(playbackDelay(events, 8, 2)).toBeNull();
    expect(shiftSpeed(1, 1)).toBe(2);
    expect(shiftSpeed(16, 1)).toBe('real');
    expect(shiftSpeed('real', 1)).toBe('real');
    expect(shiftSpeed(0.5, -1)).toBe(0.5);
  });
});

describe('replay links and value changes', () => {
  it('reads ?at= and ?node= strictly and names what is wrong', () => {
    expect(parseMoment({ at: '42', node: 'call' })).toEqual({ moment: { at: 42, node: 'call' } });
    expect(parseMoment({})).toEqual({ moment: {} });
    const bad = parseMoment({ at: '-1', node: '<script>' });
    expect(bad.moment).toEqual({});
    expect(bad.problem).toContain('"at=-1" is not an event number');
    expect(bad.problem).toContain('is not a node id');
  });

  it('names the paths that changed between two values, with their ancestors, quoting odd names', () => {
    expect(childPath('vars', 'total')).toBe('vars.total');
    expect(childPath('vars', 'a b')).toBe('vars.`a b`');
    expect(childPath('output.items', 2)).toBe('output.items[2]');
    const changed = changedPaths({ total: 1, items: [1, 2], same: { x: 1 } }, { total: 2, items: [1, 2, 3], same: { x: 1 }, added: true }, 'vars');
    expect([...changed].sort()).toEqual(['vars', 'vars.added', 'vars.items', 'vars.items[2]', 'vars.total']);
    expect(changedPaths({ a: 1 }, { a: 1 }, 'vars').size).toBe(0);
  });
});
