import { describe, expect, it } from 'vitest';
import { draftsFromParams, parameterInputs, parseDefault } from '../src/templates/parameters';

describe('template parameters being saved', () => {
  it('starts from the workflow params, their values as defaults', () => {
    const drafts = draftsFromParams({ greeting: 'Hello', times: 2, loud: false, approvers: ['grace'] });
    expect(drafts.map((d) => [d.name, d.type, d.defaultText])).toEqual([
      ['greeting', 'string', 'Hello'],
      ['times', 'number', '2'],
      ['loud', 'boolean', 'false'],
      ['approvers', 'json', '["grace"]'],
    ]);
    expect(parameterInputs(drafts)).toEqual([
      { name: 'greeting', type: 'string', required: false, description: '', default: 'Hello' },
      { name: 'times', type: 'number', required: false, description: '', default: 2 },
      { name: 'loud', type: 'boolean', required: false, description: '', default: false },
      { name: 'approvers', type: 'json', required: false, description: '', default: ['grace'] },
    ]);
  });

  it('checks defaults against the type; empty is no default; left-out rows are not sent', () => {
    expect(parseDefault('number', '1.5')).toEqual({ ok: true, value: 1.5 });
    expect(parseDefault('number', 'ten')).toEqual({ ok: false, error: 'The default must be a number.' });
    expect(parseDefault('number', '')).toEqual({ ok: true, value: null });
    expect(parseDefault('boolean', 'yes').ok).toBe(false);
    expect(parseDefault('json', '{"a":').ok).toBe(false);
    expect(parseDefault('json', '')).toEqual({ ok: true, value: null });
    expect(parseDefault('secret', 'SLACK_TOKEN')).toEqual({ ok: true, value: 'SLACK_TOKEN' });
    expect(parseDefault('string', '')).toEqual({ ok: true, value: null });
    const drafts = draftsFromParams({ a: 1, b: 'x' });
    expect(parameterInputs([{ ...drafts[0]!, defaultText: 'one' }, drafts[1]!])).toBeNull();
    expect(
      parameterInputs([
        { ...drafts[0]!, include: false, defaultText: 'one' },
        { ...drafts[1]!, required: true, description: ' Who ' },
      ]),
    ).toEqual([{ name: 'b', type: 'string', required: true, description: 'Who', default: 'x' }]);
  });
});
