import { z } from 'zod';
import { defineNodeType } from './types.js';

export const parallel = defineNodeType({
  type: 'parallel',
  title: 'Parallel',
  description: 'Starts every outgoing branch at once; outputs its input.',
  category: 'flow',
  config: z.object({}).strict(),
});
