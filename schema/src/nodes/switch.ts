import { z } from 'zod';
import { expressionField, handleName } from './common.js';
import { defineNodeType } from './types.js';
import { jsonValueSchema } from '../format.js';

export const DEFAULT_HANDLE = 'default';

export const switchNode = defineNodeType({
  type: 'switch',
  title: 'Switch',
  description: 'Follows the handle of the first case equal to the expression, else "default".',
  category: 'logic',
  config: z
    .object({
      expression: expressionField('The value compared with each case'),
      cases: z
        .array(z.object({ handle: handleName, value: jsonValueSchema }).strict())
        .min(1, 'add at least one case')
        .max(100)
        .superRefine((cases, ctx) => {
          const seen = new Set<string>([DEFAULT_HANDLE]);
          cases.forEach((c, i) => {
            if (seen.has(c.handle)) {
              ctx.addIssue({ code: 'custom', path: [i, 'handle'], message: `handle "${c.handle}" is used twice (or is reserved)` });
            }
            seen.add(c.handle);
          });
        }),
    })
    .strict(),
  handles: (config) => [...config.cases.map((c) => c.handle), DEFAULT_HANDLE],
  fieldKind: (path) => (path[0] === 'cases' ? 'literal' : path[0] === 'expression' ? 'expression' : 'template'),
});
