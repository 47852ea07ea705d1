import { fireEvent, render } from '@solidjs/testing-library';
import { describe, expect, it, vi } from 'vitest';
import { Canvas } from '../src/graph/Canvas';
import type { CanvasNode } from '../src/graph/model';
import { fitViewport, handleOffset } from '../src/graph/model';

const nodes: CanvasNode[] = [
  { id: 'start', type: 'trigger.manual', x: 0, y: 0, handles: [], trigger: true },
  { id: 'check', type: 'condition', name: '<img src=x onerror="alert(1)">', x: 250, y: 0, handles: ['true', 'false'], trigger: false },
  { id: 'out', type: 'output', x: 500, y: 0, handles: [], trigger: false },
];
const edges = [
  { id: 'e1', source: 'start', target: 'check' },
  { id: 'e2', source: 'check', sourceHandle: 'true', target: 'out' },
];

describe('graph canvas', () => {
  it('draws nodes, labelled branch handles and edges; user text stays text', () => {
    const { container } = render(() => <Canvas nodes={nodes} edges={edges} label="Graph" />);
    expect(container.querySelectorAll('[data-node-id]')).toHaveLength(3);
    expect(container.querySelectorAll('[data-edge-id]')).toHaveLength(2);
    const labels = [...container.querySelectorAll('[data-node-id="check"] .handle-label')].map((t) => t.textContent);
    expect(labels).toEqual(['true', 'false']);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('[data-node-id="check"] .node-title')?.textContent).toContain('<img');
    // Nodes are keyboard-reachable (SVG attribute names are case-sensitive: tabindex).
    expect(container.querySelector('[data-node-id="out"]')?.getAttribute('tabindex')).toBe('0');
    // Triggers have no input handle.
    expect(container.querySelector('[data-node-id="start"] .handle-in')).toBeNull();
  });

  it('shows run states and selection, and selects by keyboard', () => {
    const onSelect = vi.fn();
    const { container } = render(() => (
      <Canvas
        nodes={nodes}
        edges={edges}
        label="Run"
        readOnly
        states={(id) => (id === 'start' ? 'succeeded' : id === 'check' ? 'failed' : 'pending')}
        selected={(id) => id === 'out'}
        onSelect={onSelect}
      />
    ));
    expect(container.querySelector('[data-node-id="start"]')?.getAttribute('data-state')).toBe('succeeded');
    expect(container.querySelector('[data-node-id="check"]')?.classList.contains('state-failed')).toBe(true);
    expect(container.querySelector('[data-node-id="out"]')?.classList.contains('selected')).toBe(true);
    fireEvent.keyDown(container.querySelector('[data-node-id="check"]')!, { key: 'Enter' });
    expect(onSelect).toHaveBeenCalledWith(['check'], false);
  });

  it('a preview is a picture: no focusable nodes', () => {
    const { container } = render(() => <Canvas nodes={nodes} edges={edges} label="Preview" readOnly preview />);
    expect(container.querySelector('svg')?.getAttribute('role')).toBe('img');
    expect(container.querySelector('[tabindex]')).toBeNull();
  });

  it('places branch handles and fits the graph into view', () => {
    const node = nodes[1]!;
    expect(handleOffset(node, 'true').y).toBeLessThan(handleOffset(node, 'false').y);
    const view = fitViewport({ x: 0, y: 0, width: 1000, height: 100 }, 500, 300, 0);
    expect(view.zoom).toBeCloseTo(0.5);
  });
});
