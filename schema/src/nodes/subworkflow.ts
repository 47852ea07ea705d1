import { z } from 'zod';
import { expressionField } from './common.js';
import { defineNodeType } from './types.js';

export const subworkflow = defineNodeType({
  type: 'subworkflow',
  title: 'Sub-workflow',
  description: "Runs a deployed version of another workflow as a child run; outputs the child's result.",
  category: 'flow',
  config: z
    .object({
      workflowId: z.string().min(1).max(100),
      version: z.union([z.number().int().min(1), z.literal('latest')]).default('latest'),
      inputExpression: expressionField("The child run's input").optional(),
    })
    .strict(),
  fieldKind: (path) => (path[0] === 'inputExpression' ? 'expression' : 'literal'),
});
