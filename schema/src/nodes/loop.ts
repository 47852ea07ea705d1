import { z } from 'zod';
import { expressionField } from './common.js';
import { defineNodeType } from './types.js';

export const loop = defineNodeType({
  type: 'loop',
  title: 'Loop',
  description: 'Runs the nodes behind its "body" handle for each item (forEach) or while an expression holds (while), then follows "done".',
  category: 'flow',
  allowsCycles: true,
  config: z
    .object({
      mode: z.enum(['forEach', 'while']),
      expression: expressionField('forEach: the list; while: tested before each iteration'),
      maxIterations: z.number().int().min(1).max(1_000_000).default(10_000),
      continueAsNewEvery: z.number().int().min(10).max(100_000).default(500),
    })
    .strict(),
  handles: () => ['body', 'done'],
  check: ({ node, index, graph }) => {
    const at = `nodes[${index}]`;
    const entries = graph.outgoing(node.id).filter((e) => e.sourceHandle === 'body');
    if (entries.length === 0) {
      return [
        { code: 'invalid_loop', path: at, nodeId: node.id, message: `loop "${node.id}" has no body: connect its "body" handle to the first node of the body` },
      ];
    }
    const forward = new Set<string>();
    for (const entry of entries) for (const id of graph.reachable(entry.target, node.id)) forward.add(id);
    forward.delete(node.id);
    const body = new Set([...forward].filter((id) => graph.reachable(id, node.id).has(node.id)));
    if (body.size === 0 && !entries.some((e) => e.target === node.id)) {
      return [
        {
          code: 'invalid_loop',
          path: at,
          nodeId: node.id,
          message: `loop "${node.id}": the body never returns to the loop node; connect the body's last node back to it`,
        },
      ];
    }
    // A body is left only through the loop's "done" handle: an edge out of it would fire once per iteration.
    const problems = [];
    for (const id of body) {
      for (const edge of graph.outgoing(id)) {
        if (edge.target === node.id || body.has(edge.target)) continue;
        problems.push({
          code: 'invalid_loop' as const,
          path: at,
          nodeId: node.id,
          edgeId: edge.id,
          message: `edge "${edge.id}" leaves the body of loop "${node.id}" (from "${id}" to "${edge.target}"); continue after the loop from its "done" handle instead`,
        });
      }
    }
    return problems;
  },
});
