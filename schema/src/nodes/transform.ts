import { z } from 'zod';
import { expressionField } from './common.js';
import { defineNodeType } from './types.js';

export const transform = defineNodeType({
  type: 'transform',
  title: 'Transform',
  description: 'Outputs the value of an expression.',
  category: 'data',
  config: z.object({ expression: expressionField('The output value') }).strict(),
});
