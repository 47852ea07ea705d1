import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffJson, diffText, diffWorkflows, isEmptyDiff, type JsonValue, type WorkflowDefinition, type WorkflowDiff, type WorkflowNode } from '@tandem/schema';
import { dagWorkflow } from './arbitraries.js';
import { sumExample } from './helpers.js';

const definitionOf = (document: object) => ({ description: '', ...document }) as unknown as WorkflowDefinition;
const sum = () => definitionOf(sumExample());

/**
 * Replays a diff on `from` using only what it reports (field paths and new values, never the
 * whole `to` node of a changed one): proves the diff says everything that changed.
 */
function applyDiff(from: WorkflowDefinition, diff: WorkflowDiff): WorkflowDefinition {
  const result = structuredClone(from);
  for (const change of diff.metadata) result[change.field] = change.after;
  for (const change of diff.params) {
    if (change.change === 'removed') delete result.params[change.name];
    else define(result.params, change.name, change.after!);
  }
  for (const change of diff.nodes) {
    if (change.change === 'removed') result.nodes = result.nodes.filter((n) => n.id !== change.nodeId);
    else if (change.change === 'added') result.nodes.push(structuredClone(change.node!));
    else {
      const node = result.nodes.find((n) => n.id === change.nodeId)!;
      if (change.type) node.type = change.type.after;
      if (change.name) {
        if (change.name.after === null) delete node.name;
        else node.name = change.name.after;
      }
      if (change.position) node.position = change.position.after;
      for (const field of change.config) {
        let target = node.config as Record<string, JsonValue>;
        for (const key of field.path.slice(0, -1)) target = target[key] as Record<string, JsonValue>;
        const last = field.path[field.path.length - 1]!;
        if (field.change === 'removed') delete target[last];
        else define(target, last, field.after!);
      }
    }
  }
  for (const change of diff.edges) {
    result.edges = result.edges.filter((e) => e.id !== change.edgeId);
    if (change.after) result.edges.push(change.after);
  }
  return result;
}

function define(object: Record<string, JsonValue>, key: string, value: JsonValue): void {
  Object.defineProperty(object, key, { value: structuredClone(value), enumerable: true, writable: true, configurable: true });
}

/** Documents as sets: array order is not part of a workflow's meaning. */
function normalized(definition: WorkflowDefinition) {
  const byId = <T extends { id: string }>(items: T[]) => [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { ...definition, nodes: byId(definition.nodes), edges: byId(definition.edges) };
}

const shuffled = <T>(items: readonly T[], keys: readonly number[]) =>
  items
    .map((item, i) => ({ item, key: keys[i % Math.max(1, keys.length)] ?? 0 }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);

/** A random edit of a document: nodes and edges removed, added, changed, moved, renamed; params and metadata changed. */
const edited = dagWorkflow({ min: 1, max: 12 }).chain(({ document }) => {
  const from = definitionOf(document);
  const count = from.nodes.length;
  return fc
    .record({
      removeNodes: fc.subarray(from.nodes.map((n) => n.id)),
      removeEdges: fc.subarray(from.edges.map((e) => e.id)),
      moves: fc.array(fc.tuple(fc.nat(count - 1), fc.integer({ min: -500, max: 500 })), { maxLength: 4 }),
      renames: fc.array(fc.tuple(fc.nat(count - 1), fc.option(fc.string({ maxLength: 8 }), { nil: undefined })), { maxLength: 3 }),
      edits: fc.array(
        fc.tuple(fc.nat(count - 1), fc.constantFrom('expression', 'url', 'note', 'timeoutMs'), fc.option(fc.string({ maxLength: 12 }), { nil: undefined })),
        { maxLength: 4 },
      ),
      retype: fc.option(fc.nat(count - 1), { nil: undefined }),
      variables: fc.array(fc.tuple(fc.nat(count - 1), fc.constantFrom('a', 'total', 'x'), fc.option(fc.string({ maxLength: 8 }), { nil: undefined })), {
        maxLength: 4,
      }),
      added: fc.array(fc.record({ id: fc.stringMatching(/^new_[a-z]{1,4}$/), expression: fc.string({ maxLength: 10 }) }), { maxLength: 3 }),
      rewire: fc.option(fc.tuple(fc.nat(count - 1), fc.nat(count - 1)), { nil: undefined }),
      params: fc.dictionary(fc.constantFrom('limit', 'host', 'extra'), fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null))),
      dropParam: fc.boolean(),
      name: fc.option(fc.string({ minLength: 1, maxLength: 10 }), { nil: undefined }),
      description: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
      order: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }),
    })
    .map((m) => {
      const to = structuredClone(from);
      to.nodes = to.nodes.filter((n) => !m.removeNodes.includes(n.id));
      to.edges = to.edges.filter((e) => !m.removeEdges.includes(e.id));
      const at = (i: number): WorkflowNode | undefined => to.nodes[i % Math.max(1, to.nodes.length)];
      for (const [i, dx] of m.moves) {
        const node = at(i);
        if (node) node.position = { x: node.position.x + dx, y: node.position.y };
      }
      for (const [i, name] of m.renames) {
        const node = at(i);
        if (!node) continue;
        if (name === undefined) delete node.name;
        else node.name = name;
      }
      for (const [i, field, value] of m.edits) {
        const node = at(i);
        if (!node) continue;
        if (value === undefined) delete node.config[field];
        else node.config[field] = field === 'timeoutMs' ? value.length : value;
      }
      // Nested config objects (a set node's variables) change key by key.
      for (const [i, name, value] of m.variables) {
        const node = at(i);
        if (!node) continue;
        const variables = (node.config.variables ?? {}) as Record<string, JsonValue>;
        if (value === undefined) delete variables[name];
        else variables[name] = value;
        node.config.variables = variables;
      }
      if (m.retype !== undefined && at(m.retype)) at(m.retype)!.type = 'output';
      for (const add of m.added) {
        if (!to.nodes.some((n) => n.id === add.id))
          to.nodes.push({ id: add.id, type: 'transform', position: { x: 1, y: 2 }, config: { expression: add.expression } });
      }
      if (m.rewire && to.edges.length > 0) {
        const [a, b] = m.rewire;
        to.edges[a % to.edges.length] = { id: to.edges[a % to.edges.length]!.id, source: from.nodes[a]!.id, target: from.nodes[b]!.id };
      }
      to.params = { ...to.params, ...m.params };
      if (m.dropParam) delete to.params.host;
      if (m.name !== undefined) to.name = m.name;
      if (m.description !== undefined) to.description = m.description;
      to.nodes = shuffled(to.nodes, m.order);
      to.edges = shuffled(to.edges, [...m.order].reverse());
      return { from, to };
    });
});

describe('diffWorkflows', () => {
  it('finds nothing between a document and itself, or a reordered copy of it', () => {
    fc.assert(
      fc.property(
        dagWorkflow({ min: 1, max: 20 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }),
        ({ document }, keys) => {
          const definition = definitionOf(document);
          expect(isEmptyDiff(diffWorkflows(definition, structuredClone(definition)))).toBe(true);
          const reordered = { ...definition, nodes: shuffled(definition.nodes, keys), edges: shuffled(definition.edges, keys) };
          expect(diffWorkflows(definition, reordered)).toEqual({ metadata: [], params: [], nodes: [], edges: [] });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('reports changes that, applied to `from`, give `to`', () => {
    fc.assert(
      fc.property(edited, ({ from, to }) => {
        const diff = diffWorkflows(from, to);
        expect(normalized(applyDiff(from, diff))).toEqual(normalized(to));
        // Reordering either side changes nothing in the diff.
        expect(diffWorkflows({ ...from, nodes: [...from.nodes].reverse() }, { ...to, edges: [...to.edges].reverse() })).toEqual(diff);
      }),
      { numRuns: 200 },
    );
  });

  it('gives `to` from `from` for unrelated documents too', () => {
    fc.assert(
      fc.property(dagWorkflow({ min: 1, max: 8 }), dagWorkflow({ min: 1, max: 8 }), (a, b) => {
        const from = definitionOf(a.document);
        const to = definitionOf(b.document);
        expect(normalized(applyDiff(from, diffWorkflows(from, to)))).toEqual(normalized(to));
      }),
      { numRuns: 100 },
    );
  });

  it('names what changed on each node: config fields with a text diff, moved, renamed, added, removed', () => {
    const from = sum();
    const to = structuredClone(from);
    to.nodes[1]!.config = { expression: "{ 'total': input.a * input.b }" };
    to.nodes[2]!.position = { x: 500, y: 40 };
    to.nodes[0]!.name = 'Start here';
    to.nodes.push({ id: 'log', type: 'http.request', position: { x: 600, y: 0 }, config: { url: 'https://x/{{ input.id }}' } });
    to.edges = [to.edges[0]!, { id: 'e3', source: 'add', target: 'log' }];
    to.params = { limit: 5 };
    to.name = 'Product';
    const diff = diffWorkflows(from, to);
    expect(diff.metadata).toEqual([
      {
        field: 'name',
        before: 'Sum',
        after: 'Product',
        text: [
          { op: 'delete', text: 'Sum' },
          { op: 'insert', text: 'Product' },
        ],
      },
    ]);
    expect(diff.params).toEqual([{ name: 'limit', change: 'added', after: 5 }]);
    expect(diff.nodes.map((n) => [n.nodeId, n.change, n.mark])).toEqual([
      ['add', 'changed', 'changed'],
      ['log', 'added', 'added'],
      ['out', 'changed', 'moved'],
      ['start', 'changed', 'renamed'],
    ]);
    expect(diff.nodes[0]!.config).toEqual([
      {
        path: ['expression'],
        field: 'expression',
        change: 'changed',
        kind: 'expression',
        before: "{ 'total': input.a + input.b }",
        after: "{ 'total': input.a * input.b }",
        text: [
          { op: 'equal', text: "{ 'total': input.a " },
          { op: 'delete', text: '+' },
          { op: 'insert', text: '*' },
          { op: 'equal', text: ' input.b }' },
        ],
      },
    ]);
    expect(diff.nodes[2]!.position).toEqual({ before: { x: 400, y: 0 }, after: { x: 500, y: 40 } });
    expect(diff.nodes[3]!.name).toEqual({ before: null, after: 'Start here' });
    expect(diff.edges).toEqual([
      { edgeId: 'e2', change: 'removed', before: { id: 'e2', source: 'add', target: 'out' } },
      { edgeId: 'e3', change: 'added', after: { id: 'e3', source: 'add', target: 'log' } },
    ]);
  });

  it('descends into objects (a set node’s variables, headers) and tells templates from expressions', () => {
    const from = definitionOf({
      ...sumExample(),
      nodes: [
        { id: 's', type: 'set', position: { x: 0, y: 0 }, config: { variables: { a: 'input.a', b: 'input.b' } } },
        { id: 'h', type: 'http.request', position: { x: 0, y: 0 }, config: { url: 'https://a', headers: { x: '1' } } },
      ],
      edges: [],
    });
    const to = structuredClone(from);
    to.nodes[0]!.config = { variables: { a: 'input.a + 1', c: 'input.c' } };
    to.nodes[1]!.config = { url: 'https://{{ params.host }}', headers: { x: '1' }, timeoutMs: 5000 };
    const [h, s] = diffWorkflows(from, to).nodes;
    expect(h!.config.map((f) => [f.field, f.change, f.kind])).toEqual([
      ['timeoutMs', 'added', 'literal'],
      ['url', 'changed', 'template'],
    ]);
    expect(s!.config.map((f) => [f.field, f.change, f.kind])).toEqual([
      ['variables.a', 'changed', 'expression'],
      ['variables.b', 'removed', 'expression'],
      ['variables.c', 'added', 'expression'],
    ]);
  });

  it('compares incomplete drafts without throwing', () => {
    const draft = {
      ...sum(),
      nodes: [{ id: 'x', type: 'transform', position: { x: 0, y: 0 }, config: {} }],
      edges: [{ id: 'e', source: 'x', target: 'gone' }],
    } as WorkflowDefinition;
    const broken = { ...draft, params: null, nodes: [{ id: 'x', type: 'nope', position: null, config: null }], edges: 'none' } as unknown as WorkflowDefinition;
    const diff = diffWorkflows(draft, broken);
    expect(diff.nodes[0]).toMatchObject({ nodeId: 'x', mark: 'changed', type: { before: 'transform', after: 'nope' } });
    expect(diff.edges[0]).toMatchObject({ edgeId: 'e', change: 'removed' });
  });
});

describe('diffText', () => {
  it('gives back both texts: equal + delete parts are the old one, equal + insert the new one', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), (before, after) => {
        const parts = diffText(before, after);
        expect(
          parts
            .filter((p) => p.op !== 'insert')
            .map((p) => p.text)
            .join(''),
        ).toBe(before);
        expect(
          parts
            .filter((p) => p.op !== 'delete')
            .map((p) => p.text)
            .join(''),
        ).toBe(after);
        expect(parts.every((p) => p.text !== '')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('stays bounded on huge, wholly different texts', () => {
    const parts = diffText(`${'a '.repeat(40_000)}end`, `${'b '.repeat(40_000)}end`);
    expect(parts.map((p) => p.op)).toEqual(['delete', 'insert', 'equal']);
  });
});

describe('diffJson', () => {
  it('names each place two results differ: keys added, removed and changed, items of same-length lists', () => {
    expect(diffJson({ total: 4, items: [1, 2], old: true }, { total: 6, items: [1, 3], fresh: 'x' })).toEqual([
      { path: ['fresh'], field: 'fresh', change: 'added', after: 'x' },
      { path: ['items', '1'], field: 'items[1]', change: 'changed', before: 2, after: 3 },
      { path: ['old'], field: 'old', change: 'removed', before: true },
      { path: ['total'], field: 'total', change: 'changed', before: 4, after: 6 },
    ]);
    expect(diffJson([1], [1, 2])).toEqual([{ path: [], field: '', change: 'changed', before: [1], after: [1, 2] }]);
  });

  it('is empty exactly when the values are equal, whatever their key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const reordered = JSON.parse(
          JSON.stringify(a, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)),
        ) as JsonValue;
        expect(diffJson(a as JsonValue, reordered)).toEqual([]);
        expect(diffJson(a as JsonValue, b as JsonValue).length === 0).toBe(
          JSON.stringify(a) === JSON.stringify(b) || diffJson(b as JsonValue, a as JsonValue).length === 0,
        );
      }),
    );
  });
});
