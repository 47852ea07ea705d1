import { describe, expect, it } from 'vitest';
import { problemsByParameter } from '../src/templates/parameter-problems';

describe('template parameter problems', () => {
  it('sorts the API problems by the parameter they name', () => {
    const problem = (message: string) => ({ path: 'parameters', message });
    const { byName, rest } = problemsByParameter(
      [
        problem('parameter "approvers" is required'),
        problem('parameter "cron": cron must have five fields (minute hour day month weekday) or be a macro like @daily'),
        problem('parameter "timeoutMs" must be a number'),
        problem('unknown parameter "colour"'),
        problem('something else'),
      ],
      ['approvers', 'cron', 'timeoutMs'],
    );
    expect(Object.fromEntries(byName)).toEqual({
      approvers: ['Parameter "approvers" is required'],
      cron: ['Cron must have five fields (minute hour day month weekday) or be a macro like @daily'],
      timeoutMs: ['Parameter "timeoutMs" must be a number'],
    });
    expect(rest.map((p) => p.message)).toEqual(['unknown parameter "colour"', 'something else']);
  });
});
