import { fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import { createWorkflowDoc, docMaps, docToDefinition } from '@tandem/schema/collab';
import { Editor, freeSpot, groupProblems } from '../src/editor/Editor';
import { addNode, connect, createUndoManager, LOCAL } from '../src/editor/doc';
import type { DocSession } from '../src/editor/sync';

function localSession(readOnly = false): DocSession {
  const doc = createWorkflowDoc({
    format: 'tandem.workflow/v1',
    name: 'Local',
    description: '',
    params: {},
    nodes: [{ id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} }],
    edges: [],
  });
  const [ro] = createSignal(readOnly);
  return {
    doc,
    awareness: new Awareness(doc),
    undoManager: createUndoManager(doc),
    mode: () => 'collab',
    connection: () => 'online',
    saved: () => true,
    readOnly: ro,
    ready: () => true,
    error: () => '',
    destroy: () => doc.destroy(),
  };
}

const user = { id: 'u1', name: 'Ada Lovelace', email: 'ada@example.com' };

describe('editor on a Yjs document', () => {
  it('adds nodes from the palette, shows validation problems on them, and configures them', async () => {
    const session = localSession();
    const { container } = render(() => <Editor session={session} user={user} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add Transform' }));
    expect(docMaps(session.doc).nodes.has('transform1')).toBe(true);
    await waitFor(() => expect(container.querySelector('[data-node-id="transform1"]')).not.toBeNull());
    // Not connected and not configured: the node carries its problems.
    await waitFor(() => expect(container.querySelector('[data-node-id="transform1"]')?.classList.contains('invalid')).toBe(true));
    fireEvent.input(screen.getByLabelText(/^Expression/), { target: { value: 'input.a' } });
    expect(docToDefinition(session.doc).nodes.find((n) => n.id === 'transform1')?.config).toEqual({ expression: 'input.a' });
    connect(session.doc, 'start', undefined, 'transform1');
    await waitFor(() => expect(container.querySelector('[data-node-id="transform1"]')?.classList.contains('invalid')).toBe(false));
  });

  it('undoes only this user’s own changes', async () => {
    const session = localSession();
    render(() => <Editor session={session} user={user} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add Delay' }));
    // Someone else's edit arrives (another origin).
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(session.doc));
    addNode(remote, 'output', { x: 0, y: 200 });
    Y.applyUpdate(session.doc, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(session.doc)), 'remote');
    expect([...docMaps(session.doc).nodes.keys()].sort()).toEqual(['delay1', 'output1', 'start']);
    await waitFor(() => expect((screen.getByRole('button', { name: 'Undo' }) as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    expect([...docMaps(session.doc).nodes.keys()].sort()).toEqual(['output1', 'start']);
    fireEvent.click(screen.getByRole('button', { name: 'Redo' }));
    expect([...docMaps(session.doc).nodes.keys()].sort()).toEqual(['delay1', 'output1', 'start']);
  });

  it('deletes the selection with the keyboard, with the edges that touch it', async () => {
    const session = localSession();
    const { container } = render(() => <Editor session={session} user={user} />);
    const id = addNode(session.doc, 'output', { x: 300, y: 0 });
    connect(session.doc, 'start', undefined, id);
    await waitFor(() => expect(container.querySelector(`[data-node-id="${id}"]`)).not.toBeNull());
    const node = container.querySelector(`[data-node-id="${id}"]`)!;
    fireEvent.keyDown(node, { key: 'Enter' });
    fireEvent.keyDown(node, { key: 'Delete' });
    expect(docMaps(session.doc).nodes.has(id)).toBe(false);
    expect(docMaps(session.doc).edges.size).toBe(0);
  });

  it('a viewer gets no palette and cannot delete', async () => {
    const session = localSession(true);
    const { container } = render(() => <Editor session={session} user={user} />);
    expect(screen.queryByRole('button', { name: 'Add Transform' })).toBeNull();
    const node = container.querySelector('[data-node-id="start"]')!;
    fireEvent.keyDown(node, { key: 'Enter' });
    fireEvent.keyDown(node, { key: 'Delete' });
    expect(docMaps(session.doc).nodes.has('start')).toBe(true);
  });

  it('finds a free spot for new nodes and groups problems by node, edge and field', () => {
    const nodes = [{ id: 'a', type: 'transform', x: 0, y: 0, handles: [], trigger: false }];
    const spot = freeSpot(nodes, { x: 0, y: 0 });
    expect(spot).not.toEqual({ x: 0, y: 0 });
    const grouped = groupProblems([
      { code: 'invalid_config', path: 'nodes[1].config.url', nodeId: 'n', message: 'url is required' },
      { code: 'dangling_edge', path: 'edges[0]', edgeId: 'e', message: 'no such target' },
    ]);
    expect(grouped.byNode.get('n')).toEqual(['url is required']);
    expect(grouped.byField.get('n\u0000url')).toEqual(['url is required']);
    expect(grouped.byEdge.get('e')).toEqual(['no such target']);
    expect(LOCAL).toBeTruthy();
  });
});
