import { z } from 'zod';
import { expressionField } from './common.js';
import { defineNodeType } from './types.js';

export const output = defineNodeType({
  type: 'output',
  title: 'Output',
  description: "Sets the run's result.",
  category: 'data',
  config: z.object({ expression: expressionField('The result') }).strict(),
});
