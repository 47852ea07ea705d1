import { describe, expect, it } from 'vitest';
import { EXECUTION_EVENT_TYPES, FINAL_STATUSES, runErrorOf, statusAfter, statusAnnouncedBy, TERMINAL_EVENT_TYPES } from '../src/index.js';

describe('execution status', () => {
  it('moves a run by its terminal event or the live status an event carries', () => {
    expect(statusAnnouncedBy({ type: 'EXECUTION_COMPLETED' })).toBe('COMPLETED');
    expect(statusAnnouncedBy({ type: 'EXECUTION_FAILED', data: { error: {} } })).toBe('FAILED');
    expect(statusAnnouncedBy({ type: 'EXECUTION_CANCELLED', data: {} })).toBe('CANCELLED');
    expect(statusAnnouncedBy({ type: 'STEP_WAITING', data: { status: 'WAITING' } })).toBe('WAITING');
    expect(statusAnnouncedBy({ type: 'EXECUTION_PAUSED', data: { status: 'PAUSED' } })).toBe('PAUSED');
    // Only live statuses count in data.status: an event cannot end a run by saying so.
    expect(statusAnnouncedBy({ type: 'STEP_COMPLETED', data: { status: 'COMPLETED' } })).toBeUndefined();
    expect(statusAnnouncedBy({ type: 'STEP_COMPLETED', data: {} })).toBeUndefined();
  });

  it('never moves a run that has ended', () => {
    expect(statusAfter('RUNNING', { type: 'STEP_WAITING', data: { status: 'WAITING' } })).toBe('WAITING');
    expect(statusAfter('WAITING', { type: 'STEP_STARTED', data: {} })).toBe('WAITING');
    expect(statusAfter(null, { type: 'EXECUTION_STARTED', data: {} })).toBeNull();
    expect(statusAfter('CANCELLED', { type: 'EXECUTION_FAILED', data: {} })).toBe('CANCELLED');
    expect(statusAfter('FAILED', { type: 'EXECUTION_RESUMED', data: { status: 'RUNNING' } })).toBe('FAILED');
  });

  it('has exactly one final status per terminal event, plus TIMED_OUT from Temporal', () => {
    const ends = EXECUTION_EVENT_TYPES.filter((type) => TERMINAL_EVENT_TYPES.has(type)).map((type) => statusAnnouncedBy({ type }));
    expect(new Set([...ends, 'TIMED_OUT'])).toEqual(FINAL_STATUSES);
  });
});

describe("a run's error", () => {
  it("names the failed node from the failure's details, with the run's message", () => {
    const details = [{ nodeId: 'reject', nodeType: 'fail', message: 'too small', cause: { type: 'FailNode', message: 'too small' } }];
    expect(runErrorOf({ message: 'node "reject" (fail) failed: too small', details })).toEqual({
      message: 'node "reject" (fail) failed: too small',
      nodeId: 'reject',
      nodeType: 'fail',
      cause: { type: 'FailNode', message: 'too small' },
    });
  });

  it('is only a message for a failure outside any node', () => {
    expect(runErrorOf({ message: 'boom' })).toEqual({ message: 'boom' });
    expect(runErrorOf({ message: 'boom', details: [] })).toEqual({ message: 'boom' });
    expect(runErrorOf({ message: 'boom', details: ['not step details'] })).toEqual({ message: 'boom' });
  });
});
