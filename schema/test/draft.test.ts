import { describe, expect, it } from 'vitest';
import { checkDraft } from '@tandem/schema';
import { sumExample } from './helpers.js';

describe('checkDraft', () => {
  it('accepts an incomplete draft and returns what a deploy would refuse', () => {
    const draft = {
      ...sumExample(),
      name: '',
      nodes: [...(sumExample().nodes as object[]), { id: 'loose', type: 'transform', position: { x: 0, y: 0 }, config: { expression: '' } }],
    };
    const result = checkDraft(draft);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.definition.nodes.map((n) => n.id)).toEqual(['start', 'add', 'out', 'loose']);
    expect(result.definition.params).toEqual({});
    expect(result.problems.map((p) => [p.code, p.nodeId ?? p.path])).toEqual(expect.arrayContaining([['unreachable', 'loose']]));
    expect(result.problems.some((p) => p.path === 'name')).toBe(true);
  });

  it('refuses a malformed document with only its shape problems, naming the node', () => {
    const bad = {
      ...sumExample(),
      nodes: [
        { id: 'add', type: 'transform', config: {} },
        { id: 'out', type: 'output', position: { x: 0, y: 0 } },
      ],
    };
    const result = checkDraft(bad);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => [p.code, p.nodeId, p.path])).toEqual([['invalid_node', 'add', 'nodes[0].position']]);
    expect(result.problems[0]!.message).toMatch(/^node "add": /);
    const twice = {
      ...sumExample(),
      nodes: [
        { id: 'a', type: 'output', position: { x: 0, y: 0 } },
        { id: 'a', type: 'output', position: { x: 0, y: 0 } },
      ],
      edges: [],
    };
    expect(checkDraft(twice).problems.map((p) => [p.code, p.nodeId])).toEqual([['duplicate_id', 'a']]);
    expect(checkDraft([]).ok).toBe(false);
    expect(checkDraft({ ...sumExample(), format: 'other' }).ok).toBe(false);
  });
});
