import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { diffWorkflows, type WorkflowDefinition } from '@tandem/schema';
import { createWorkflowDoc, docToDefinition } from '@tandem/schema/collab';
import { createUndoManager, restoreDefinition, setConfigField } from '../src/editor/doc';
import { comparisonModel, successText } from '../src/workflow/compare';

const v1: WorkflowDefinition = {
  format: 'tandem.workflow/v1',
  name: 'Sum',
  description: '',
  params: {},
  nodes: [
    { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    { id: 'add', type: 'transform', position: { x: 200, y: 0 }, config: { expression: 'input.a + input.b' } },
    { id: 'out', type: 'output', position: { x: 400, y: 0 }, config: { expression: 'nodes.add' } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'add' },
    { id: 'e2', source: 'add', target: 'out' },
  ],
};

describe('versions view', () => {
  it('draws the newer graph plus what it removed, each node and edge marked', () => {
    const v2 = structuredClone(v1);
    v2.nodes = [
      v2.nodes[0]!,
      { ...v2.nodes[1]!, config: { expression: 'input.a * input.b' } },
      { id: 'log', type: 'output', position: { x: 400, y: 100 }, config: { expression: '1' } },
    ];
    v2.edges = [v2.edges[0]!, { id: 'e3', source: 'add', target: 'log' }];
    const model = comparisonModel(v1, v2, diffWorkflows(v1, v2));
    expect(model.nodes.map((n) => n.id)).toEqual(['start', 'add', 'log', 'out']);
    expect(Object.fromEntries(model.nodeMarks)).toEqual({ add: 'changed', log: 'added', out: 'removed' });
    expect(model.edges.map((e) => e.id)).toEqual(['e1', 'e3', 'e2']);
    expect(Object.fromEntries(model.edgeMarks)).toEqual({ e2: 'removed', e3: 'added' });
    const moved = structuredClone(v1);
    moved.nodes[2]!.position = { x: 500, y: 80 };
    expect(comparisonModel(v1, moved, diffWorkflows(v1, moved)).ghosts).toEqual([{ id: 'out', x: 400, y: 0 }]);
    expect(successText(0.8)).toBe('80% succeeded');
    expect(successText(null)).toBe('');
  });

  it('restores a version as one change that one undo takes back, whatever was edited just before', () => {
    const draft = structuredClone(v1);
    draft.nodes[1]!.config = { expression: 'input.a - input.b' };
    draft.nodes.push({ id: 'extra', type: 'output', position: { x: 0, y: 300 }, config: { expression: '2' } });
    const doc = createWorkflowDoc(draft);
    const undo = createUndoManager(doc);
    setConfigField(doc, 'extra', 'expression', '3');
    restoreDefinition(doc, undo, v1);
    expect(docToDefinition(doc)).toEqual(v1);
    // A peer sees the same, from the updates alone.
    const peer = new Y.Doc({ gc: false });
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc));
    expect(docToDefinition(peer)).toEqual(v1);
    undo.undo();
    const back = docToDefinition(doc);
    expect(back.nodes.find((n) => n.id === 'extra')?.config).toEqual({ expression: '3' });
    expect(back.nodes.find((n) => n.id === 'add')?.config).toEqual({ expression: 'input.a - input.b' });
  });
});
