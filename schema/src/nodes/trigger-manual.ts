import { z } from 'zod';
import { defineNodeType } from './types.js';

export const manualTrigger = defineNodeType({
  type: 'trigger.manual',
  title: 'Manual trigger',
  description: "Starts a run from startExecution; the run's input is the given input.",
  category: 'trigger',
  trigger: true,
  config: z.object({}).strict(),
});
