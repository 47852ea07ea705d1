import { describe, expect, it } from 'vitest';
import {
  compileWorkflow,
  isSecretName,
  secretNameProblem,
  secretNamesOfPlan,
  secretPlaceholder,
  secretPlaceholders,
  secretPlaceholdersIn,
  secretReferences,
  validateWorkflow,
} from '@tandem/schema';
import { output, trigger, workflow } from './helpers.js';

const NONCE = 'nonce-0123456789';

describe('secret names', () => {
  it('are letters, digits and _, not starting with a digit, at most 64', () => {
    for (const name of ['API_TOKEN', 'a', '_x', 'Token2', 'A'.repeat(64)]) expect(isSecretName(name)).toBe(true);
    for (const name of ['', '2FA', 'my-key', 'a b', 'A'.repeat(65), '__proto__', 'constructor', 'é']) expect(isSecretName(name)).toBe(false);
    expect(secretNameProblem('my-key')).toContain('letters, digits');
    expect(secretNameProblem('A'.repeat(65))).toContain('64');
  });
});

describe('secret references', () => {
  it('finds secrets.NAME in expression text, not a node called secrets', () => {
    expect(secretReferences("'Bearer ' & secrets.API_TOKEN & secrets.`B`").map((r) => r.name)).toEqual(['API_TOKEN', 'B']);
    expect(secretReferences('nodes.secrets.x & $secrets.y')).toEqual([]);
  });

  it('a plan answers for the names it writes and the text params that are names', () => {
    const doc = {
      ...workflow(
        [
          trigger(),
          {
            id: 'call',
            type: 'http.request',
            config: { url: 'https://example.com/{{ secrets.PATH_KEY }}', headers: { authorization: 'Bearer {{ secrets.API_TOKEN }}' } },
          },
          output('out', 'nodes.call'),
        ],
        [
          ['e1', 'start', 'call'],
          ['e2', 'call', 'out'],
        ],
      ),
      params: { token: 'OTHER_TOKEN', count: 3, text: 'not a name!' },
    };
    const compiled = compileWorkflow(doc);
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    expect(secretNamesOfPlan(compiled.plan)).toEqual(['API_TOKEN', 'OTHER_TOKEN', 'PATH_KEY']);
    expect(secretPlaceholders(['API_TOKEN'], NONCE)).toEqual({ API_TOKEN: secretPlaceholder('API_TOKEN', NONCE) });
  });

  it('validation flags a reference no secret can answer, and only that', () => {
    const doc = workflow(
      [
        trigger(),
        { id: 'call', type: 'http.request', config: { url: 'https://example.com/', headers: { a: '{{ secrets.`my-key` }}', b: '{{ secrets.FINE }}' } } },
      ],
      [['e1', 'start', 'call']],
    );
    const result = validateWorkflow(doc);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'invalid_secret_reference',
        nodeId: 'call',
        path: 'nodes[1].config.headers.a',
        message: expect.stringContaining('secrets.my-key'),
      }),
    ]);
  });
});

describe('placeholders', () => {
  it('are found with their run nonce only, in values and keys', () => {
    const mine = secretPlaceholder('A', NONCE);
    const other = secretPlaceholder('B', 'other-nonce-0000');
    expect([...secretPlaceholdersIn({ x: [`Bearer ${mine}`], [secretPlaceholder('C', NONCE)]: other }, NONCE)].sort()).toEqual(['A', 'C']);
  });
});
