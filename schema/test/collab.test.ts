import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { WorkflowDefinition } from '@tandem/schema';
import { applyDefinition, applyTextDifference, createWorkflowDoc, docMaps, docToDefinition, setConfigValue } from '@tandem/schema/collab';
import { dagWorkflow } from './arbitraries.js';
import { sumExample } from './helpers.js';

const sum = () => ({ ...sumExample(), params: { limit: 3 } }) as unknown as WorkflowDefinition;

/** Two replicas that exchange every update, as a y-websocket room would. */
function pair(definition: WorkflowDefinition): [Y.Doc, Y.Doc] {
  const a = createWorkflowDoc(definition);
  const b = new Y.Doc({ gc: false });
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  return [a, b];
}

function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

describe('workflow document <-> definition', () => {
  it('round-trips a definition unchanged, in both directions', () => {
    fc.assert(
      fc.property(dagWorkflow({ min: 1, max: 25 }), ({ document }) => {
        const definition = { description: '', ...document } as unknown as WorkflowDefinition;
        const doc = createWorkflowDoc(definition);
        expect(docToDefinition(doc)).toEqual(definition);
        // A second replica built from the update reads the same.
        const replica = new Y.Doc({ gc: false });
        Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
        expect(docToDefinition(replica)).toEqual(definition);
      }),
      { numRuns: 60 },
    );
  });

  it('writes nothing when the definition is what the document already holds', () => {
    const doc = createWorkflowDoc(sum());
    const before = Y.encodeStateVector(doc);
    applyDefinition(doc, sum());
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });

  it('applies only the difference, so a concurrent edit to another node survives', () => {
    const [a, b] = pair(sum());
    // A moves `add`; B, at the same time, changes the output expression through a definition.
    docMaps(a).nodes.get('add')!.set('position', { x: 250, y: 40 });
    const changed = sum();
    changed.nodes[2]!.config = { expression: 'nodes.add.total * 2' };
    applyDefinition(b, changed);
    sync(a, b);
    for (const doc of [a, b]) {
      const result = docToDefinition(doc);
      expect(result.nodes.find((n) => n.id === 'add')!.position).toEqual({ x: 250, y: 40 });
      expect(result.nodes.find((n) => n.id === 'out')!.config).toEqual({ expression: 'nodes.add.total * 2' });
    }
  });

  it('keeps concurrent edits of different config fields of one node', () => {
    const [a, b] = pair(sum());
    docMaps(a).nodes.get('add')!.get('config') as Y.Map<unknown>;
    (docMaps(a).nodes.get('add')!.get('config') as Y.Map<unknown>).set('expression', 'input.a');
    (docMaps(b).nodes.get('add')!.get('config') as Y.Map<unknown>).set('timeoutMs', 500);
    sync(a, b);
    expect(docToDefinition(a).nodes[1]!.config).toEqual({ expression: 'input.a', timeoutMs: 500 });
    expect(docToDefinition(b)).toEqual(docToDefinition(a));
  });

  it('removes deleted nodes and edges and adds new ones after the existing order', () => {
    const doc = createWorkflowDoc(sum());
    const next = sum();
    next.nodes = next.nodes.filter((n) => n.id !== 'out');
    next.edges = [next.edges[0]!];
    next.nodes.push({ id: 'log', type: 'transform', position: { x: 1, y: 2 }, config: { expression: '1' } });
    next.edges.push({ id: 'e9', source: 'add', target: 'log' });
    applyDefinition(doc, next);
    expect(docToDefinition(doc)).toEqual(next);
  });

  it('reads a document written by another client without order keys, sorted by id', () => {
    const doc = new Y.Doc();
    const { meta, nodes } = docMaps(doc);
    meta.set('name', 'Hand made');
    for (const id of ['b', 'a']) {
      const node = new Y.Map<unknown>();
      node.set('type', 'transform');
      node.set('position', { x: 0, y: 0 });
      node.set('config', new Y.Map());
      nodes.set(id, node);
    }
    expect(docToDefinition(doc).nodes.map((n) => n.id)).toEqual(['a', 'b']);
  });

  it('passes values of the wrong kind through for validation to name, and skips non-map entries', () => {
    const doc = createWorkflowDoc(sum());
    const { nodes } = docMaps(doc);
    nodes.get('add')!.set('type', 42);
    (nodes as unknown as Y.Map<unknown>).set('junk', 'not a node');
    const result = docToDefinition(doc);
    expect(result.nodes.map((n) => n.id)).toEqual(['start', 'add', 'out']);
    expect(result.nodes[1]!.type).toBe(42);
  });
});

describe('expression fields as text', () => {
  it('keeps both people’s keystrokes when they type in the same expression at once', () => {
    const [a, b] = pair(sum());
    const exprA = () => docMaps(a).nodes.get('add')!.get('config') as Y.Map<unknown>;
    const exprB = () => docMaps(b).nodes.get('add')!.get('config') as Y.Map<unknown>;
    expect(exprA().get('expression')).toBeInstanceOf(Y.Text);
    // "{ 'total': input.a + input.b }": A appends "* 2" to input.b, B renames 'total' to 'sum'.
    setConfigValue(exprA(), 'expression', "{ 'total': input.a + input.b * 2 }");
    setConfigValue(exprB(), 'expression', "{ 'sum': input.a + input.b }");
    sync(a, b);
    expect(docToDefinition(a).nodes[1]!.config.expression).toBe("{ 'sum': input.a + input.b * 2 }");
    expect(docToDefinition(b)).toEqual(docToDefinition(a));
  });

  it('changes text by its difference, whole characters only, and leaves other fields plain', () => {
    const doc = new Y.Doc();
    const config = doc.getMap<unknown>('c');
    setConfigValue(config, 'expression', 'a😀b');
    const text = config.get('expression') as Y.Text;
    for (const next of ['a😀c', 'a😁b', '😀', '', 'x'.repeat(5), 'input.a']) {
      applyTextDifference(text, next);
      expect(text.toString()).toBe(next);
    }
    setConfigValue(config, 'method', 'GET');
    expect(config.get('method')).toBe('GET');
    setConfigValue(config, 'method', undefined);
    expect(config.has('method')).toBe(false);
  });
});

describe('object fields as maps', () => {
  it('merges edits to different keys of one object field (a set node’s variables)', () => {
    const definition = sum();
    definition.nodes[1] = { id: 'add', type: 'set', position: { x: 0, y: 0 }, config: { variables: { x: '1', y: '2' } } };
    const [a, b] = pair(definition);
    const withVariables = (variables: Record<string, string>) => {
      const next = structuredClone(definition);
      next.nodes[1]!.config = { variables };
      return next;
    };
    applyDefinition(a, withVariables({ x: '10', y: '2' }));
    applyDefinition(b, withVariables({ x: '1', y: '2', z: '3' }));
    sync(a, b);
    expect(docToDefinition(a).nodes[1]!.config).toEqual({ variables: { x: '10', y: '2', z: '3' } });
    expect(docToDefinition(b)).toEqual(docToDefinition(a));
  });
});
