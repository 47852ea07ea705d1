import { z } from 'zod';
import { expressionField } from './common.js';
import { defineNodeType } from './types.js';

export const setVariables = defineNodeType({
  type: 'set',
  title: 'Set variables',
  description: 'Assigns vars.<name> for later nodes; outputs the assigned values.',
  category: 'data',
  config: z
    .object({
      variables: z
        .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable name must be an identifier'), expressionField('Value of the variable'))
        .refine((v) => Object.keys(v).length > 0, 'set at least one variable'),
    })
    .strict(),
  fieldKind: (path) => (path[0] === 'variables' && path.length === 2 ? 'expression' : 'template'),
});
