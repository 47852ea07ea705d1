import { z } from 'zod';
import { expressionField } from './common.js';
import { defineNodeType } from './types.js';

export const condition = defineNodeType({
  type: 'condition',
  title: 'Condition',
  description: 'Follows the "true" or the "false" edge by the truth of an expression.',
  category: 'logic',
  config: z.object({ expression: expressionField('Tested for truth') }).strict(),
  handles: () => ['true', 'false'],
});
