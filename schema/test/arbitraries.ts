import fc from 'fast-check';

/** A node of a generated workflow, before it is placed in a document. */
export interface GeneratedNode {
  id: string;
  type: string;
  position: { x: number; y: number };
  config: Record<string, unknown>;
}

export interface GeneratedEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string;
}

/** A valid DAG workflow plus what the mutation properties need to know about it. */
export interface GeneratedWorkflow {
  document: {
    format: 'tandem.workflow/v1';
    name: string;
    params: Record<string, unknown>;
    nodes: GeneratedNode[];
    edges: GeneratedEdge[];
  };
  /** Node ids in generation order: edges only go from earlier to later ids; the first is the trigger. */
  order: string[];
}

interface NodeSpec {
  type: string;
  config: Record<string, unknown>;
}

const expression = fc.constantFrom(
  'input',
  'input.a + 1',
  "{ 'total': input.a + input.b }",
  '$count(input.items)',
  'vars.x ? vars.x : params.limit',
  '$map(input.items, function($v) { $v * 2 })',
  '"text " & $string(input.n)',
);
const template = fc.constantFrom(
  'https://api.example.com/items',
  'https://api.example.com/items/{{ input.id }}',
  'https://{{ params.host }}/x?q={{ input.q }}',
);
const handle = fc.stringMatching(/^[a-z][a-z0-9_-]{0,6}$/).filter((h) => h !== 'default');
const nodeId = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,10}$/);

const nodeSpec: fc.Arbitrary<NodeSpec> = fc.oneof(
  fc.record({ type: fc.constant('transform'), config: fc.record({ expression }) }),
  fc.record({
    type: fc.constant('set'),
    config: fc.record({ variables: fc.dictionary(fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), expression, { minKeys: 1, maxKeys: 3 }) }),
  }),
  fc.record({ type: fc.constant('condition'), config: fc.record({ expression }) }),
  fc.record({
    type: fc.constant('switch'),
    config: fc.record({
      expression,
      cases: fc.uniqueArray(handle, { minLength: 1, maxLength: 3 }).map((hs) => hs.map((h, i) => ({ handle: h, value: i % 2 === 0 ? h : i }))),
    }),
  }),
  fc.record({ type: fc.constant('delay'), config: fc.record({ durationMs: fc.nat(86_400_000) }) }),
  fc.record({ type: fc.constant('output'), config: fc.record({ expression }) }),
  fc.record({ type: fc.constant('parallel'), config: fc.constant({}) }),
  fc.record({ type: fc.constant('join'), config: fc.constant({}) }),
  fc.record({
    type: fc.constant('http.request'),
    config: fc.record(
      { method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), url: template, bodyExpression: expression, timeoutMs: fc.integer({ min: 100, max: 300_000 }) },
      { requiredKeys: ['url'] },
    ),
  }),
);

/** The handles an edge leaving a node of this spec must use; empty for a single-output node. */
export function handlesOf(type: string, config: Record<string, unknown>): string[] {
  if (type === 'condition') return ['true', 'false'];
  if (type === 'switch') return [...(config.cases as Array<{ handle: string }>).map((c) => c.handle), 'default'];
  return [];
}

/**
 * Random valid DAG workflows: a manual trigger, then `size` nodes of the catalogue, each
 * reached from an earlier node, plus extra edges from earlier to later nodes. Document order is shuffled.
 */
export function dagWorkflow(size: { min: number; max: number } = { min: 1, max: 20 }): fc.Arbitrary<GeneratedWorkflow> {
  return fc.integer(size).chain((n) =>
    fc
      .record({
        ids: fc.uniqueArray(nodeId, { minLength: n + 1, maxLength: n + 1 }),
        specs: fc.array(nodeSpec, { minLength: n, maxLength: n }),
        parents: fc.tuple(...Array.from({ length: n }, (_, i) => fc.nat(i))),
        extra: fc.array(fc.tuple(fc.nat(n), fc.nat(n)), { maxLength: n * 2 }),
        picks: fc.array(fc.nat(), { minLength: n * 3, maxLength: n * 3 }),
        shuffle: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n + 1, maxLength: n + 1 }),
        name: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''),
      })
      .map(({ ids, specs, parents, extra, picks, shuffle, name }) => {
        const nodes: GeneratedNode[] = ids.map((id, i) => {
          const spec: NodeSpec = i === 0 ? { type: 'trigger.manual', config: {} } : specs[i - 1]!;
          return { id, type: spec.type, position: { x: i * 50, y: (i % 5) * 40 }, config: spec.config };
        });
        const pairs = [...parents.map((p, i): [number, number] => [p, i + 1]), ...extra.filter(([a, b]) => a < b)];
        const seen = new Set<string>();
        const edges: GeneratedEdge[] = [];
        pairs.forEach(([from, to], i) => {
          const source = nodes[from]!;
          const handles = handlesOf(source.type, source.config);
          const sourceHandle = handles.length > 0 ? handles[picks[i % picks.length]! % handles.length] : undefined;
          const key = `${from}>${to}>${sourceHandle ?? ''}`;
          if (seen.has(key)) return;
          seen.add(key);
          const edge: GeneratedEdge = { id: `e${edges.length}`, source: source.id, target: nodes[to]!.id };
          if (sourceHandle !== undefined) edge.sourceHandle = sourceHandle;
          edges.push(edge);
        });
        const documentOrder = nodes
          .map((node, i) => ({ node, key: shuffle[i]! }))
          .sort((a, b) => a.key - b.key)
          .map((x) => x.node);
        return {
          document: { format: 'tandem.workflow/v1' as const, name, params: { limit: 10, host: 'api.example.com' }, nodes: documentOrder, edges },
          order: ids,
        };
      }),
  );
}
