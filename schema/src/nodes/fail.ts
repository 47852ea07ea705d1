import { z } from 'zod';
import { defineNodeType } from './types.js';

export const fail = defineNodeType({
  type: 'fail',
  title: 'Fail',
  description: 'Fails the run with a message naming this node.',
  category: 'flow',
  config: z.object({ message: z.string().min(1).max(4_000).describe('May contain {{ }} templates') }).strict(),
});
