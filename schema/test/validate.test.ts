import { describe, it, expect } from 'vitest';
import { compileWorkflow, validateWorkflow, type Problem } from '@tandem/schema';
import { output, sumExample, summarize, transform, trigger, workflow } from './helpers.js';

function problemsOf(document: unknown): Problem[] {
  const result = validateWorkflow(document);
  expect(result.ok).toBe(false);
  return result.problems;
}

describe('validateWorkflow: valid documents', () => {
  it('accepts the design brief\'s "Sum" example and fills defaults', () => {
    const result = validateWorkflow(sumExample());
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.definition.name).toBe('Sum');
    expect(result.definition.params).toEqual({});
    expect(result.definition.nodes.map((n) => n.id)).toEqual(['start', 'add', 'out']);
    expect(result.definition.edges).toEqual([
      { id: 'e1', source: 'start', target: 'add' },
      { id: 'e2', source: 'add', target: 'out' },
    ]);
  });

  it('accepts a cycle that passes through a loop node', () => {
    const doc = workflow(
      [trigger(), { id: 'each', type: 'loop', config: { mode: 'forEach', expression: 'input.items' } }, transform('step', 'loop.item * 2'), output()],
      [
        ['e1', 'start', 'each'],
        ['e2', 'each', 'step', 'body'],
        ['e3', 'step', 'each'],
        ['e4', 'each', 'out', 'done'],
      ],
    );
    expect(validateWorkflow(doc)).toMatchObject({ ok: true, problems: [] });
    const compiled = compileWorkflow(doc);
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    const loop = compiled.plan.nodes.find((n) => n.id === 'each');
    expect(loop?.loop).toEqual({ body: ['step'], backEdges: ['e3'] });
    expect(loop?.config).toEqual({ mode: 'forEach', expression: 'input.items', maxIterations: 10_000, continueAsNewEvery: 500 });
    expect(compiled.plan.nodes.map((n) => n.id)).toEqual(['start', 'each', 'step', 'out']);
    const step = compiled.plan.nodes.find((n) => n.id === 'step');
    expect(step?.outgoing).toEqual([{ id: 'e3', source: 'step', target: 'each', handle: null, loopBack: true }]);
    expect(loop?.incoming).toEqual(['e1']);
  });

  it('accepts condition and switch edges with their handles', () => {
    const doc = workflow(
      [
        trigger(),
        { id: 'check', type: 'condition', config: { expression: 'input.n > 1' } },
        {
          id: 'route',
          type: 'switch',
          config: {
            expression: 'input.kind',
            cases: [
              { handle: 'a', value: 'A' },
              { handle: 'b', value: { nested: [1] } },
            ],
          },
        },
        output('big'),
        output('small'),
        output('other'),
      ],
      [
        ['e1', 'start', 'check'],
        ['e2', 'check', 'route', 'true'],
        ['e3', 'check', 'small', 'false'],
        ['e4', 'route', 'big', 'a'],
        ['e5', 'route', 'big', 'b'],
        ['e6', 'route', 'other', 'default'],
      ],
    );
    expect(validateWorkflow(doc)).toMatchObject({ ok: true, problems: [] });
  });
});

describe('validateWorkflow: each problem kind', () => {
  it('reports an unknown node type', () => {
    const doc = workflow([trigger(), { id: 'mystery', type: 'teleport' }], [['e1', 'start', 'mystery']]);
    expect(summarize(problemsOf(doc))).toEqual([{ code: 'unknown_type', path: 'nodes[1].type', nodeId: 'mystery' }]);
  });

  it('reports an invalid http.request method at its config path', () => {
    const doc = workflow([trigger(), { id: 'call', type: 'http.request', config: { method: 'FETCH', url: 'https://example.com' } }], [['e1', 'start', 'call']]);
    const problems = problemsOf(doc);
    expect(summarize(problems)).toEqual([{ code: 'invalid_config', path: 'nodes[1].config.method', nodeId: 'call' }]);
    expect(problems[0]!.message).toContain('node "call"');
  });

  it('reports a negative delay', () => {
    const doc = workflow([trigger(), { id: 'wait', type: 'delay', config: { durationMs: -1 } }], [['e1', 'start', 'wait']]);
    expect(summarize(problemsOf(doc))).toEqual([{ code: 'invalid_config', path: 'nodes[1].config.durationMs', nodeId: 'wait' }]);
  });

  it('reports an unknown config field', () => {
    const doc = workflow([trigger(), { id: 'wait', type: 'delay', config: { durationMs: 5, color: 'red' } }], [['e1', 'start', 'wait']]);
    const problems = problemsOf(doc);
    expect(summarize(problems)).toEqual([{ code: 'invalid_config', path: 'nodes[1].config', nodeId: 'wait' }]);
    expect(problems[0]!.message).toContain('"color"');
  });

  it('reports an edge to a node that does not exist', () => {
    const doc = workflow(
      [trigger(), output()],
      [
        ['e1', 'start', 'out'],
        ['e2', 'out', 'ghost'],
      ],
    );
    const problems = problemsOf(doc);
    expect(summarize(problems)).toEqual([{ code: 'dangling_edge', path: 'edges[1].target', edgeId: 'e2' }]);
    expect(problems[0]!.message).toContain('"ghost"');
  });

  it('reports a condition edge without a handle', () => {
    const doc = workflow(
      [trigger(), { id: 'check', type: 'condition', config: { expression: 'true' } }, output()],
      [
        ['e1', 'start', 'check'],
        ['e2', 'check', 'out'],
      ],
    );
    expect(summarize(problemsOf(doc))).toEqual([{ code: 'missing_handle', path: 'edges[1].sourceHandle', edgeId: 'e2', nodeId: 'check' }]);
  });

  it('reports an unknown handle', () => {
    const doc = workflow(
      [trigger(), { id: 'check', type: 'condition', config: { expression: 'true' } }, output()],
      [
        ['e1', 'start', 'check'],
        ['e2', 'check', 'out', 'maybe'],
      ],
    );
    const problems = problemsOf(doc);
    expect(summarize(problems)).toEqual([{ code: 'unknown_handle', path: 'edges[1].sourceHandle', edgeId: 'e2', nodeId: 'check' }]);
    expect(problems[0]!.message).toContain('"true", "false"');
  });

  it('reports a handle on an edge leaving a single-output node', () => {
    const doc = workflow(
      [trigger(), transform('t'), output()],
      [
        ['e1', 'start', 't'],
        ['e2', 't', 'out', 'true'],
      ],
    );
    expect(summarize(problemsOf(doc))).toEqual([{ code: 'unexpected_handle', path: 'edges[1].sourceHandle', edgeId: 'e2', nodeId: 't' }]);
  });

  it('reports a cycle that does not pass through a loop node', () => {
    const doc = workflow(
      [trigger(), transform('a'), transform('b'), output()],
      [
        ['e1', 'start', 'a'],
        ['e2', 'a', 'b'],
        ['e3', 'b', 'a'],
        ['e4', 'b', 'out'],
      ],
    );
    const problems = problemsOf(doc);
    expect(summarize(problems)).toEqual([{ code: 'illegal_cycle', path: 'nodes[1]', nodeId: 'a' }]);
    expect(problems[0]!.message).toContain('"a", "b"');
  });

  it('reports a node that loops onto itself', () => {
    const doc = workflow(
      [trigger(), transform('a'), output()],
      [
        ['e1', 'start', 'a'],
        ['e2', 'a', 'a'],
        ['e3', 'a', 'out'],
      ],
    );
    expect(summarize(problemsOf(doc))).toEqual([{ code: 'illegal_cycle', path: 'nodes[1]', nodeId: 'a' }]);
  });

  it('reports a node that no trigger reaches', () => {
    const doc = workflow([trigger(), output(), transform('orphan')], [['e1', 'start', 'out']]);
    expect(summarize(problemsOf(doc))).toEqual([{ code: 'unreachable', path: 'nodes[2]', nodeId: 'orphan' }]);
  });

  it('reports a workflow without a trigger', () => {
    const doc = workflow([transform('a'), output()], [['e1', 'a', 'out']]);
    expect(summarize(problemsOf(doc))).toEqual([{ code: 'no_trigger', path: 'nodes' }]);
  });

  it('reports a workflow without nodes', () => {
    expect(summarize(problemsOf(workflow([], [])))).toEqual([{ code: 'no_trigger', path: 'nodes' }]);
  });

  it('reports a trigger with an incoming edge', () => {
    const doc = workflow(
      [trigger(), trigger('other'), output()],
      [
        ['e1', 'start', 'out'],
        ['e2', 'other', 'start'],
      ],
    );
    expect(summarize(problemsOf(doc))).toEqual([{ code: 'trigger_has_input', path: 'nodes[0]', nodeId: 'start', edgeId: 'e2' }]);
  });

  it('names the node and field of an expression syntax error', () => {
    const doc = workflow(
      [trigger(), transform('calc', 'input.a +'), output()],
      [
        ['e1', 'start', 'calc'],
        ['e2', 'calc', 'out'],
      ],
    );
    const problems = problemsOf(doc);
    expect(summarize(problems)).toEqual([{ code: 'expression_syntax', path: 'nodes[1].config.expression', nodeId: 'calc' }]);
    expect(problems[0]!.message).toMatch(/^node "calc", field expression: /);
  });

  it('names bodyExpression and a bad url template of an http.request', () => {
    const doc = workflow(
      [trigger(), { id: 'call', type: 'http.request', config: { method: 'POST', url: 'https://api.example.com/{{ input.id ', bodyExpression: '{ "a": }' } }],
      [['e1', 'start', 'call']],
    );
    const problems = problemsOf(doc);
    expect(summarize(problems)).toEqual(
      expect.arrayContaining([
        { code: 'expression_syntax', path: 'nodes[1].config.bodyExpression', nodeId: 'call' },
        { code: 'template_syntax', path: 'nodes[1].config.url', nodeId: 'call' },
      ]),
    );
    expect(problems).toHaveLength(2);
    expect(problems.find((p) => p.code === 'expression_syntax')!.message).toContain('field bodyExpression');
    expect(problems.find((p) => p.code === 'template_syntax')!.message).toContain('field url');
  });

  it('reports a syntax error inside a url template expression', () => {
    const doc = workflow([trigger(), { id: 'call', type: 'http.request', config: { url: 'https://x.test/{{ input.( }}' } }], [['e1', 'start', 'call']]);
    expect(summarize(problemsOf(doc))).toEqual([{ code: 'template_syntax', path: 'nodes[1].config.url', nodeId: 'call' }]);
  });

  it('reports a syntax error in a set variable', () => {
    const doc = workflow([trigger(), { id: 'vars', type: 'set', config: { variables: { ok: '1', broken: '(' } } }], [['e1', 'start', 'vars']]);
    expect(summarize(problemsOf(doc))).toEqual([{ code: 'expression_syntax', path: 'nodes[1].config.variables.broken', nodeId: 'vars' }]);
  });

  it('reports duplicate node ids and duplicate edge ids', () => {
    const doc = workflow(
      [trigger(), transform('t'), transform('t', '2'), output()],
      [
        ['e1', 'start', 't'],
        ['e1', 't', 'out'],
      ],
    );
    expect(summarize(problemsOf(doc))).toEqual(
      expect.arrayContaining([
        { code: 'duplicate_id', path: 'nodes[2].id', nodeId: 't' },
        { code: 'duplicate_id', path: 'edges[1].id', edgeId: 'e1' },
      ]),
    );
  });

  it('reports a switch whose cases repeat a handle or use the reserved "default"', () => {
    const doc = workflow(
      [
        trigger(),
        {
          id: 'route',
          type: 'switch',
          config: {
            expression: 'input.k',
            cases: [
              { handle: 'a', value: 1 },
              { handle: 'a', value: 2 },
              { handle: 'default', value: 3 },
            ],
          },
        },
      ],
      [['e1', 'start', 'route']],
    );
    expect(summarize(problemsOf(doc))).toEqual([
      { code: 'invalid_config', path: 'nodes[1].config.cases[1].handle', nodeId: 'route' },
      { code: 'invalid_config', path: 'nodes[1].config.cases[2].handle', nodeId: 'route' },
    ]);
  });

  it('reports a set node without variables', () => {
    const doc = workflow([trigger(), { id: 'vars', type: 'set', config: { variables: {} } }], [['e1', 'start', 'vars']]);
    const problems = problemsOf(doc);
    expect(summarize(problems)).toEqual([{ code: 'invalid_config', path: 'nodes[1].config.variables', nodeId: 'vars' }]);
    expect(problems[0]!.message).toContain('set at least one variable');
  });

  it('reports a loop whose body never returns to it', () => {
    const doc = workflow(
      [trigger(), { id: 'each', type: 'loop', config: { mode: 'forEach', expression: 'input.items' } }, transform('step'), output(), output('end')],
      [
        ['e1', 'start', 'each'],
        ['e2', 'each', 'step', 'body'],
        ['e3', 'step', 'end'],
        ['e4', 'each', 'out', 'done'],
      ],
    );
    expect(summarize(problemsOf(doc))).toEqual([{ code: 'invalid_loop', path: 'nodes[1]', nodeId: 'each' }]);
  });

  it('reports a document that is not in the v1 format', () => {
    const doc = { ...sumExample(), format: 'tandem.workflow/v2' };
    expect(summarize(problemsOf(doc))).toEqual([{ code: 'invalid_document', path: 'format' }]);
  });

  it('reports a malformed node and a malformed edge by id', () => {
    const doc = sumExample();
    (doc.nodes as Array<Record<string, unknown>>)[1]!.position = { x: 'left', y: 0 };
    (doc.edges as Array<Record<string, unknown>>)[1]!.extra = true;
    expect(summarize(problemsOf(doc))).toEqual(
      expect.arrayContaining([
        { code: 'invalid_node', path: 'nodes[1].position.x', nodeId: 'add' },
        { code: 'invalid_edge', path: 'edges[1]', edgeId: 'e2' },
      ]),
    );
  });
});

describe('validateWorkflow: several problems at once', () => {
  it('reports every problem of a document in one answer', () => {
    const doc = workflow(
      [
        trigger(),
        { id: 'mystery', type: 'teleport' },
        { id: 'call', type: 'http.request', config: { method: 'FETCH', url: 'https://x.test' } },
        transform('calc', '1 +'),
        { id: 'check', type: 'condition', config: { expression: 'true' } },
        transform('orphan'),
        output(),
      ],
      [
        ['e1', 'start', 'mystery'],
        ['e2', 'mystery', 'call'],
        ['e3', 'start', 'calc'],
        ['e4', 'calc', 'check'],
        ['e5', 'check', 'out'],
        ['e6', 'out', 'nowhere'],
        ['e6', 'start', 'out'],
      ],
    );
    const problems = summarize(problemsOf(doc));
    expect(problems).toEqual(
      expect.arrayContaining([
        { code: 'unknown_type', path: 'nodes[1].type', nodeId: 'mystery' },
        { code: 'invalid_config', path: 'nodes[2].config.method', nodeId: 'call' },
        { code: 'expression_syntax', path: 'nodes[3].config.expression', nodeId: 'calc' },
        { code: 'missing_handle', path: 'edges[4].sourceHandle', edgeId: 'e5', nodeId: 'check' },
        { code: 'unreachable', path: 'nodes[5]', nodeId: 'orphan' },
        { code: 'dangling_edge', path: 'edges[5].target', edgeId: 'e6' },
        { code: 'duplicate_id', path: 'edges[6].id', edgeId: 'e6' },
      ]),
    );
    expect(problems).toHaveLength(7);
  });
});

describe('loop bodies', () => {
  const base = (extraEdges: Array<Record<string, string>>) => ({
    format: 'tandem.workflow/v1',
    name: 'loops',
    nodes: [
      { id: 't', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
      { id: 'each', type: 'loop', position: { x: 0, y: 0 }, config: { mode: 'forEach', expression: 'input.items' } },
      { id: 'work', type: 'transform', position: { x: 0, y: 0 }, config: { expression: 'loop.item' } },
      { id: 'after', type: 'output', position: { x: 0, y: 0 }, config: { expression: '1' } },
    ],
    edges: [
      { id: 'e1', source: 't', target: 'each' },
      { id: 'e2', source: 'each', target: 'work', sourceHandle: 'body' },
      { id: 'e3', source: 'work', target: 'each' },
      { id: 'e4', source: 'each', target: 'after', sourceHandle: 'done' },
      ...extraEdges,
    ],
  });

  it('accepts a body that returns to its loop and leaves by done', () => {
    expect(validateWorkflow(base([])).problems).toEqual([]);
  });

  it('refuses an edge that leaves the body other than through done, naming the edge', () => {
    const result = validateWorkflow(base([{ id: 'leak', source: 'work', target: 'after' }]));
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'invalid_loop', nodeId: 'each', edgeId: 'leak', message: expect.stringContaining('leaves the body of loop "each"') }),
    ]);
  });
});
