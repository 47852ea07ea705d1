import { z } from 'zod';
import { defineNodeType } from './types.js';

export const join = defineNodeType({
  type: 'join',
  title: 'Join',
  description: 'Waits for every incoming branch; outputs their outputs by node id.',
  category: 'flow',
  config: z.object({}).strict(),
});
