import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { coversLocalEdits } from '../src/editor/sync';
import { addNode, connect, deleteItems, freshId, moveNodes, setConfigField } from '../src/editor/doc';
import { createWorkflowDoc, docToDefinition } from '@tandem/schema/collab';

describe('saved acknowledgements', () => {
  it('every local edit is saved once the persisted state vector covers this client’s clock', () => {
    const doc = new Y.Doc();
    expect(coversLocalEdits(doc, new Map())).toBe(true);
    addNode(doc, 'transform', { x: 0, y: 0 });
    const persisted = Y.decodeStateVector(Y.encodeStateVector(doc));
    expect(coversLocalEdits(doc, persisted)).toBe(true);
    addNode(doc, 'output', { x: 0, y: 100 });
    expect(coversLocalEdits(doc, persisted)).toBe(false);
    // Someone else's edits in the vector do not count for this client.
    expect(coversLocalEdits(doc, new Map([[doc.clientID + 1, 999]]))).toBe(false);
  });
});

describe('document edits', () => {
  it('writes the collab layout that docToDefinition reads back', () => {
    const doc = createWorkflowDoc({
      format: 'tandem.workflow/v1',
      name: 'x',
      description: '',
      params: {},
      nodes: [{ id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} }],
      edges: [],
    });
    const id = addNode(doc, 'condition', { x: 10.4, y: 20.6 }, { expression: 'input.ok' });
    expect(id).toBe('condition1');
    const edge = connect(doc, 'start', undefined, id);
    expect(connect(doc, 'start', undefined, id)).toBeNull(); // no duplicate edge
    const out = addNode(doc, 'output', { x: 300, y: 0 });
    connect(doc, id, 'true', out);
    moveNodes(doc, new Map([[out, { x: 400.2, y: 50 }]]));
    setConfigField(doc, out, 'expression', 'nodes.condition1');
    let def = docToDefinition(doc);
    expect(def.nodes.map((n) => n.id)).toEqual(['start', 'condition1', 'output1']);
    expect(def.nodes[1]).toMatchObject({ position: { x: 10, y: 21 }, config: { expression: 'input.ok' } });
    expect(def.nodes[2]).toMatchObject({ position: { x: 400, y: 50 }, config: { expression: 'nodes.condition1' } });
    expect(def.edges).toEqual([
      { id: edge, source: 'start', target: 'condition1' },
      { id: 'e2', source: 'condition1', sourceHandle: 'true', target: 'output1' },
    ]);
    setConfigField(doc, out, 'expression', undefined);
    deleteItems(doc, [id]);
    def = docToDefinition(doc);
    expect(def.nodes.map((n) => n.id)).toEqual(['start', 'output1']);
    expect(def.nodes[1]?.config).toEqual({});
    expect(def.edges).toEqual([]);
  });

  it('makes ids usable in expressions', () => {
    expect(freshId(new Set(['http1']), 'http')).toBe('http2');
    expect(freshId(new Set(), '9lives')).toBe('_9lives1');
  });
});
