import { z } from 'zod';
import { expressionField } from './common.js';
import { defineNodeType } from './types.js';

export const loop = defineNodeType({
  type: 'loop',
  title: 'Loop',
  description:
    'Runs the nodes behind its "body" handle for each item (forEach) or while an expression holds (while), then follows "done".',
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
    const body = graph.outgoing(node.id).filter((e) => e.sourceHandle === 'body');
    if (body.length === 0) return [];
    const returns = body.some((edge) => edge.target === node.id || graph.reachable(edge.target).has(node.id));
    if (returns) return [];
    return [
      {
        code: 'invalid_loop',
        path: `nodes[${index}]`,
        nodeId: node.id,
        message: `loop "${node.id}": the body never returns to the loop node; connect the body's last node back to it`,
      },
    ];
  },
});
