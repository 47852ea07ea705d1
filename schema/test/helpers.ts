import type { Problem, WorkflowEdge } from '@tandem/schema';

export interface NodeInput {
  id: string;
  type: string;
  config?: Record<string, unknown>;
}

export type EdgeInput = [id: string, source: string, target: string, sourceHandle?: string];

/** The "Sum" example (examples/sum.json). */
export function sumExample(): Record<string, unknown> {
  return {
    format: 'tandem.workflow/v1',
    name: 'Sum',
    description: '',
    nodes: [
      { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
      { id: 'add', type: 'transform', position: { x: 200, y: 0 }, config: { expression: "{ 'total': input.a + input.b }" } },
      { id: 'out', type: 'output', position: { x: 400, y: 0 }, config: { expression: 'nodes.add.total' } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'add' },
      { id: 'e2', source: 'add', target: 'out' },
    ],
  };
}

/** A workflow document from compact node and edge lists. */
export function workflow(nodes: NodeInput[], edges: EdgeInput[], name = 'Test'): Record<string, unknown> {
  return {
    format: 'tandem.workflow/v1',
    name,
    nodes: nodes.map((n, i) => ({ id: n.id, type: n.type, position: { x: i * 100, y: 0 }, config: n.config ?? {} })),
    edges: edges.map(([id, source, target, sourceHandle]) => {
      const edge: WorkflowEdge = { id, source, target };
      if (sourceHandle !== undefined) edge.sourceHandle = sourceHandle;
      return edge;
    }),
  };
}

export const trigger = (id = 'start'): NodeInput => ({ id, type: 'trigger.manual' });
export const transform = (id: string, expression = 'input'): NodeInput => ({ id, type: 'transform', config: { expression } });
export const output = (id = 'out', expression = 'input'): NodeInput => ({ id, type: 'output', config: { expression } });

/** Problems reduced to the fields a caller branches on. */
export function summarize(problems: readonly Problem[]): Array<Omit<Problem, 'message'>> {
  return problems.map(({ message: _message, ...rest }) => rest);
}
