import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { PLAN_VERSION, compileWorkflow, validateWorkflow, type ExecutionPlan, type Problem } from '@tandem/schema';
import { dagWorkflow, handlesOf, type GeneratedWorkflow } from './arbitraries.js';
import { output, sumExample, transform, trigger, workflow } from './helpers.js';

const RUNS = { numRuns: 100 };

function compiled(input: unknown): ExecutionPlan {
  const result = compileWorkflow(input);
  if (!result.ok) throw new Error(`expected the workflow to compile: ${JSON.stringify(result.problems)}`);
  return result.plan;
}

function failed(input: unknown): Problem[] {
  const result = compileWorkflow(input);
  if (result.ok) throw new Error('expected compilation to fail');
  expect(validateWorkflow(input).ok).toBe(false);
  return result.problems;
}

/** Every edge that is not a loop back edge goes from an earlier to a later node of the plan. */
function expectTopological(plan: ExecutionPlan): void {
  const position = new Map(plan.nodes.map((n, i) => [n.id, i]));
  for (const node of plan.nodes) {
    for (const edge of node.outgoing) {
      expect(edge.source).toBe(node.id);
      if (!edge.loopBack) expect(position.get(edge.source)!).toBeLessThan(position.get(edge.target)!);
    }
  }
}

function clone(generated: GeneratedWorkflow): GeneratedWorkflow['document'] {
  return structuredClone(generated.document);
}

describe('compileWorkflow', () => {
  it('compiles the "Sum" example into its plan', () => {
    expect(compiled(sumExample())).toEqual({
      planVersion: PLAN_VERSION,
      name: 'Sum',
      params: {},
      nodes: [
        {
          id: 'start',
          type: 'trigger.manual',
          config: {},
          trigger: true,
          incoming: [],
          outgoing: [{ id: 'e1', source: 'start', target: 'add', handle: null, loopBack: false }],
        },
        {
          id: 'add',
          type: 'transform',
          config: { expression: "{ 'total': input.a + input.b }" },
          trigger: false,
          incoming: ['e1'],
          outgoing: [{ id: 'e2', source: 'add', target: 'out', handle: null, loopBack: false }],
        },
        { id: 'out', type: 'output', config: { expression: 'nodes.add.total' }, trigger: false, incoming: ['e2'], outgoing: [] },
      ],
      triggers: ['start'],
    });
  });

  it('fills config defaults and keeps node names', () => {
    const doc = workflow([trigger(), { id: 'call', type: 'http.request', config: { url: 'https://x.test/{{ input.id }}' } }], [['e1', 'start', 'call']]);
    (doc.nodes as Array<Record<string, unknown>>)[1]!.name = 'Fetch item';
    const call = compiled(doc).nodes[1]!;
    expect(call.name).toBe('Fetch item');
    expect(call.config).toEqual({
      method: 'GET',
      url: 'https://x.test/{{ input.id }}',
      headers: {},
      timeoutMs: 30_000,
      retry: { maxAttempts: 3, initialIntervalMs: 500, backoffCoefficient: 2, maximumIntervalMs: 30_000 },
      failOnHttpError: true,
    });
  });

  it('orders nodes topologically, ties in document order, whatever the document order', () => {
    const doc = workflow(
      [output('out', 'nodes'), transform('b'), transform('a'), { id: 'fork', type: 'parallel' }, trigger(), { id: 'both', type: 'join' }],
      [
        ['e1', 'start', 'fork'],
        ['e2', 'fork', 'a'],
        ['e3', 'fork', 'b'],
        ['e4', 'a', 'both'],
        ['e5', 'b', 'both'],
        ['e6', 'both', 'out'],
      ],
    );
    const plan = compiled(doc);
    expect(plan.nodes.map((n) => n.id)).toEqual(['start', 'fork', 'b', 'a', 'both', 'out']);
    expect(plan.nodes.find((n) => n.id === 'both')!.incoming).toEqual(['e4', 'e5']);
  });

  it('keeps branch handles on plan edges', () => {
    const doc = workflow(
      [trigger(), { id: 'check', type: 'condition', config: { expression: 'input.ok' } }, output('yes'), output('no')],
      [
        ['e1', 'start', 'check'],
        ['e2', 'check', 'yes', 'true'],
        ['e3', 'check', 'no', 'false'],
      ],
    );
    expect(compiled(doc).nodes[1]!.outgoing.map((e) => [e.id, e.handle])).toEqual([
      ['e2', 'true'],
      ['e3', 'false'],
    ]);
  });

  it('returns the validation problems of an invalid document', () => {
    const doc = workflow([trigger(), transform('a', '1 +')], [['e1', 'start', 'a']]);
    const result = compileWorkflow(doc);
    expect(result).toEqual({ ok: false, problems: validateWorkflow(doc).problems });
  });

  it('produces a plan that is plain JSON', () => {
    const plan = compiled(sumExample());
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('validates and compiles a generated 1,000-node workflow', () => {
    const [generated] = fc.sample(dagWorkflow({ min: 1_000, max: 1_000 }), { seed: 42, numRuns: 1 });
    const plan = compiled(generated!.document);
    expect(plan.nodes).toHaveLength(1_001);
    expect(plan.triggers).toEqual([generated!.order[0]]);
    expectTopological(plan);
  });
});

describe('compileWorkflow properties', () => {
  it('validates and compiles every generated DAG workflow', () => {
    fc.assert(
      fc.property(dagWorkflow(), (generated) => {
        const validated = validateWorkflow(generated.document);
        expect(validated.problems).toEqual([]);
        const plan = compiled(generated.document);
        expect(plan.triggers).toEqual([generated.order[0]]);
        expect([...plan.nodes.map((n) => n.id)].sort()).toEqual([...generated.order].sort());
        const planEdges = plan.nodes.flatMap((n) => n.outgoing.map((e) => e.id)).sort();
        expect(planEdges).toEqual(generated.document.edges.map((e) => e.id).sort());
      }),
      RUNS,
    );
  });

  it('orders the plan topologically', () => {
    fc.assert(
      fc.property(dagWorkflow(), (generated) => {
        const plan = compiled(generated.document);
        expectTopological(plan);
        const incoming = new Map(plan.nodes.map((n) => [n.id, n.incoming]));
        for (const edge of generated.document.edges) expect(incoming.get(edge.target)).toContain(edge.id);
      }),
      RUNS,
    );
  });

  it('is deterministic, also across a JSON round trip of the input', () => {
    fc.assert(
      fc.property(dagWorkflow(), (generated) => {
        const first = compiled(generated.document);
        expect(compiled(generated.document)).toEqual(first);
        expect(compiled(JSON.parse(JSON.stringify(generated.document)))).toEqual(first);
        expect(JSON.parse(JSON.stringify(first))).toEqual(first);
      }),
      RUNS,
    );
  });

  it('accepts its own validated definition unchanged', () => {
    fc.assert(
      fc.property(dagWorkflow(), (generated) => {
        const first = validateWorkflow(generated.document);
        if (!first.ok) throw new Error('expected a valid workflow');
        const again = validateWorkflow(first.definition);
        expect(again).toEqual(first);
      }),
      RUNS,
    );
  });
});

describe('compileWorkflow properties: loops', () => {
  it('compiles a loop whose body is a chain back to it, marking only the return edge as loopBack', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.constantFrom('forEach', 'while'), (length, mode) => {
        const body = Array.from({ length }, (_, i) => transform(`step${i}`, 'loop.item'));
        const chain = body.map((node, i): [string, string, string] => [`b${i}`, i === 0 ? 'each' : body[i - 1]!.id, node.id]);
        const doc = workflow(
          [trigger(), { id: 'each', type: 'loop', config: { mode, expression: 'input.items' } }, ...body, output()],
          [
            ['e0', 'start', 'each'],
            ...chain.map(([id, source, target], i): [string, string, string, string?] => [id, source, target, i === 0 ? 'body' : undefined]),
            ['back', body[length - 1]!.id, 'each'],
            ['done', 'each', 'out', 'done'],
          ],
        );
        const plan = compiled(doc);
        expectTopological(plan);
        const loop = plan.nodes.find((n) => n.id === 'each')!;
        expect(loop.loop).toEqual({ body: body.map((n) => n.id), backEdges: ['back'] });
        const loopBack = plan.nodes
          .flatMap((n) => n.outgoing)
          .filter((e) => e.loopBack)
          .map((e) => e.id);
        expect(loopBack).toEqual(['back']);
      }),
      { numRuns: 30 },
    );
  });
});

describe('compileWorkflow properties: one mutation makes a valid workflow invalid', () => {
  const withIndex = dagWorkflow().chain((generated) => fc.record({ generated: fc.constant(generated), pick: fc.nat() }));

  it('names the edges left dangling when a node is dropped', () => {
    fc.assert(
      fc.property(withIndex, ({ generated, pick }) => {
        const doc = clone(generated);
        const dropped = generated.order[1 + (pick % (generated.order.length - 1))]!;
        doc.nodes = doc.nodes.filter((n) => n.id !== dropped);
        const touching = new Set(doc.edges.filter((e) => e.source === dropped || e.target === dropped).map((e) => e.id));
        const problems = failed(doc);
        expect(problems.some((p) => p.code === 'dangling_edge' && touching.has(p.edgeId!))).toBe(true);
      }),
      RUNS,
    );
  });

  it('names a node of a cycle added by one edge', () => {
    fc.assert(
      fc.property(withIndex, ({ generated, pick }) => {
        const doc = clone(generated);
        // Close a cycle from a node back to one of its ancestors (possibly itself).
        const last = generated.order[1 + (pick % (generated.order.length - 1))]!;
        const ancestors = ancestorsOf(doc.edges, last);
        const candidates = generated.order.filter((id) => ancestors.has(id) && id !== generated.order[0]);
        const first = candidates[Math.floor(pick / 7) % candidates.length]!;
        const source = doc.nodes.find((n) => n.id === last)!;
        const handles = handlesOf(source.type, source.config);
        const edge = { id: 'cycle', source: last, target: first, ...(handles.length > 0 ? { sourceHandle: handles[0] } : {}) };
        doc.edges.push(edge);
        const onCycle = new Set([...descendantsOf(doc.edges, first)].filter((id) => ancestorsOf(doc.edges, first).has(id)));
        const problems = failed(doc);
        expect(problems.some((p) => p.code === 'illegal_cycle' && onCycle.has(p.nodeId!))).toBe(true);
      }),
      RUNS,
    );
  });

  it('names a node whose type is changed to an unknown one', () => {
    fc.assert(
      fc.property(withIndex, ({ generated, pick }) => {
        const doc = clone(generated);
        const node = doc.nodes[pick % doc.nodes.length]!;
        node.type = 'custom.unknown';
        const problems = failed(doc);
        expect(problems.some((p) => p.code === 'unknown_type' && p.nodeId === node.id)).toBe(true);
      }),
      RUNS,
    );
  });

  it('names a node whose expression is broken', () => {
    fc.assert(
      fc.property(withIndex, fc.constantFrom('(', '1 +', '{ "a": }', 'input.[', '$f(('), ({ generated, pick }, broken) => {
        const doc = clone(generated);
        const withExpressions = doc.nodes.filter((n) => expressionKey(n.config) !== undefined);
        fc.pre(withExpressions.length > 0);
        const node = withExpressions[pick % withExpressions.length]!;
        const key = expressionKey(node.config)!;
        if (key === 'variables') {
          const variables = node.config.variables as Record<string, string>;
          variables[Object.keys(variables)[0]!] = broken;
        } else node.config[key] = broken;
        const problems = failed(doc);
        expect(problems.some((p) => p.code === 'expression_syntax' && p.nodeId === node.id)).toBe(true);
      }),
      RUNS,
    );
  });

  it('names a node whose url template is broken', () => {
    fc.assert(
      fc.property(withIndex, ({ generated, pick }) => {
        const doc = clone(generated);
        const calls = doc.nodes.filter((n) => n.type === 'http.request');
        fc.pre(calls.length > 0);
        const node = calls[pick % calls.length]!;
        node.config.url = 'https://x.test/{{ input.id';
        const problems = failed(doc);
        expect(problems.some((p) => p.code === 'template_syntax' && p.nodeId === node.id)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('reports no_trigger when the trigger is removed', () => {
    fc.assert(
      fc.property(dagWorkflow(), (generated) => {
        const doc = clone(generated);
        const start = generated.order[0]!;
        doc.nodes = doc.nodes.filter((n) => n.id !== start);
        doc.edges = doc.edges.filter((e) => e.source !== start);
        const problems = failed(doc);
        expect(problems.some((p) => p.code === 'no_trigger')).toBe(true);
      }),
      RUNS,
    );
  });

  it('names a duplicated node id', () => {
    fc.assert(
      fc.property(withIndex, ({ generated, pick }) => {
        const doc = clone(generated);
        const original = doc.nodes[pick % doc.nodes.length]!;
        const copy = { ...structuredClone(original), position: { x: -1, y: -1 } };
        doc.nodes.splice(Math.floor(pick / 3) % (doc.nodes.length + 1), 0, copy);
        const problems = failed(doc);
        expect(problems.some((p) => p.code === 'duplicate_id' && p.nodeId === original.id)).toBe(true);
      }),
      RUNS,
    );
  });

  it('names a duplicated edge id', () => {
    fc.assert(
      fc.property(withIndex, ({ generated, pick }) => {
        const doc = clone(generated);
        fc.pre(doc.edges.length > 1);
        const i = pick % doc.edges.length;
        const j = (i + 1 + (Math.floor(pick / 5) % (doc.edges.length - 1))) % doc.edges.length;
        doc.edges[j]!.id = doc.edges[i]!.id;
        const problems = failed(doc);
        expect(problems.some((p) => p.code === 'duplicate_id' && p.edgeId === doc.edges[i]!.id)).toBe(true);
      }),
      RUNS,
    );
  });
});

/** The config key holding an expression: `expression`, `bodyExpression`, or the set node's `variables`. */
function expressionKey(config: Record<string, unknown>): string | undefined {
  return ['expression', 'bodyExpression', 'variables'].find((key) => config[key] !== undefined);
}

function walk(edges: ReadonlyArray<{ source: string; target: string }>, from: string, forward: boolean): Set<string> {
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const edge of edges) {
      const [here, next] = forward ? [edge.source, edge.target] : [edge.target, edge.source];
      if (here === id && !seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

const ancestorsOf = (edges: ReadonlyArray<{ source: string; target: string }>, id: string) => walk(edges, id, false);
const descendantsOf = (edges: ReadonlyArray<{ source: string; target: string }>, id: string) => walk(edges, id, true);
